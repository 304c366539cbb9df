import { PixelFormatError } from './errors';
import { assertPixels, type FloatImage } from './floatImage';

/**
 * A 2x3 matrix `[a, b, c, d, e, f]` mapping OUTPUT pixel coordinates (x, y) to the INPUT position
 * sampled there: `xIn = a*x + b*y + c`, `yIn = d*x + e*y + f` (pixel centres at integers, y down).
 */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/** Options of {@link affineTransform}. */
export interface AffineOptions {
  /** `bilinear` (Keras/scipy order 1, the default) or `nearest`. */
  interpolation?: 'bilinear' | 'nearest';
  /** Outside the input: `nearest` repeats the edge pixel (Keras `fill_mode='nearest'`, default); `constant` uses `cval`. */
  fill?: 'nearest' | 'constant';
  cval?: number;
}

/**
 * Resamples an image (any channel count) through an affine map given as output -> input, as
 * scipy's `affine_transform` used by Keras' ImageDataGenerator.
 */
export function affineTransform(image: FloatImage, matrix: AffineMatrix, options: AffineOptions = {}): FloatImage {
  assertPixels(image, 'affineTransform');
  if (matrix.length !== 6 || matrix.some((v) => !Number.isFinite(v))) {
    throw new PixelFormatError(`affineTransform: matrix must be 6 finite numbers, got ${JSON.stringify(matrix)}`);
  }
  const { data, width: w, height: h, channels: c } = image;
  const [a, b, cx, d, e, fy] = matrix;
  const nearestInterp = options.interpolation === 'nearest';
  const constant = options.fill === 'constant';
  const cval = options.cval ?? 0;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sx = a * x + b * y + cx;
      let sy = d * x + e * y + fy;
      const o = (y * w + x) * c;
      // tolerate floating error so exact rotations land on pixels
      const rx = Math.round(sx);
      const ry = Math.round(sy);
      if (Math.abs(sx - rx) < 1e-9) sx = rx;
      if (Math.abs(sy - ry) < 1e-9) sy = ry;
      if (constant && (sx < -0.5 || sy < -0.5 || sx > w - 0.5 || sy > h - 0.5)) {
        for (let ch = 0; ch < c; ch++) out[o + ch] = cval;
        continue;
      }
      sx = Math.min(Math.max(sx, 0), w - 1);
      sy = Math.min(Math.max(sy, 0), h - 1);
      if (nearestInterp) {
        const p = (Math.round(sy) * w + Math.round(sx)) * c;
        for (let ch = 0; ch < c; ch++) out[o + ch] = data[p + ch];
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, w - 1);
      const y1 = Math.min(y0 + 1, h - 1);
      const fx = sx - x0;
      const fyy = sy - y0;
      const p00 = (y0 * w + x0) * c;
      const p01 = (y0 * w + x1) * c;
      const p10 = (y1 * w + x0) * c;
      const p11 = (y1 * w + x1) * c;
      for (let ch = 0; ch < c; ch++) {
        const top = data[p00 + ch] * (1 - fx) + data[p01 + ch] * fx;
        const bot = data[p10 + ch] * (1 - fx) + data[p11 + ch] * fx;
        out[o + ch] = top * (1 - fyy) + bot * fyy;
      }
    }
  }
  return { data: out, width: w, height: h, channels: c };
}

/**
 * The output -> input matrix of: zoom by `zoom` (> 1 magnifies) and rotate by `degrees`
 * counter-clockwise as displayed, both about the image centre `((w-1)/2, (h-1)/2)`, then shift
 * the content by (`shiftX`, `shiftY`) pixels (positive: right, down); `flip` mirrors left-right first.
 */
export function affineMatrix(
  width: number,
  height: number,
  t: { degrees?: number; zoom?: number; shiftX?: number; shiftY?: number; flip?: boolean },
): AffineMatrix {
  const th = ((t.degrees ?? 0) * Math.PI) / 180;
  const cos = Math.cos(th);
  const sin = Math.sin(th);
  const z = t.zoom ?? 1;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const fl = t.flip ? -1 : 1;
  // in = C + F * R^-1 * (out - C - s) / z, with R^-1 = [[cos, -sin], [sin, cos]] for y down
  const a = (fl * cos) / z;
  const b = (fl * -sin) / z;
  const d = sin / z;
  const e = cos / z;
  const ux = -cx - (t.shiftX ?? 0);
  const uy = -cy - (t.shiftY ?? 0);
  return [a, b, cx + a * ux + b * uy, d, e, cy + d * ux + e * uy];
}

/**
 * Rotates an image by `degrees` counter-clockwise (as displayed) about its centre, with bilinear
 * interpolation and the edge repeated where the rotated image leaves gaps (Keras `fill_mode='nearest'`).
 */
export function rotateImage(image: FloatImage, degrees: number, options: AffineOptions = {}): FloatImage {
  return affineTransform(image, affineMatrix(image.width, image.height, { degrees }), options);
}
