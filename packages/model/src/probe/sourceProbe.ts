import { rocAuc } from '@cxr/metrics';
import { ProbeInputError } from '../errors';
import { groupBootstrapAuc, toUnitRanks, type GroupBootstrapAuc } from './groupBootstrapAuc';
import { groupedFolds } from './groupedFolds';
import { fitLogisticRegression } from './logisticRegression';

/** Options of {@link sourceProbe}. */
export interface SourceProbeOptions {
  /** One feature vector per image (e.g. globally average-pooled backbone features, or `[score]`). */
  features: readonly ArrayLike<number>[];
  /** The data source (hospital, collection) of each image: what the probe tries to predict. */
  sources: readonly string[];
  /** Patient of each image: a patient's images always share a fold. Default: each image its own group. */
  groups?: readonly string[];
  /** Cross-validation folds (default 5, fewer when a source has fewer patients). */
  folds?: number;
  /** Seed of the fold assignment and the bootstrap (default 0). */
  seed?: number;
  /** The source counted as positive; default the rarer one (ties: alphabetical). With more than two sources: that source vs the rest (required). */
  positiveSource?: string;
  /** L2 penalty of the logistic regression on standardised features (default 1). */
  l2?: number;
  /** Gradient-descent iterations (default 300). */
  iterations?: number;
  /** Bootstrap resamples of the AUC interval (default 2000). */
  bootstrapIterations?: number;
}

/** One cross-validation fold of {@link sourceProbe}. */
export interface SourceProbeFold {
  fold: number;
  /** Test images of this fold, and how many of them are from the positive source. */
  n: number;
  positives: number;
  /** The fold's own AUC; `null` when its test images come from one source only. */
  auc: number | null;
}

/** What {@link sourceProbe} measured. */
export interface SourceProbeResult {
  /** Out-of-fold ROC AUC of predicting the source: 0.5 means the features carry no source information. */
  auc: number;
  /** Patient-level bootstrap interval of `auc`. */
  ci: GroupBootstrapAuc;
  folds: SourceProbeFold[];
  positiveSource: string;
  /** The other source, or `rest` for one-vs-rest. */
  negativeSource: string;
  n: number;
  nPositive: number;
  nNegative: number;
  /** Patients per side. */
  groupsPositive: number;
  groupsNegative: number;
  /** Out-of-fold decision score per image (log-odds of the positive source), in input order. */
  scores: number[];
  /** The fold each image was tested in. */
  foldOf: number[];
  method: string;
}

/**
 * The shortcut alarm: how well features predict where an image came from. Fits an L2 logistic regression
 * ({@link fitLogisticRegression}, balanced classes) in patient-grouped, source-stratified k-fold cross-validation
 * ({@link groupedFolds}) and reports the pooled out-of-fold ROC AUC with a patient-level bootstrap interval
 * ({@link groupBootstrapAuc}) and each fold's AUC. Restricted to one class (say, normals from two hospitals), a
 * high AUC means the features tell the hospitals apart, so a classifier trained where hospital and label are
 * confounded can learn the hospital instead of the disease (DeGrave et al., Nat Mach Intell 2021).
 *
 * @throws ProbeInputError for mismatched lengths, fewer than two sources, or fewer than two patients of a source
 * @example
 * const r = sourceProbe({ features, sources, groups: patientIds, folds: 5, seed: 0 });
 * if (r.ci.lower > 0.8) console.warn(`features predict ${r.positiveSource} (AUC ${r.auc.toFixed(2)})`);
 */
