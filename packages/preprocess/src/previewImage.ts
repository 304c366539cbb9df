import { assertPixels, type FloatImage, type RawPixels } from './floatImage';
import { resizeImage } from './resizeImage';
import { maxValueOf, toGrey, type ToGreyOptions } from './toGrey';

/** Options of {@link previewImage}. */
export interface PreviewOptions extends ToGreyOptions {
  /** Longest side of the preview in pixels; smaller images keep their size. Default 768. */
  maxSide?: number;
}

/**
 * A grey preview of decoded pixels for display (e.g. under a Grad-CAM overlay): one channel in [0, 1] with the
 * same white level as {@link preprocessPixels} (by array type unless `maxValue` is given), the aspect ratio
 * kept, the longest side at most `maxSide`. Browser-safe.
 *
 * @example
 * const view = previewImage({ data: imageData.data, width, height, channels: 4 }, { maxSide: 768 });
 */
export function previewImage(pixels: RawPixels, options: PreviewOptions = {}): FloatImage {
  assertPixels(pixels, 'previewImage');
  const maxSide = options.maxSide ?? 768;
  const scale = Math.min(1, maxSide / Math.max(pixels.width, pixels.height));
  const width = Math.max(1, Math.round(pixels.width * scale));
  const height = Math.max(1, Math.round(pixels.height * scale));
  if (pixels.channels === 1) {
    // integer grey straight into the resampler, scaled by its white level: no full-size float copy
    return resizeImage(pixels, { width, height, mode: 'stretch', valueScale: 1 / maxValueOf(pixels, options) }).image;
  }
  return resizeImage(toGrey(pixels, options), { width, height, mode: 'stretch' }).image;
}
