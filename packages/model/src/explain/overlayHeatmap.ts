import { PredictInputError } from '../errors';
import { jetColormap } from './jetColormap';

/** A grey image: 8-bit (0..255) or float (0..1), one value per pixel, row-major. */
export interface GreyImage {
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  width: number;
  height: number;
}

/** A heatmap in [0, 1], row-major (as {@link GradCamResult}). */
export interface Heatmap {
  heatmap: Float32Array;
  width: number;
  height: number;
}

/** Options of {@link overlayHeatmap}. */
export interface OverlayOptions {
  /** Weight of the colour over the image (default 0.4). */
  alpha?: number;
  colormap?: 'jet';
}

/** RGBA pixels (what a canvas `ImageData` or sharp's raw input takes). */
export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Blends a heatmap, resized bilinearly to the image (pixel centres aligned, as OpenCV `resize` and
 * `tf.image.resizeBilinear(..., halfPixelCenters)`), coloured with matplotlib's jet, over a grey image:
 * `out = (1 - alpha) * grey + alpha * jet(heat)`, opaque. Browser-safe.
 *
 * @example
 * const { data } = overlayHeatmap({ data: grey8, width: 224, height: 224 }, cam);
 * ctx.putImageData(new ImageData(data, 224, 224), 0, 0);
 */
export function overlayHeatmap(image: GreyImage, heatmap: Heatmap, options: OverlayOptions = {}): RgbaImage {
  const alpha = options.alpha ?? 0.4;
  if (!(alpha >= 0 && alpha <= 1)) throw new PredictInputError(`overlay alpha must be in [0, 1], got ${alpha}`);
  const { width, height } = image;
  if (image.data.length !== width * height) {
    throw new PredictInputError(`Grey image has ${image.data.length} values, expected ${width}x${height} = ${width * height}`);
  }
  if (heatmap.heatmap.length !== heatmap.width * heatmap.height) {
    throw new PredictInputError(`Heatmap has ${heatmap.heatmap.length} values, expected ${heatmap.width}x${heatmap.height}`);
  }
  const scale = image.data instanceof Float32Array ? 255 : 1;
  const heat = resizeBilinear(heatmap.heatmap, heatmap.width, heatmap.height, width, height);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const g = image.data[i] * scale;
    const [r, gg, b] = jetColormap(heat[i]);
    out[i * 4] = Math.round((1 - alpha) * g + alpha * 255 * r);
    out[i * 4 + 1] = Math.round((1 - alpha) * g + alpha * 255 * gg);
    out[i * 4 + 2] = Math.round((1 - alpha) * g + alpha * 255 * b);
    out[i * 4 + 3] = 255;
  }
  return { data: out, width, height };
}

/** Bilinear resize of a one-channel map with half-pixel centres (edges clamped). */
export function resizeBilinear(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh);
  const sx = sw / dw;
  const sy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(sh - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(sw - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = fx - x0;
      const top = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
      const bottom = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
      out[y * dw + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}
