import { PixelFormatError } from './errors';
import type { NormalizationPreset } from './preprocessSpec';

/** ImageNet channel means on the 0-255 scale, in BGR order (Keras `preprocess_input`, mode 'caffe'). */
export const IMAGENET_CAFFE_MEANS_BGR: readonly [number, number, number] = Object.freeze([103.939, 116.779, 123.68]) as readonly [number, number, number];

/**
 * Normalises interleaved (HWC) intensities in [0, 1] for a backbone family:
 * - `unit`: unchanged, [0, 1];
 * - `mobilenet`: `2x - 1`, [-1, 1];
 * - `vgg16-caffe`: 3 channels only; RGB becomes BGR and each channel is `255x - mean` with the
 *   ImageNet means [103.939, 116.779, 123.68] (BGR), as Keras `preprocess_input(mode='caffe')`.
 *
 * Returns a new array unless `out` is given (it may be `data` itself for in-place work).
 *
 * @example
 * normalizeIntensity(new Float32Array([0.5, 0.5, 0.5]), 3, 'vgg16-caffe'); // [23.561, 10.721, 3.82]
 */
export function normalizeIntensity(
  data: Float32Array,
  channels: number,
  preset: NormalizationPreset,
  out: Float32Array = new Float32Array(data.length),
): Float32Array {
  if (out.length !== data.length) throw new PixelFormatError(`normalizeIntensity: out has ${out.length} values, data ${data.length}`);
  if (data.length % channels !== 0) throw new PixelFormatError(`normalizeIntensity: ${data.length} values is not a multiple of ${channels} channels`);
  const n = data.length;
  if (preset === 'unit') {
    if (out !== data) out.set(data);
  } else if (preset === 'mobilenet') {
    for (let i = 0; i < n; i++) out[i] = data[i] * 2 - 1;
  } else if (preset === 'vgg16-caffe') {
    if (channels !== 3) throw new PixelFormatError(`normalizeIntensity: vgg16-caffe needs 3 channels, got ${channels}`);
    const [mb, mg, mr] = IMAGENET_CAFFE_MEANS_BGR;
    for (let i = 0; i < n; i += 3) {
      const r = data[i];
      const g = data[i + 1];
      const b = data[i + 2];
      out[i] = b * 255 - mb;
      out[i + 1] = g * 255 - mg;
      out[i + 2] = r * 255 - mr;
    }
  } else {
    throw new PixelFormatError(`normalizeIntensity: unknown preset ${JSON.stringify(preset)}`);
  }
  return out;
}
