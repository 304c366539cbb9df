import type { ResizeMode } from './preprocessSpec';
import { PixelFormatError } from './errors';
import { assertPixels, type FloatImage, type RawPixels, type Rect } from './floatImage';

/** Options of {@link resizeImage}. */
export interface ResizeOptions {
  width: number;
  height: number;
  /** `stretch` (aspect ratio not kept, the notebook), `letterbox` (fit inside, pad), `crop` (fill, centre crop). Default `stretch`. */
  mode?: ResizeMode;
  /** Value of letterbox padding. Default 0 (black). */
  padValue?: number;
  /** Multiplies every input value (e.g. `1 / 255` to read 8-bit pixels as [0, 1]). Default 1. */
  valueScale?: number;
}

/** Where the source went: `source` (in input pixels, maybe fractional) was resampled onto `target` (in output pixels). */
export interface ResizeGeometry {
  mode: ResizeMode;
  source: Rect;
  target: Rect;
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/**
 * Antialiased triangle ("bilinear") resampling weights, as Pillow's BILINEAR filter computes them:
 * the triangle's support is widened by the scale factor when shrinking, taps outside the image
 * are dropped and the rest renormalised.
 */
function taps(srcStart: number, srcLength: number, srcSize: number, dstLength: number): Taps {
  const scale = srcLength / dstLength;
  const fscale = Math.max(scale, 1);
  const support = fscale; // triangle radius 1, widened
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstLength);
  const count = new Int32Array(dstLength);
  const weights = new Float32Array(dstLength * maxTaps);
  for (let i = 0; i < dstLength; i++) {
    const center = srcStart + (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), srcSize);
    let total = 0;
    let k = 0;
    for (let j = lo; j < hi && k < maxTaps; j++, k++) {
      const w = Math.max(0, 1 - Math.abs((j + 0.5 - center) / fscale));
      weights[i * maxTaps + k] = w;
      total += w;
    }
    if (total > 0) for (let m = 0; m < k; m++) weights[i * maxTaps + m] /= total;
    start[i] = lo;
    count[i] = k;
  }
  return { start, count, weights, maxTaps };
}

/** The source and target rectangles of each resize mode. */
export function resizeGeometry(srcWidth: number, srcHeight: number, width: number, height: number, mode: ResizeMode): ResizeGeometry {
  if (mode === 'stretch') {
    return { mode, source: { x: 0, y: 0, width: srcWidth, height: srcHeight }, target: { x: 0, y: 0, width, height } };
  }
  if (mode === 'letterbox') {
    const s = Math.min(width / srcWidth, height / srcHeight);
    const w = Math.max(1, Math.min(width, Math.round(srcWidth * s)));
    const h = Math.max(1, Math.min(height, Math.round(srcHeight * s)));
    return {
      mode,
      source: { x: 0, y: 0, width: srcWidth, height: srcHeight },
      target: { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h },
    };
  }
  if (mode === 'crop') {
    const s = Math.max(width / srcWidth, height / srcHeight);
    const sw = width / s;
    const sh = height / s;
    return {
      mode,
      source: { x: (srcWidth - sw) / 2, y: (srcHeight - sh) / 2, width: sw, height: sh },
      target: { x: 0, y: 0, width, height },
    };
  }
  throw new PixelFormatError(`resizeImage: unknown mode ${JSON.stringify(mode)}`);
}

/** Pixel arrays {@link resizeImage} reads: floats, or 8/16-bit integers scaled by `valueScale`. */
type SourceImage = FloatImage | RawPixels;

/**
 * Resizes an image (any channel count) with an antialiased triangle filter (Pillow's BILINEAR
 * weights), in one of three modes: `stretch` to exactly `width x height`; `letterbox`, fitting
 * the whole image inside and padding the rest (centred) with `padValue`; `crop`, filling the
 * output and cutting the overflow equally from both sides. Integer input (8/16-bit) may be read
 * directly with `valueScale` (e.g. `1 / 255`), which avoids a full-size float copy.
 *
 * @example
 * const { image, geometry } = resizeImage(grey, { width: 224, height: 224, mode: 'letterbox' });
 */
