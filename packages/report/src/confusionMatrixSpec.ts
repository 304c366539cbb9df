import type { TopLevelSpec } from 'vega-lite';
import type { ConfusionMatrixLike } from './types';
import { plotConfig } from './plotTheme';

/**
 * The confusion matrix as a heatmap: rows the actual class, columns the predicted class, each cell with its
 * count and the share of its row (so the diagonal reads as per-class recall).
 */
export function confusionMatrixSpec(cm: ConfusionMatrixLike): TopLevelSpec {
  const max = Math.max(1, ...cm.matrix.flat());
  const cells = cm.labels.flatMap((actual, r) => {
    const rowTotal = cm.matrix[r].reduce((a, b) => a + b, 0);
    return cm.labels.map((predicted, c) => {
      const count = cm.matrix[r][c];
      const share = rowTotal > 0 ? ` (${Math.round((100 * count) / rowTotal)}%)` : '';
      return { actual, predicted, count, text: `${count}${share}`, dark: count > max / 2 };
    });
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Confusion matrix', subtitle: 'rows: actual class, columns: predicted' },
    width: 240,
    height: 240,
    config: { ...plotConfig, axis: { ...plotConfig.axis, grid: false } },
    data: { values: cells },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: cm.labels, title: 'Predicted', axis: { orient: 'top', labelAngle: 0 } },
      y: { field: 'actual', type: 'nominal', sort: cm.labels, title: 'Actual' },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues', domain: [0, max] }, legend: null },
        },
      },
      {
        mark: { type: 'text', fontSize: 16, fontWeight: 'bold' },
        encoding: {
          text: { field: 'text', type: 'nominal' },
          color: { condition: { test: 'datum.dark', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}
