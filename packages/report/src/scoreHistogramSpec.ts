import type { TopLevelSpec } from 'vega-lite';
import type { ScoredImage } from './types';
import { NEGATIVE_COLOR, plotConfig, POSITIVE_COLOR } from './plotTheme';

/**
 * Histograms of the positive-class score, one panel per actual class, with the decision threshold drawn
 * as a dashed line: positives right of it and negatives left of it are correct.
 */
export function scoreHistogramSpec(
  scores: ScoredImage[],
  options: { positiveClass: string; negativeClass: string; threshold: number },
): TopLevelSpec {
  const { positiveClass, negativeClass, threshold } = options;
  const order = [positiveClass, negativeClass, ...new Set(scores.map((s) => s.label))].filter(
    (label, i, all) => all.indexOf(label) === i,
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Score distributions by actual class', subtitle: `dashed line: decision threshold ${threshold}` },
    config: plotConfig,
    data: { values: scores.map((s) => ({ score: s.score, label: s.label })) },
    facet: { row: { field: 'label', type: 'nominal', sort: order, title: 'Actual class', header: { labelFontSize: 12, titleFontSize: 12, labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: 420,
      height: 110,
      layer: [
        {
          mark: { type: 'bar', binSpacing: 1 },
          encoding: {
            x: { field: 'score', type: 'quantitative', bin: { extent: [0, 1], step: 0.05 }, title: `Score (probability of ${positiveClass})`, scale: { domain: [0, 1] } },
            y: { aggregate: 'count', type: 'quantitative', title: 'Images', axis: { tickMinStep: 1, format: 'd' } },
            color: {
              field: 'label',
              type: 'nominal',
              scale: { domain: order, range: [POSITIVE_COLOR, NEGATIVE_COLOR, '#7f7f7f', '#bcbd22'] },
              legend: null,
            },
          },
        },
        {
          mark: { type: 'rule', color: 'black', strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: { x: { datum: threshold, type: 'quantitative' } },
        },
      ],
    },
  };
}
