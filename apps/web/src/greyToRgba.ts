import type { GreyImage } from '@cxr/model';

/** A grey image (0..1 floats or 0..255) as opaque RGBA, rounded as `overlayHeatmap` rounds. */
export function greyToRgba(image: GreyImage): { data: Uint8ClampedArray; width: number; height: number } {
  const { data, width, height } = image;
  const scale = data instanceof Float32Array ? 255 : 1;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    const g = Math.round(data[i] * scale);
    out[j] = g;
    out[j + 1] = g;
    out[j + 2] = g;
    out[j + 3] = 255;
  }
  return { data: out, width, height };
}