export function sourceProbe(options: SourceProbeOptions): SourceProbeResult {
  const { features, sources } = options;
  const n = features.length;
  const seed = options.seed ?? 0;
  if (sources.length !== n) throw new ProbeInputError(`sourceProbe: ${n} feature vectors but ${sources.length} sources`);
  const groups = options.groups ?? features.map((_, i) => `image:${i}`);
  if (groups.length !== n) throw new ProbeInputError(`sourceProbe: ${n} feature vectors but ${groups.length} groups`);
  if (n > 0 && features.some((f) => f.length !== features[0].length || f.length === 0)) {
    throw new ProbeInputError(`sourceProbe: feature vectors must all have the same, non-zero length (first has ${features[0].length})`);
  }
  const distinct = [...new Set(sources)].sort();
  if (distinct.length < 2) throw new ProbeInputError(`sourceProbe: need images from at least two sources, got ${JSON.stringify(distinct)}`);
  let positiveSource = options.positiveSource;
  if (positiveSource === undefined) {
    if (distinct.length > 2) throw new ProbeInputError(`sourceProbe: ${distinct.length} sources (${distinct.join(', ')}); give positiveSource to probe one against the rest`);
    const count = (s: string): number => sources.filter((x) => x === s).length;
    positiveSource = count(distinct[1]) < count(distinct[0]) ? distinct[1] : distinct[0];
  } else if (!distinct.includes(positiveSource)) {
    throw new ProbeInputError(`sourceProbe: positiveSource ${JSON.stringify(positiveSource)} is not among the sources ${distinct.join(', ')}`);
  }
  const negativeSource = distinct.length === 2 ? distinct.find((s) => s !== positiveSource) ?? 'rest' : 'rest';
  const y = sources.map((s) => (s === positiveSource ? 1 : 0));
  const groupsOf = (label: number): number => new Set(groups.filter((_, i) => y[i] === label)).size;
  const groupsPositive = groupsOf(1);
  const groupsNegative = groupsOf(0);
  if (groupsPositive < 2 || groupsNegative < 2) {
    throw new ProbeInputError(
      `sourceProbe: each side needs at least 2 patients for cross-validation; ${positiveSource} has ${groupsPositive}, ${negativeSource} has ${groupsNegative}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const f = features[i];
    for (let j = 0; j < f.length; j++) if (!Number.isFinite(f[j])) throw new ProbeInputError(`sourceProbe: feature ${j} of image ${i} is ${f[j]}, not finite`);
  }
  const folds = Math.min(options.folds ?? 5, groupsPositive, groupsNegative);
  if (!Number.isInteger(folds) || folds < 2) throw new ProbeInputError(`sourceProbe: folds must be an integer >= 2, got ${options.folds}`);
  const foldOf = groupedFolds(
    sources.map((s) => (s === positiveSource ? 'p' : 'n')),
    groups,
    folds,
    seed,
  );
  const scores = new Array<number>(n).fill(NaN);
  const foldResults: SourceProbeFold[] = [];
  for (let f = 0; f < folds; f++) {
    const train = foldOf.flatMap((k, i) => (k === f ? [] : [i]));
    const test = foldOf.flatMap((k, i) => (k === f ? [i] : []));
    const trainY = train.map((i) => y[i]);
    // Rare sources can leave a training fold one-sided only if a side has < folds patients; folds was capped above.
    const model = fitLogisticRegression(
      train.map((i) => features[i]),
      trainY,
      { l2: options.l2, iterations: options.iterations },
    );
    for (const i of test) scores[i] = model.decision(features[i]);
    const positives = test.filter((i) => y[i] === 1).length;
    const auc = positives === 0 || positives === test.length
      ? null
      : rocAuc(test.map((i) => (y[i] === 1 ? 'p' : 'n')), toUnitRanks(test.map((i) => scores[i])), 'p', { negativeLabel: 'n' });
    foldResults.push({ fold: f, n: test.length, positives, auc });
  }
  const ci = groupBootstrapAuc(y, scores, groups, { iterations: options.bootstrapIterations, seed: seed + 42 });
  return {
    auc: ci.value,
    ci,
    folds: foldResults,
    positiveSource,
    negativeSource,
    n,
    nPositive: y.filter((v) => v === 1).length,
    nNegative: y.filter((v) => v === 0).length,
    groupsPositive,
    groupsNegative,
    scores,
    foldOf,
    method: `${folds}-fold patient-grouped, source-stratified cross-validated L2 logistic regression (l2 ${options.l2 ?? 1}, standardised features, balanced classes); pooled out-of-fold AUC`,
  };
}
