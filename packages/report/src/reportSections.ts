import type { BinaryMetricsLike, ReportContent } from './types';

/** The banner both report formats open with. */
export const CLINICAL_BANNER = 'NOT FOR CLINICAL USE';

/** The sentence under the banner. */
export const CLINICAL_DISCLAIMER =
  'Research software. These numbers describe one model on one test set; they are not a diagnosis and must ' +
  'never guide the care of a patient. Public COVID-19 X-ray collections mix hospitals, devices and ages, so ' +
  'a model can score well by recognising the source rather than the disease.';

/** The note under the per-source table. */
export const SOURCE_NOTE =
  'Each public source comes from different hospitals and devices. Large differences between sources suggest the model has learned the source, not the disease. A source with one class only has no sensitivity or no specificity.';

/** The note under a per-group table (`--group-by`). */
export const GROUP_NOTE =
  'The same metrics on each group of test images. A group with one class only has no sensitivity or no specificity, and no AUC: "n/a", with the reason under Warnings.';

/** Every warning to show: the caller's and the metrics' own (e.g. "fewer than 30 positives"), deduplicated. */
export function collectWarnings(input: ReportContent['input']): string[] {
  const all = [...(input.warnings ?? []), ...(input.metrics.warnings ?? [])];
  for (const [source, m] of Object.entries(input.perSource ?? {})) {
    for (const w of m.warnings ?? []) all.push(`${source}: ${w}`);
  }
  for (const [group, m] of Object.entries(input.groups?.groups ?? {})) {
    for (const w of m.warnings ?? []) all.push(`${input.groups?.by} ${group}: ${w}`);
  }
  return [...new Set(all)];
}

/** The counts of a source's test images by actual class: "12 covid / 30 normal". */
export function classCounts(m: BinaryMetricsLike): string {
  const { tp, fn, tn, fp } = m.confusionMatrix;
  return `${tp + fn} ${m.positiveLabel} / ${tn + fp} ${m.negativeLabel}`;
}

/**
 * The safety section as lines of plain text (both renderers escape and lay them out): calibration, predictive values
 * at the stated prevalence, and coverage of the out-of-distribution refusal with metrics on decided images beside all.
 */
export function safetyLines(input: ReportContent['input']): string[] {
  const s = input.safety;
  if (!s) return [];
  const f = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
  const pos = input.model.positiveClass;
  const out: string[] = [];
  if (s.calibration) {
    const t = s.calibration.temperature;
    out.push(
      `Calibration: expected calibration error ${f(s.calibration.ece)} (largest bin gap ${f(s.calibration.mce)}), ` +
        (t === null ? 'no temperature scaling.' : `after temperature scaling (T = ${f(t)}, fitted on the validation split).`),
    );
  }
  if (s.atPrevalence) {
    const p = s.atPrevalence;
    out.push(
      `At a prevalence of ${f(p.prevalence * 100, 1)}% (not the test set's): PPV ${f(p.ppv)} (a ${pos} call is right ${f((p.ppv ?? NaN) * 100, 1)}% of the time), ` +
        `NPV ${f(p.npv)}, from sensitivity ${f(p.sensitivity)} and specificity ${f(p.specificity)}: PPV = se*p / (se*p + (1-sp)*(1-p)).`,
    );
  }
  if (s.coverage) {
    const c = s.coverage;
    const sum = (m: { n: number; accuracy: number | null; sensitivity: number | null; specificity: number | null; auc: number | null }): string =>
      `n ${m.n}, accuracy ${f(m.accuracy)}, sensitivity ${f(m.sensitivity)}, specificity ${f(m.specificity)}, AUC ${f(m.auc)}`;
    out.push(`Coverage: ${c.decided} of ${c.n} images decided (${f((c.decided / Math.max(c.n, 1)) * 100, 1)}%); ${c.refused} refused as outside what the model was trained on.`);
    for (const r of c.reasons) out.push(`Refused (${r.count}): ${r.reason}`);
    out.push(`All images: ${sum(c.all)}.`);
    out.push(c.decidedOnly ? `Decided images only: ${sum(c.decidedOnly)}.` : 'Decided images only: none.');
  }
  return out;
}
