import { PixelFormatError } from './errors';
import { assertPixels, type FloatImage } from './floatImage';

/** Options of {@link claheEqualize}. */
export interface ClaheOptions {
  /** Tiles per side (the image is cut into `tileGridSize x tileGridSize` tiles). Default 8. */
  tileGridSize?: number;
  /**
   * Contrast limit, relative to a flat histogram as in OpenCV: a bin of a tile may hold at most
   * `max(1, trunc(clipLimit * tilePixels / bins))` pixels, the excess being spread over all bins.
   * 1 gives (nearly) no change; large values approach plain adaptive equalisation. Default 2.
   */
  clipLimit?: number;
  /** Histogram bins over [0, 1]. Default 256 (one per 8-bit level). */
  bins?: number;
}

/**
 * Clips one tile histogram and turns it into a look-up table of output levels in [0, 1], following
 * OpenCV's CLAHE: excess counts above the clip are spread evenly over all bins (the remainder
 * one by one at a regular step), then `lut[i] = cdf[i] / tilePixels`.
 */
export function claheTileLut(hist: Int32Array, tilePixels: number, clipLimit: number): Float32Array {
  const bins = hist.length;
  const h = Int32Array.from(hist);
  const clip = Math.max(1, Math.trunc((clipLimit * tilePixels) / bins));
  let clipped = 0;
  for (let i = 0; i < bins; i++) {
    if (h[i] > clip) {
      clipped += h[i] - clip;
      h[i] = clip;
    }
  }
  const batch = Math.trunc(clipped / bins);
  let residual = clipped - batch * bins;
  for (let i = 0; i < bins; i++) h[i] += batch;
  if (residual > 0) {
    const step = Math.max(Math.trunc(bins / residual), 1);
    for (let i = 0; i < bins && residual > 0; i += step, residual--) h[i]++;
  }
  const lut = new Float32Array(bins);
  let sum = 0;
  for (let i = 0; i < bins; i++) {
    sum += h[i];
    lut[i] = sum / tilePixels;
  }
  return lut;
}

/**
 * Contrast-limited adaptive histogram equalisation (CLAHE, Zuiderveld 1994) of a grey image in
 * [0, 1], with OpenCV's conventions: per-tile clipped histograms, and each pixel mapped by bilinear
 * interpolation between the look-up tables of the four nearest tile centres (edges clamp).
 * Tiles are `floor(k * size / tileGridSize)` bounded, so sizes need not divide evenly.
 *
 * @example
 * const sharper = claheEqualize(grey, { tileGridSize: 8, clipLimit: 2 });
 */
export function claheEqualize(image: FloatImage, options: ClaheOptions = {}): FloatImage {
  assertPixels(image, 'claheEqualize', 1);
  const grid = options.tileGridSize ?? 8;
  const clipLimit = options.clipLimit ?? 2;
  const bins = options.bins ?? 256;
  const { data, width, height } = image;
  if (!Number.isInteger(grid) || grid < 1 || grid > Math.min(width, height)) {
    throw new PixelFormatError(`claheEqualize: tileGridSize ${grid} must be an integer in [1, ${Math.min(width, height)}] for a ${width}x${height} image`);
  }
  if (!(clipLimit >= 1)) throw new PixelFormatError(`claheEqualize: clipLimit ${clipLimit} must be >= 1`);
  const n = width * height;
  const binOf = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const v = data[i];
    binOf[i] = v <= 0 ? 0 : v >= 1 ? bins - 1 : Math.min(bins - 1, (v * bins) | 0);
  }
  const xs = Array.from({ length: grid + 1 }, (_, k) => Math.floor((k * width) / grid));
  const ys = Array.from({ length: grid + 1 }, (_, k) => Math.floor((k * height) / grid));
  const luts = new Float32Array(grid * grid * bins); // tile t's table at t * bins
  const hist = new Int32Array(bins);
  for (let ty = 0; ty < grid; ty++) {
    for (let tx = 0; tx < grid; tx++) {
      hist.fill(0);
      for (let y = ys[ty]; y < ys[ty + 1]; y++) {
        const row = y * width;
        for (let x = xs[tx]; x < xs[tx + 1]; x++) hist[binOf[row + x]]++;
      }
      luts.set(claheTileLut(hist, (ys[ty + 1] - ys[ty]) * (xs[tx + 1] - xs[tx]), clipLimit), (ty * grid + tx) * bins);
    }
  }
  // Per-column interpolation indices and weights (OpenCV: txf = x / tileWidth - 0.5).
  const tileW = width / grid;
  const tileH = height / grid;
  const tx1 = new Int32Array(width);
  const tx2 = new Int32Array(width);
  const xa = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const f = x / tileW - 0.5;
    const t = Math.floor(f);
    xa[x] = f - t;
    tx1[x] = Math.max(t, 0) * bins;
    tx2[x] = Math.min(t + 1, grid - 1) * bins;
  }
  const out = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    const f = y / tileH - 0.5;
    const t = Math.floor(f);
    const ya = f - t;
    const ty1 = Math.max(t, 0) * grid * bins;
    const ty2 = Math.min(t + 1, grid - 1) * grid * bins;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const b = binOf[row + x];
      const a = xa[x];
      const top = luts[ty1 + tx1[x] + b] * (1 - a) + luts[ty1 + tx2[x] + b] * a;
      const bot = luts[ty2 + tx1[x] + b] * (1 - a) + luts[ty2 + tx2[x] + b] * a;
      out[row + x] = top * (1 - ya) + bot * ya;
    }
  }
  return { data: out, width, height, channels: 1 };
}
