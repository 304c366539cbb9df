import { balancedAccuracyOf } from './balancedAccuracy';
import { checkBootstrapOptions, DEFAULT_BOOTSTRAP_ITERATIONS, DEFAULT_BOOTSTRAP_SEED, type BootstrapOptions } from './bootstrapAuc';
import { classificationReport, type ClassificationReport } from './classificationReport';
import { kappaOf } from './cohenKappa';
import { confusionMatrix, labelIndex, type ConfusionMatrix } from './confusionMatrix';
import { createRng } from './createRng';
import { EmptyInputError, InvalidOptionError, InvalidScoreError, LengthMismatchError, UnknownLabelError } from './errors';
import type { Interval } from './interval';
import { quantileSorted } from './quantile';
import { aucFromCounts, scoreGroups, type ScoreGroups } from './scoreGroups';
import { wilsonInterval } from './wilsonInterval';

/** Input of {@link multiclassMetrics}. */
export interface MulticlassMetricsOptions {
  /** Every class, in the model's output order (the order of each probability row). Never inferred. */
  classes: readonly string[];
  /** The actual class of each sample. */
  labels: readonly string[];
  /** Per sample, the probability of each class in the order of `classes`, each in [0, 1]. */
  probabilities: readonly (readonly number[])[];
  /** The decided class of each sample; the most probable class (argmax, first on ties) when omitted. */
  predicted?: readonly string[];
  /**
   * The patient (or any cluster) of each sample: the AUC bootstrap resamples patients, not images, since images of
   * one patient are not independent. Each sample its own group when omitted.
   */
  groups?: readonly string[];
  /** Confidence level of every interval; 0.95 by default. */
  confidenceLevel?: number;
  /** Settings of the AUC bootstrap (2000 resamples, seed 42 by default). */
  bootstrap?: BootstrapOptions;
  /** Where the data came from (e.g. `preds.csv`), named in error messages. */
  source?: string;
}

/** One class against the rest. Undefined values (0/0) are `NaN` (`null` in JSON), and said in `warnings`. */
export interface OneVsRestMetrics {
  label: string;
  /** Samples whose actual class this is. */
  support: number;
  /** Samples decided as this class. */
  predictedCount: number;
  /** tp / (tp + fn), Wilson interval. */
  sensitivity: Interval;
  /** tn / (tn + fp), Wilson interval. */
  specificity: Interval;
  /** tp / (tp + fp), Wilson interval. */
  ppv: Interval;
  /** tn / (tn + fn), Wilson interval. */
  npv: Interval;
  /** ROC AUC of this class's probability, this class vs the rest, with the patient-bootstrap interval. */
  auc: Interval;
}

/** Everything {@link multiclassMetrics} measures: plain data that `JSON.stringify` writes whole. */
export interface MulticlassMetrics {
  n: number;
  classes: string[];
  confidenceLevel: number;
  /** Rows actual, columns decided, both in the order of `classes`. */
  confusionMatrix: ConfusionMatrix;
  /** Correct decisions / n, Wilson interval. */
  accuracy: Interval;
  /** Mean recall over the classes present (scikit-learn's `balanced_accuracy_score`). */
  balancedAccuracy: number;
  /** Cohen's kappa between actual and decided classes. */
  cohenKappa: number;
  perClass: OneVsRestMetrics[];
  /** Unweighted mean of the one-vs-rest AUCs (scikit-learn's `roc_auc_score(multi_class='ovr', average='macro')`). */
  macroAuc: Interval;
  /** How the AUC intervals were computed. */
  aucBootstrap: {
    iterations: number;
    seed: number;
    method: 'patient (group) percentile bootstrap';
    /** Distinct groups (patients) resampled. */
    groups: number;
    /** Resamples in which a class was absent, so that its AUC (and the macro AUC) was undefined and left out. */
    undefinedResamples: number;
  };
  /** Precision, recall, F1, support per class, and their averages, as scikit-learn's classification report. */
  report: ClassificationReport;
  /** Every undefined value, said in words (e.g. `pneumonia: sensitivity is undefined: no sample labelled 'pneumonia'`). */
  warnings: string[];
}

