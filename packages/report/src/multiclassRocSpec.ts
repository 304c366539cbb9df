import type { TopLevelSpec } from 'vega-lite';
import { decimal } from './metricGlossary';
import { plotConfig } from './plotTheme';
import { ROC_AXES, ROC_CHANCE_LAYER } from './rocCurveSpec';

/** One class's one-vs-rest ROC curve (`rocCurve` of `@cxr/metrics` with that class positive, every other negative). */
export interface OneVsRestCurve {
  label: string;
  /** The class's one-vs-rest AUC (as the per-class table gives it), or null when undefined. */
  auc: number | null;
  fpr: number[];
  tpr: number[];
}

/**
 * The one-vs-rest ROC curves of an N-class evaluation in one plot: a line per class (its AUC in the legend) and the
 * chance diagonal, as the binary report's `rocCurveSpec` draws one curve.
 */
export function multiclassRocSpec(curves: readonly OneVsRestCurve[]): TopLevelSpec {
  const name = (c: OneVsRestCurve): string => `${c.label} (AUC ${decimal(c.auc)})`;
  // Drawn from (0, 0) to (1, 1) whatever order the curve comes in; ties in fpr climb in tpr.
  const points = curves.flatMap((c) =>
    c.fpr
      .map((fpr, k) => ({ fpr, tpr: c.tpr[k] }))
      .filter((p) => Number.isFinite(p.fpr) && Number.isFinite(p.tpr))
      .sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr)
      .map((p, i) => ({ curve: name(c), i, ...p })),
  );
  const { x, y } = ROC_AXES;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'ROC curves, one vs rest', subtitle: 'each class against all the others' },
    width: 320,
    height: 320,
    config: plotConfig,
    layer: [
      ROC_CHANCE_LAYER,
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear', opacity: 0.85 },
        encoding: {
          x,
          y,
          // Colour and dash both: curves often share stretches (a step of one class's images is another's).
          color: { field: 'curve', type: 'nominal', title: 'class', sort: curves.map(name), scale: { scheme: 'category10' }, legend: { labelLimit: 0 } },
          strokeDash: { field: 'curve', type: 'nominal', title: 'class', sort: curves.map(name), legend: { labelLimit: 0 } },
          order: { field: 'i', type: 'quantitative' },
        },
      },
    ],
  };
}
