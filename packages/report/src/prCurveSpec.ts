import type { TopLevelSpec } from 'vega-lite';
import type { BinaryMetricsLike } from './types';
import { decimal } from './metricGlossary';
import { plotConfig, POSITIVE_COLOR } from './plotTheme';

/**
 * The precision-recall curve of the positive class, with the no-skill baseline (precision = prevalence),
 * the operating point at the model's threshold and the average precision in the title.
 * Call only when both classes are present.
 */
export function prCurveSpec(metrics: BinaryMetricsLike): TopLevelSpec {
  // Increasing recall, and at equal recall decreasing precision (as the threshold falls), so that the
  // 'step-before' line holds each point's precision over the recall interval it ends: the area under it is the
  // step-wise average precision. Works for scikit-learn's layout (recall decreasing) and the reverse.
  const points = metrics.pr.recall
    .map((recall, k) => ({ recall, precision: metrics.pr.precision[k] }))
    .filter((p) => Number.isFinite(p.recall) && Number.isFinite(p.precision))
    .sort((a, b) => a.recall - b.recall || b.precision - a.precision)
    .map((p, i) => ({ i, ...p }));
  const prevalence = Number.isFinite(metrics.prevalence.value) ? (metrics.prevalence.value as number) : 0;
  const sens = metrics.sensitivity.value;
  const prec = metrics.precision.value;
  const operating =
    Number.isFinite(sens) && Number.isFinite(prec) && sens !== null && prec !== null ? [{ recall: sens, precision: prec }] : [];
  const x = { field: 'recall', type: 'quantitative' as const, scale: { domain: [0, 1] }, title: 'Recall (sensitivity)' };
  const y = { field: 'precision', type: 'quantitative' as const, scale: { domain: [0, 1] }, title: 'Precision (PPV)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Precision-recall curve',
      subtitle: `average precision ${decimal(metrics.averagePrecision)}; no-skill baseline ${decimal(prevalence)}`,
    },
    width: 320,
    height: 320,
    config: plotConfig,
    layer: [
      {
        data: { values: [{ recall: 0, precision: prevalence }, { recall: 1, precision: prevalence }] },
        mark: { type: 'line', color: '#999999', strokeDash: [5, 5], strokeWidth: 1 },
        encoding: { x, y },
      },
      {
        data: { values: points },
        mark: { type: 'line', color: POSITIVE_COLOR, strokeWidth: 2, interpolate: 'step-before' },
        encoding: { x, y, order: { field: 'i', type: 'quantitative' } },
      },
      {
        data: { values: operating },
        mark: { type: 'point', filled: true, size: 80, color: 'black' },
        encoding: { x, y },
      },
    ],
  };
}
