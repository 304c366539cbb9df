import type { TopLevelSpec } from 'vega-lite';
import { plotConfig, POSITIVE_COLOR } from './plotTheme';
import type { ReliabilityBinLike } from './types';

/**
 * The reliability diagram: per bin of predicted probability, the observed share of positives against the mean
 * prediction (dots sized by the number of images), with the diagonal of perfect calibration dashed.
 */
export function reliabilityDiagramSpec(bins: ReliabilityBinLike[], options: { positiveClass: string; ece: number }): TopLevelSpec {
  const values = bins.filter((b) => b.count > 0 && b.meanPredicted !== null && b.observedRate !== null).map((b) => ({ predicted: b.meanPredicted, observed: b.observedRate, count: b.count }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Reliability diagram', subtitle: `expected calibration error ${options.ece.toFixed(3)}; dashed: perfect calibration` },
    config: plotConfig,
    width: 360,
    height: 360,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', color: '#999999', strokeDash: [6, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line', point: true, color: POSITIVE_COLOR },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: `Mean predicted probability of ${options.positiveClass}`, scale: { domain: [0, 1] } },
          y: { field: 'observed', type: 'quantitative', title: `Observed share of ${options.positiveClass}`, scale: { domain: [0, 1] } },
          size: { field: 'count', type: 'quantitative', title: 'Images' },
        },
      },
    ],
  };
}
