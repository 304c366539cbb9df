import { assertPixels, type FloatImage, type Rect } from './floatImage';

/** Options of {@link cropBorder}. */
export interface CropBorderOptions {
  /** Intensity distance (in [0, 1]) from a line's dominant level still counted as "the same". Default 0.04. */
  tolerance?: number;
  /** Fraction of a line's pixels that must be at its dominant level for the line to be border. Default 0.95. */
  uniformFraction?: number;
  /** At most this fraction of the width (height) is removed from each side. Default 0.25. */
  maxCropFraction?: number;
}

const BINS = 64;

/**
 * Trims near-uniform borders (black or white frames, scanner margins, strips holding small
 * burned-in annotations) from a grey image.
 *
 * Heuristic: walking in from each edge, a row (column) is border while at least `uniformFraction`
 * of its pixels lie within `tolerance` of the row's dominant level (the fullest bin of a 64-bin
 * histogram). Small text or markers covering less than `1 - uniformFraction` of the line do not
 * stop the trim; anatomy, which varies along the line, does. The first non-uniform line ends the
 * walk, and no side loses more than `maxCropFraction` of the image, so a blank image is never
 * cropped to nothing. Top and bottom are trimmed first, then left and right within them.
 *
 * @returns the cropped image and the kept rectangle in the input's pixel coordinates.
 */
export function cropBorder(image: FloatImage, options: CropBorderOptions = {}): { image: FloatImage; box: Rect } {
  assertPixels(image, 'cropBorder', 1);
  const tolerance = options.tolerance ?? 0.04;
  const uniformFraction = options.uniformFraction ?? 0.95;
  const maxCrop = options.maxCropFraction ?? 0.25;
  const { data, width, height } = image;
  const hist = new Int32Array(BINS);
  const tolBins = Math.max(0, Math.round(tolerance * BINS));

  const isUniform = (start: number, step: number, count: number): boolean => {
    hist.fill(0);
    for (let k = 0, p = start; k < count; k++, p += step) {
      const v = data[p];
      const b = v <= 0 ? 0 : v >= 1 ? BINS - 1 : (v * BINS) | 0;
      hist[b]++;
    }
    let best = 0;
    for (let b = 1; b < BINS; b++) if (hist[b] > hist[best]) best = b;
    let near = 0;
    for (let b = Math.max(0, best - tolBins); b <= Math.min(BINS - 1, best + tolBins); b++) near += hist[b];
    return near >= uniformFraction * count;
  };

  const maxRows = Math.floor(height * maxCrop);
  const maxCols = Math.floor(width * maxCrop);
  let top = 0;
  while (top < maxRows && isUniform(top * width, 1, width)) top++;
  let bottom = 0;
  while (bottom < maxRows && isUniform((height - 1 - bottom) * width, 1, width)) bottom++;
  const h = height - top - bottom;
  let left = 0;
  while (left < maxCols && isUniform(top * width + left, width, h)) left++;
  let right = 0;
  while (right < maxCols && isUniform(top * width + width - 1 - right, width, h)) right++;
  const w = width - left - right;
  const box = { x: left, y: top, width: w, height: h };
  if (w === width && h === height) return { image, box };
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const s = (y + top) * width + left;
    out.set(data.subarray(s, s + w), y * w);
  }
  return { image: { data: out, width: w, height: h, channels: 1 }, box };
}
