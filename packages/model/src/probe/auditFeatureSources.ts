import { sourceProbe } from './sourceProbe';

/** The AUC at or above which a within-class source probe raises the alarm (as `cxr experiment loso` does). */
export const SOURCE_ALARM_AUC = 0.8;

/** One class's probe in {@link FeatureSourceAudit}. */
export interface ClassSourceProbe {
  label: string;
  positiveSource: string;
  negativeSource: string;
  /** Out-of-fold AUC of predicting the source from the features, among this class's images only. */
  auc: number;
  ci: { lower: number; upper: number };
  nPositive: number;
  nNegative: number;
  alarm: boolean;
}

/** What {@link auditFeatureSources} found. */
export interface FeatureSourceAudit {
  probes: ClassSourceProbe[];
  /** Classes that could not be probed, and why (one source only, or too few patients of a source). */
  notProbed: { label: string; reason: string }[];
  alarm: boolean;
  threshold: number;
}

/**
 * The model-level half of the data-design audit: within each class, do the (pooled) features tell the sources apart?
 * Among same-class images the disease cannot explain the answer, so a high out-of-fold AUC ({@link sourceProbe},
 * patient-grouped folds) means the features carry the source, which a classifier can use where source and class are
 * confounded. Two sources: one probe; more: each source against the rest. A class from one source cannot be probed
 * (that is the confounded case `auditDataDesign` reports). Browser-safe.
 *
 * @example const a = auditFeatureSources({ features: pooled, labels, sources, groups: patientIds });
 */
export function auditFeatureSources(options: {
  features: readonly ArrayLike<number>[];
  labels: readonly string[];
  sources: readonly string[];
  groups?: readonly string[];
  seed?: number;
  threshold?: number;
  /** Bootstrap resamples of each AUC interval (default 1000). */
  bootstrapIterations?: number;
}): FeatureSourceAudit {
  const threshold = options.threshold ?? SOURCE_ALARM_AUC;
  const probes: ClassSourceProbe[] = [];
  const notProbed: FeatureSourceAudit['notProbed'] = [];
  const groups = options.groups ?? options.features.map((_, i) => `image:${i}`);
  for (const label of [...new Set(options.labels)]) {
    const idx = options.labels.flatMap((l, i) => (l === label ? [i] : []));
    const sources = [...new Set(idx.map((i) => options.sources[i]))].sort();
    if (sources.length < 2) {
      notProbed.push({ label, reason: `every ${label} image is from ${sources[0]}` });
      continue;
    }
    const patients = (s: string): number => new Set(idx.filter((i) => options.sources[i] === s).map((i) => groups[i])).size;
    const small = sources.filter((s) => patients(s) < 2);
    if (small.length) {
      notProbed.push({ label, reason: `fewer than 2 patients of ${small.join(', ')}` });
      continue;
    }
    const sides = sources.length === 2 ? [undefined] : sources;
    for (const positiveSource of sides) {
      const r = sourceProbe({
        features: idx.map((i) => options.features[i]),
        sources: idx.map((i) => options.sources[i]),
        groups: idx.map((i) => groups[i]),
        positiveSource,
        seed: options.seed ?? 0,
        bootstrapIterations: options.bootstrapIterations ?? 1000,
      });
      probes.push({
        label,
        positiveSource: r.positiveSource,
        negativeSource: r.negativeSource,
        auc: r.auc,
        ci: { lower: r.ci.lower, upper: r.ci.upper },
        nPositive: r.nPositive,
        nNegative: r.nNegative,
        alarm: r.auc >= threshold,
      });
    }
  }
  return { probes, notProbed, alarm: probes.some((p) => p.alarm), threshold };
}
