import { assertPixels, type FloatImage } from './floatImage';

/**
 * Repeats a grey image's single channel `channels` times (HWC), as ImageNet backbones expect 3.
 *
 * @example
 * replicateChannels({ data: new Float32Array([0.1, 0.2]), width: 2, height: 1, channels: 1 }, 3).data;
 * // [0.1, 0.1, 0.1, 0.2, 0.2, 0.2]
 */
export function replicateChannels(image: FloatImage, channels: number): FloatImage {
  assertPixels(image, 'replicateChannels', 1);
  if (channels === 1) return image;
  const n = image.width * image.height;
  const out = new Float32Array(n * channels);
  const src = image.data;
  for (let i = 0, j = 0; i < n; i++) {
    const v = src[i];
    for (let c = 0; c < channels; c++) out[j++] = v;
  }
  return { data: out, width: image.width, height: image.height, channels };
}
