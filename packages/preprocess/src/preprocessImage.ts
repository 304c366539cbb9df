import { decodeImage, type DecodeMeta, type DecodeOptions } from './decodeImage';
import { fitToSpec, toModelInput, type FitInfo } from './preprocessPixels';
import type { PreprocessSpec } from './preprocessSpec';
import type { FloatImage } from './floatImage';
import { resizeGeometry } from './resizeImage';
import { maxValueOf } from './toGrey';

/** Provenance of one preprocessed image: the decode, the crop and the resize. */
export interface PreprocessMeta extends DecodeMeta, FitInfo {
  /** Which resampler produced the image (see {@link PreprocessImageOptions.resampler}). */
  resampler: 'exact' | 'libvips';
}

/** Options of {@link preprocessImage}. */
export interface PreprocessImageOptions extends DecodeOptions {
  /**
   * `exact` (default): sharp decodes at full size and this package's resampler does the rest,
   * bit-identical to the browser's `preprocessPixels` on the same decoded image.
   * `libvips`: sharp decodes AND resizes (JPEG shrink-on-load, libvips kernels), 2-4x faster
   * on large JPEGs but not identical to the browser path (see the benchmark for the measured
   * difference). Only used when the spec has no `lungCrop`, no `cropBorder` and no `clahe`; otherwise `exact`.
   */
  resampler?: 'exact' | 'libvips';
}

/**
 * Decodes an image file or buffer with sharp and fits it to the spec's grey `height x width`
 * (crop, CLAHE, resize), before replication and normalisation. Used by `batches` to augment.
 */
export async function preprocessGreyImage(
  input: string | Uint8Array,
  spec: PreprocessSpec,
  options: PreprocessImageOptions = {},
): Promise<{ image: FloatImage; meta: PreprocessMeta }> {
  if (options.resampler === 'libvips' && !spec.lungCrop && !spec.cropBorder && !spec.clahe) {
    const { pixels, meta } = await decodeImage(input, { ...options, resize: { width: spec.width, height: spec.height, mode: spec.resizeMode } });
    const scale = 1 / maxValueOf(pixels, {});
    const data = new Float32Array(pixels.width * pixels.height);
    for (let i = 0; i < data.length; i++) data[i] = pixels.data[i] * scale;
    const resize = resizeGeometry(meta.width, meta.height, spec.width, spec.height, spec.resizeMode);
    return {
      image: { data, width: pixels.width, height: pixels.height, channels: 1 },
      meta: { ...meta, crop: { x: 0, y: 0, width: meta.width, height: meta.height }, resize, resampler: 'libvips' },
    };
  }
  const { pixels, meta } = await decodeImage(input, options);
  const { image, info } = fitToSpec(pixels, spec);
  return { image, meta: { ...meta, ...info, resampler: 'exact' } };
}

/**
 * Node preprocessing of an image file (path) or encoded bytes: sharp decodes to grey (EXIF
 * rotation applied, 8 or 16 bits kept), then the same code as the browser's `preprocessPixels`
 * crops, equalises, resizes and normalises, so both give identical numbers for the same decoded image.
 *
 * @returns `data`: `spec.height x spec.width x spec.channels` floats (HWC), normalised; `meta`: provenance.
 * @throws {ImageDecodeError} / {ImageTooLargeError} naming the file
 * @example
 * const { data, meta } = await preprocessImage('images/nih/00000013_005.png', DEFAULT_PREPROCESS_SPEC);
 */
export async function preprocessImage(
  input: string | Uint8Array,
  spec: PreprocessSpec,
  options: PreprocessImageOptions = {},
): Promise<{ data: Float32Array; meta: PreprocessMeta }> {
  const { image, meta } = await preprocessGreyImage(input, spec, options);
  return { data: toModelInput(image, spec), meta };
}
