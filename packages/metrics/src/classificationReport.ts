import { confusionMatrix, type LabelOptions } from './confusionMatrix';

/** Precision, recall, F1 and support of one class (or an average of classes). */
export interface ClassScores {
  precision: number;
  recall: number;
  f1Score: number;
  /** Number of samples whose actual class this is (for averages: all samples). */
  support: number;
}

/** Per-class scores and their averages, as scikit-learn's `classification_report(..., output_dict=True)`. */
export interface ClassificationReport {
  /** One entry per declared label, in the declared order. */
  classes: Array<ClassScores & { label: string }>;
  /** Fraction of samples whose predicted class is the actual class. */
  accuracy: number;
  /** Unweighted mean over classes. */
  macroAvg: ClassScores;
  /** Mean over classes weighted by support. */
  weightedAvg: ClassScores;
}

/**
 * Per-class precision, recall, F1 and support, accuracy, and macro and support-weighted averages. A class never
 * predicted has precision 0/0 and a class absent from `actual` recall 0/0: those are `NaN` (`null` in JSON;
 * scikit-learn's `zero_division=np.nan`), and averages skip them as scikit-learn does.
 * F1 is `2tp / (2tp + fp + fn)`, so it is 0 (not undefined) when precision is undefined but recall is 0.
 *
 * @example
 * classificationReport(['0', '1', '2', '2', '2'], ['0', '0', '2', '2', '1'], { labels: ['0', '1', '2'] }).accuracy; // 0.6
 */
export function classificationReport(
  actual: readonly string[],
  predicted: readonly string[],
  options: LabelOptions,
): ClassificationReport {
  const { labels, matrix } = confusionMatrix(actual, predicted, options);
  const total = actual.length;
  let correct = 0;
  const classes = labels.map((label, i) => {
    const tp = matrix[i][i];
    correct += tp;
    const support = matrix[i].reduce((a, b) => a + b, 0);
    const predictedCount = matrix.reduce((a, row) => a + row[i], 0);
    const denominatorF1 = support + predictedCount;
    return {
      label,
      precision: tp / predictedCount,
      recall: tp / support,
      f1Score: denominatorF1 === 0 ? NaN : (2 * tp) / denominatorF1,
      support,
    };
  });
  const average = (key: 'precision' | 'recall' | 'f1Score', weighted: boolean): number => {
    let sum = 0;
    let weights = 0;
    for (const c of classes) {
      if (Number.isNaN(c[key])) continue;
      const w = weighted ? c.support : 1;
      sum += w * c[key];
      weights += w;
    }
    return weights === 0 ? NaN : sum / weights;
  };
  const averages = (weighted: boolean): ClassScores => ({
    precision: average('precision', weighted),
    recall: average('recall', weighted),
    f1Score: average('f1Score', weighted),
    support: total,
  });
  return { classes, accuracy: correct / total, macroAvg: averages(false), weightedAvg: averages(true) };
}
