import type { Config } from 'vega-lite';

/** Colour of the positive class (e.g. covid) in every plot. */
export const POSITIVE_COLOR = '#c0392b';
/** Colour of the negative class (e.g. normal) in every plot. */
export const NEGATIVE_COLOR = '#2e6da4';

/** Shared look of the report's plots: white background, readable sizes, no external fonts. */
export const plotConfig: Config = {
  background: 'white',
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 14, subtitleFontSize: 12, subtitleColor: '#444444', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: '#cccccc' },
};