/**
 * A full N-class evaluation of probabilistic predictions: the N x N confusion matrix, accuracy (Wilson), balanced
 * accuracy, Cohen's kappa, per class one-vs-rest sensitivity, specificity, PPV and NPV (Wilson intervals) and ROC
 * AUC, the macro AUC, and the classification report. AUC intervals come from a seeded percentile bootstrap over
 * patients (`groups`): each resample draws as many patients as there are, with replacement, and takes all their
 * images; a resample missing a class leaves that class's AUC out (counted in `undefinedResamples`). With two classes
 * the one-vs-rest values of the positive class are the binary ones (the bootstrap differs: binary metrics resample
 * images within each class).
 *
 * @example
 * const m = multiclassMetrics({ classes: ['covid', 'pneumonia', 'normal'], labels, probabilities, groups: patientIds });
 * m.perClass[1].auc; // { value, lower, upper }
 */
export function multiclassMetrics(options: MulticlassMetricsOptions): MulticlassMetrics {
  const { source } = options;
  const classes = [...options.classes];
  const index = labelIndex(classes, source);
  const k = classes.length;
  const { labels, probabilities } = options;
  const n = labels.length;
  if (probabilities.length !== n) throw new LengthMismatchError(['labels', 'probabilities'], [n, probabilities.length], { source });
  if (options.groups && options.groups.length !== n) throw new LengthMismatchError(['labels', 'groups'], [n, options.groups.length], { source });
  if (n === 0) throw new EmptyInputError('labels', { source });
  const level = options.confidenceLevel ?? 0.95;
  if (!(level > 0 && level < 1)) throw new InvalidOptionError('confidenceLevel', level, 'strictly between 0 and 1', { source });
  const bootstrapOptions = { ...options.bootstrap, level, source };
  checkBootstrapOptions(bootstrapOptions);

  const actualIdx = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const a = index.get(labels[i]);
    if (a === undefined) throw new UnknownLabelError(String(labels[i]), classes, { source, index: i });
    actualIdx[i] = a;
    const row = probabilities[i];
    if (!Array.isArray(row) || row.length !== k) {
      throw new InvalidOptionError(`probabilities[${i}]`, JSON.stringify(row), `${k} probabilities, one per class (${classes.join(', ')})`, { source });
    }
    for (const p of row) if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new InvalidScoreError(i, p, { source });
  }
  const predicted = options.predicted ? [...options.predicted] : probabilities.map((row) => classes[argmax(row)]);
  if (predicted.length !== n) throw new LengthMismatchError(['labels', 'predicted'], [n, predicted.length], { source });
  const cm = confusionMatrix(labels, predicted, { labels: classes, source });
  const m = cm.matrix;
  const warnings: string[] = [];
  const q = (s: string): string => `'${s}'`;

  // One grouping of each class's scores serves its AUC and every bootstrap resample.
  const perClassGroups: ScoreGroups[] = classes.map((_, c) => {
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) y[i] = actualIdx[i] === c ? 1 : 0;
    return scoreGroups(
      y,
      probabilities.map((row) => row[c]),
    );
  });
  const boot = bootstrapAucs(perClassGroups, actualIdx, options.groups, bootstrapOptions);

  const perClass = classes.map((label, c): OneVsRestMetrics => {
    const tp = m[c][c];
    const support = m[c].reduce((a, b) => a + b, 0);
    const predictedCount = m.reduce((a, row) => a + row[c], 0);
    const fn = support - tp;
    const fp = predictedCount - tp;
    const tn = n - tp - fn - fp;
    if (support === 0) warnings.push(`${label}: sensitivity is undefined: no sample labelled ${q(label)}`);
    if (support === n) warnings.push(`${label}: specificity is undefined: every sample is labelled ${q(label)}`);
    if (predictedCount === 0) warnings.push(`${label}: PPV is undefined: no sample decided ${q(label)}`);
    if (predictedCount === n) warnings.push(`${label}: NPV is undefined: every sample is decided ${q(label)}`);
    if (support === 0 || support === n) warnings.push(`${label}: AUC is undefined: it needs samples of ${q(label)} and of other classes`);
    return {
      label,
      support,
      predictedCount,
      sensitivity: wilsonInterval(tp, tp + fn, level),
      specificity: wilsonInterval(tn, tn + fp, level),
      ppv: wilsonInterval(tp, tp + fp, level),
      npv: wilsonInterval(tn, tn + fn, level),
      auc: boot.perClass[c],
    };
  });
  if (Number.isNaN(boot.macro.value)) warnings.push('macro AUC is undefined: a class has no sample (or every sample is of one class)');
  const kappa = kappaOf(m);
  if (Number.isNaN(kappa)) warnings.push("Cohen's kappa is undefined: actual and decided classes are all one and the same class");
  const correct = m.reduce((a, row, i) => a + row[i], 0);
  return {
    n,
    classes,
    confidenceLevel: level,
    confusionMatrix: cm,
    accuracy: wilsonInterval(correct, n, level),
    balancedAccuracy: balancedAccuracyOf(m),
    cohenKappa: kappa,
    perClass,
    macroAuc: boot.macro,
    aucBootstrap: {
      iterations: boot.iterations,
      seed: boot.seed,
      method: 'patient (group) percentile bootstrap',
      groups: boot.groups,
      undefinedResamples: boot.undefinedResamples,
    },
    report: classificationReport(labels, predicted, { labels: classes, source }),
    warnings,
  };
}

