import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';

type VegaModules = { vega: typeof import('vega'); vegaLite: typeof import('vega-lite') };

let modules: Promise<VegaModules> | undefined;

/**
 * vega and vega-lite are ESM-only; load them once, on first use, so the CLI starts fast. One after the
 * other: they share dependencies, and Jest's ESM loader fails on concurrent imports of the same module.
 */
function loadVega(): Promise<VegaModules> {
  modules ??= (async () => {
    const vega = await import('vega');
    const vegaLite = await import('vega-lite');
    return { vega, vegaLite };
  })();
  return modules;
}

/**
 * Renders a vega-lite spec to SVG text headless (no browser, no canvas: vega's `renderer: 'none'` view
 * with its SVG string renderer).
 *
 * @example
 * const svg = await renderVegaLiteSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises SVG text to PNG with sharp (librsvg; text uses the system fonts found by fontconfig).
 * `scale` 2 gives crisp images on high-density screens.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png({ compressionLevel: 9 }).toBuffer();
}
