import type { TopLevelSpec } from 'vega-lite';
import type { BinaryMetricsLike } from './types';
import { decimal } from './metricGlossary';
import { plotConfig, POSITIVE_COLOR } from './plotTheme';

const axis = (title: string) => ({ type: 'quantitative' as const, scale: { domain: [0, 1] }, title });
/** The x (false positive rate) and y (true positive rate) encodings of every ROC plot, both on [0, 1]. */
export const ROC_AXES = { x: { field: 'fpr', ...axis('False positive rate (1 - specificity)') }, y: { field: 'tpr', ...axis('True positive rate (sensitivity)') } };
/** The chance diagonal every ROC plot draws under its curves. */
export const ROC_CHANCE_LAYER = {
  data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
  mark: { type: 'line' as const, color: '#999999', strokeDash: [5, 5], strokeWidth: 1 },
  encoding: ROC_AXES,
};

/**
 * The ROC curve (true positive rate = sensitivity against false positive rate = 1 - specificity) with the
 * chance diagonal, the operating point at the model's threshold, and the AUC with its 95% CI in the title.
 * Call only when `metrics.auc` is not null (both classes present).
 */
export function rocCurveSpec(metrics: BinaryMetricsLike): TopLevelSpec {
  const auc = metrics.auc;
  const title = {
    text: 'ROC curve',
    subtitle: auc ? `AUC ${decimal(auc.value)} (95% CI ${decimal(auc.lower)}-${decimal(auc.upper)})` : 'AUC undefined',
  };
  // Drawn from (0, 0) to (1, 1) whatever order the curve comes in; ties in fpr climb in tpr.
  const points = metrics.roc.fpr
    .map((fpr, k) => ({ fpr, tpr: metrics.roc.tpr[k] }))
    .filter((p) => Number.isFinite(p.fpr) && Number.isFinite(p.tpr))
    .sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr)
    .map((p, i) => ({ i, ...p }));
  const sens = metrics.sensitivity.value;
  const spec = metrics.specificity.value;
  const operating =
    Number.isFinite(sens) && Number.isFinite(spec) && sens !== null && spec !== null
      ? [{ fpr: 1 - spec, tpr: sens, what: `threshold ${decimal(metrics.threshold, 2)}` }]
      : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 320,
    height: 320,
    config: plotConfig,
    layer: [
      ROC_CHANCE_LAYER,
      {
        data: { values: points },
        mark: { type: 'line', color: POSITIVE_COLOR, strokeWidth: 2, interpolate: 'linear' },
        encoding: { ...ROC_AXES, order: { field: 'i', type: 'quantitative' } },
      },
      {
        data: { values: operating },
        mark: { type: 'point', filled: true, size: 80, color: 'black' },
        encoding: { ...ROC_AXES, tooltip: { field: 'what' } },
      },
    ],
  };
}