/** Index of the largest value, the first one on ties. */
function argmax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

interface BootstrapAucs {
  perClass: Interval[];
  macro: Interval;
  iterations: number;
  seed: number;
  groups: number;
  undefinedResamples: number;
}

function bootstrapAucs(
  perClassGroups: ScoreGroups[],
  actualIdx: Uint32Array,
  groupsOf: readonly string[] | undefined,
  options: BootstrapOptions & { level: number },
): BootstrapAucs {
  const iterations = options.iterations ?? DEFAULT_BOOTSTRAP_ITERATIONS;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const { level } = options;
  const n = actualIdx.length;
  const k = perClassGroups.length;
  const values = perClassGroups.map((g) => aucFromCounts(g.positives, g.negatives));
  const macroValue = values.reduce((a, b) => a + b, 0) / k;

  // Samples of each group (patient).
  const groupIds = new Map<string, number>();
  const groupOfSample = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const key = groupsOf ? groupsOf[i] : String(i);
    let id = groupIds.get(key);
    if (id === undefined) groupIds.set(key, (id = groupIds.size));
    groupOfSample[i] = id;
  }
  const groups = groupIds.size;
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < n; i++) members[groupOfSample[i]].push(i);

  const rng = createRng(seed);
  const draws = perClassGroups.map(() => [] as number[]);
  const macroDraws: number[] = [];
  let undefinedResamples = 0;
  const pos = perClassGroups.map((g) => new Float64Array(g.scores.length));
  const neg = perClassGroups.map((g) => new Float64Array(g.scores.length));
  for (let b = 0; b < iterations; b++) {
    for (let c = 0; c < k; c++) {
      pos[c].fill(0);
      neg[c].fill(0);
    }
    for (let d = 0; d < groups; d++) {
      for (const i of members[rng.int(groups)]) {
        for (let c = 0; c < k; c++) {
          const g = perClassGroups[c].groupOf[i];
          if (actualIdx[i] === c) pos[c][g]++;
          else neg[c][g]++;
        }
      }
    }
    let sum = 0;
    let defined = true;
    for (let c = 0; c < k; c++) {
      const auc = aucFromCounts(pos[c], neg[c]);
      if (Number.isNaN(auc)) defined = false;
      else draws[c].push(auc);
      sum += auc;
    }
    if (defined) macroDraws.push(sum / k);
    else undefinedResamples++;
  }
  const interval = (value: number, sample: number[]): Interval => {
    if (Number.isNaN(value) || sample.length === 0) return { value, lower: NaN, upper: NaN };
    const sorted = Float64Array.from(sample).sort();
    return { value, lower: quantileSorted(sorted, (1 - level) / 2), upper: quantileSorted(sorted, (1 + level) / 2) };
  };
  return {
    perClass: values.map((v, c) => interval(v, draws[c])),
    macro: interval(macroValue, macroDraws),
    iterations,
    seed,
    groups,
    undefinedResamples,
  };
}
