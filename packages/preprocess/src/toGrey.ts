import { assertPixels, type FloatImage, type RawPixels } from './floatImage';

function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}
function linearToSrgb(v: number): number {
  return v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}
let LUT8: Float32Array | null = null;
function lut8(): Float32Array {
  if (!LUT8) {
    LUT8 = new Float32Array(256);
    for (let i = 0; i < 256; i++) LUT8[i] = srgbToLinear(i / 255);
  }
  return LUT8;
}

/** Options of {@link toGrey}. */
export interface ToGreyOptions {
  /** The value that means white: default 255 for 8-bit arrays, 65535 for Uint16Array, 1 for Float32Array. */
  maxValue?: number;
}

/** The value that means white for these pixels: `options.maxValue`, else by array type (see {@link ToGreyOptions}). @internal */
export function maxValueOf(pixels: RawPixels, options: ToGreyOptions): number {
  return options.maxValue ?? (pixels.data instanceof Uint16Array ? 65535 : pixels.data instanceof Float32Array ? 1 : 255);
}

/**
 * Converts raw grey, grey+alpha, RGB or RGBA pixels to one grey channel in [0, 1].
 * Pixels with R = G = B (every X-ray saved as RGB) keep their value exactly. Colour pixels get
 * the Rec. 709 luminance computed in linear light and re-encoded with the sRGB curve, as libvips
 * (sharp's `greyscale()`) does. Alpha is ignored (as sharp's `removeAlpha()`).
 *
 * @example
 * toGrey({ data: new Uint8Array([255, 0, 0]), width: 1, height: 1, channels: 3 }).data[0]; // 0.4985
 */
export function toGrey(pixels: RawPixels, options: ToGreyOptions = {}): FloatImage {
  assertPixels(pixels, 'toGrey');
  const { data, width, height, channels } = pixels;
  const maxValue = maxValueOf(pixels, options);
  const n = width * height;
  const out = new Float32Array(n);
  const inv = 1 / maxValue;
  if (channels <= 2) {
    for (let i = 0, j = 0; i < n; i++, j += channels) out[i] = data[j] * inv;
    return { data: out, width, height, channels: 1 };
  }
  const is8 = maxValue === 255 && !(data instanceof Float32Array);
  const lut = is8 ? lut8() : null;
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    const r = data[j];
    const g = data[j + 1];
    const b = data[j + 2];
    if (r === g && g === b) {
      out[i] = r * inv;
    } else if (lut) {
      out[i] = linearToSrgb(0.2126 * lut[r] + 0.7152 * lut[g] + 0.0722 * lut[b]);
    } else {
      out[i] = linearToSrgb(
        0.2126 * srgbToLinear(r * inv) + 0.7152 * srgbToLinear(g * inv) + 0.0722 * srgbToLinear(b * inv),
      );
    }
  }
  return { data: out, width, height, channels: 1 };
}
