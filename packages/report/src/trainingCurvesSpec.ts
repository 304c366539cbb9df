import type { TopLevelSpec } from 'vega-lite';
import type { EpochRecord } from './types';
import { NEGATIVE_COLOR, plotConfig, POSITIVE_COLOR } from './plotTheme';

/**
 * Training curves like the notebook's plot: loss and accuracy per epoch, training and validation side by
 * side (validation drawn only for epochs that have it). A widening gap between the two is overfitting.
 */
export function trainingCurvesSpec(epochs: EpochRecord[]): TopLevelSpec {
  const rows: Array<{ epoch: number; metric: string; split: string; value: number }> = [];
  for (const e of epochs) {
    rows.push({ epoch: e.epoch, metric: 'Loss', split: 'training', value: e.loss });
    rows.push({ epoch: e.epoch, metric: 'Accuracy', split: 'training', value: e.accuracy });
    if (typeof e.valLoss === 'number') rows.push({ epoch: e.epoch, metric: 'Loss', split: 'validation', value: e.valLoss });
    if (typeof e.valAccuracy === 'number') {
      rows.push({ epoch: e.epoch, metric: 'Accuracy', split: 'validation', value: e.valAccuracy });
    }
  }
  const panel = (metric: string, yTitle: string) => ({
    width: 300,
    height: 220,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line' as const, point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const, title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: 'value',
        type: 'quantitative' as const,
        title: yTitle,
        ...(metric === 'Accuracy' ? { scale: { domain: [0, 1] } } : { scale: { zero: false } }),
      },
      color: {
        field: 'split',
        type: 'nominal' as const,
        title: null,
        scale: { domain: ['training', 'validation'], range: [NEGATIVE_COLOR, POSITIVE_COLOR] },
      },
      strokeDash: { field: 'split', type: 'nominal' as const, title: null, scale: { domain: ['training', 'validation'], range: [[1, 0], [6, 3]] } },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Training curves', subtitle: 'loss and accuracy per epoch; solid: training, dashed: validation' },
    config: plotConfig,
    data: { values: rows },
    hconcat: [panel('Loss', 'Loss (binary cross-entropy)'), panel('Accuracy', 'Accuracy')],
  };
}