export function resizeImage(image: SourceImage, options: ResizeOptions): { image: FloatImage; geometry: ResizeGeometry } {
  assertPixels(image, 'resizeImage');
  const { width, height } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PixelFormatError(`resizeImage: invalid target size ${width}x${height}`);
  }
  const valueScale = options.valueScale ?? 1;
  const geometry = resizeGeometry(image.width, image.height, width, height, options.mode ?? 'stretch');
  const { source: src, target: dst } = geometry;
  const c = image.channels;
  const out = new Float32Array(width * height * c);
  if (geometry.mode === 'letterbox' && (options.padValue ?? 0) !== 0) out.fill(options.padValue ?? 0);
  const sdata = image.data;
  const sw = image.width;
  if (src.x === 0 && src.y === 0 && src.width === image.width && src.height === image.height && dst.width === image.width && dst.height === image.height) {
    // same size: copy rows into place
    const rowLen = sw * c;
    for (let y = 0; y < dst.height; y++) {
      const o = ((y + dst.y) * width + dst.x) * c;
      for (let x = 0; x < rowLen; x++) out[o + x] = sdata[y * rowLen + x] * valueScale;
    }
    return { image: { data: out, width, height, channels: c }, geometry };
  }
  const hx = taps(src.x, src.width, image.width, dst.width);
  const vy = taps(src.y, src.height, image.height, dst.height);
  // columns of the source that the horizontal pass reads
  let colLo = image.width;
  let colHi = 0;
  for (let i = 0; i < dst.width; i++) {
    colLo = Math.min(colLo, hx.start[i]);
    colHi = Math.max(colHi, hx.start[i] + hx.count[i]);
  }
  const cols = Math.max(0, colHi - colLo);
  const tw = cols * c; // values per tmp row
  const tmp = new Float32Array(dst.height * tw);
  // vertical pass first: contiguous row streams, the cheapest way through a large source
  for (let j = 0; j < dst.height; j++) {
    const cnt = vy.count[j];
    const wo = j * vy.maxTaps;
    const t0 = j * tw;
    const rowStride = sw * c;
    const first = (vy.start[j] * sw + colLo) * c;
    let k = 0;
    // several source rows per sweep: fewer loads and stores of tmp
    for (; k + 7 < cnt; k += 8) {
      const w0 = vy.weights[wo + k] * valueScale;
      const w1 = vy.weights[wo + k + 1] * valueScale;
      const w2 = vy.weights[wo + k + 2] * valueScale;
      const w3 = vy.weights[wo + k + 3] * valueScale;
      const w4 = vy.weights[wo + k + 4] * valueScale;
      const w5 = vy.weights[wo + k + 5] * valueScale;
      const w6 = vy.weights[wo + k + 6] * valueScale;
      const w7 = vy.weights[wo + k + 7] * valueScale;
      const a0 = first + k * rowStride;
      const a1 = a0 + rowStride;
      const a2 = a1 + rowStride;
      const a3 = a2 + rowStride;
      const a4 = a3 + rowStride;
      const a5 = a4 + rowStride;
      const a6 = a5 + rowStride;
      const a7 = a6 + rowStride;
      for (let x = 0; x < tw; x++) {
        tmp[t0 + x] +=
          w0 * sdata[a0 + x] + w1 * sdata[a1 + x] + w2 * sdata[a2 + x] + w3 * sdata[a3 + x] +
          w4 * sdata[a4 + x] + w5 * sdata[a5 + x] + w6 * sdata[a6 + x] + w7 * sdata[a7 + x];
      }
    }
    for (; k + 3 < cnt; k += 4) {
      const w0 = vy.weights[wo + k] * valueScale;
      const w1 = vy.weights[wo + k + 1] * valueScale;
      const w2 = vy.weights[wo + k + 2] * valueScale;
      const w3 = vy.weights[wo + k + 3] * valueScale;
      const a = first + k * rowStride;
      const b = a + rowStride;
      const d = b + rowStride;
      const e = d + rowStride;
      for (let x = 0; x < tw; x++) tmp[t0 + x] += w0 * sdata[a + x] + w1 * sdata[b + x] + w2 * sdata[d + x] + w3 * sdata[e + x];
    }
    for (; k < cnt; k++) {
      const w = vy.weights[wo + k] * valueScale;
      const a = first + k * rowStride;
      for (let x = 0; x < tw; x++) tmp[t0 + x] += w * sdata[a + x];
    }
  }
  // horizontal pass
  for (let j = 0; j < dst.height; j++) {
    const t0 = j * tw;
    const o = ((j + dst.y) * width + dst.x) * c;
    for (let i = 0; i < dst.width; i++) {
      const s = (hx.start[i] - colLo) * c;
      const cnt = hx.count[i];
      const wo = i * hx.maxTaps;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        let p = t0 + s + ch;
        for (let k = 0; k < cnt; k++, p += c) acc += tmp[p] * hx.weights[wo + k];
        out[o + i * c + ch] = acc;
      }
    }
  }
  return { image: { data: out, width, height, channels: c }, geometry };
}
