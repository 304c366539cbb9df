/** The fields of a dataset image the plan looks at. */
export interface PlanRecord {
  label: string;
  source: string;
  patientId: string;
}

/** One held-out evaluation: what is held out of training and tested, and why that is what can be held out. */
export interface HoldOutPlan {
  /** `source`: every image of the source is held out; `normals`: only its negatives (its positives are needed for training). */
  kind: 'source' | 'normals';
  source: string;
  /** A sentence saying what this evaluation measures. */
  reason: string;
}

/** A source that cannot be held out, and why. */
export interface SkippedHoldOut {
  source: string;
  reason: string;
}

/**
 * Decides which leave-one-source-out evaluations the data allows. Holding out source S trains on the others and
 * tests on S; that needs positives and negatives left for training. When S holds every positive image, S cannot
 * be held out whole; its negatives can (if other sources have negatives to train on): the cross-source test of
 * normals (train normals from A, test normals from B), which measures whether the model calls normals from the
 * positives' hospital positive. A source with only negatives held out measures specificity on an unseen hospital.
 *
 * @example planHoldOuts(records, 'covid', 'normal') // covid-chestxray: normals only; nih-cxr14: whole source
 */
export function planHoldOuts(
  records: readonly PlanRecord[],
  positive: string,
  negative: string,
): { plans: HoldOutPlan[]; skipped: SkippedHoldOut[] } {
  const sources = [...new Set(records.map((r) => r.source))].sort();
  const count = (pred: (r: PlanRecord) => boolean): number => records.filter(pred).length;
  const plans: HoldOutPlan[] = [];
  const skipped: SkippedHoldOut[] = [];
  if (sources.length < 2) {
    for (const s of sources) skipped.push({ source: s, reason: 'only one source in the dataset: nothing else to train on' });
    return { plans, skipped };
  }
  for (const s of sources) {
    const pos = count((r) => r.source === s && r.label === positive);
    const neg = count((r) => r.source === s && r.label === negative);
    const otherPos = count((r) => r.source !== s && r.label === positive);
    const otherNeg = count((r) => r.source !== s && r.label === negative);
    if (otherPos > 0 && otherNeg > 0) {
      plans.push({
        kind: 'source',
        source: s,
        reason:
          pos === 0
            ? `${s} has only ${negative} images (${neg}): trained without it, its specificity is that on an unseen hospital`
            : `trained without ${s} (${pos} ${positive}, ${neg} ${negative}): its sensitivity, specificity and AUC are those on an unseen hospital`,
      });
    } else if (otherPos === 0 && neg > 0 && otherNeg > 0) {
      plans.push({
        kind: 'normals',
        source: s,
        reason:
          `${s} provides every ${positive} image, so it cannot be held out whole (training would have no ${positive}); ` +
          `instead its ${neg} ${negative} images are held out: ${negative}s from other sources train, ${negative}s from ${s} test ` +
          `(a source shortcut calls them ${positive})`,
      });
    } else {
      skipped.push({
        source: s,
        reason:
          otherPos === 0
            ? `${s} provides every ${positive} image and has no ${negative} images to hold out: training would have no ${positive}`
            : `without ${s} no ${negative} images are left to train on`,
      });
    }
  }
  return { plans, skipped };
}
