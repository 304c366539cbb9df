import { assertPixels, type RawPixels } from './floatImage';

/** A rectangle in fractions of an image's width and height (`x + width <= 1`, `y + height <= 1`). */
export interface FractionRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The pixel rectangle a {@link FractionRect} keeps of a `width x height` image: the left and top edges rounded
 * down, the size rounded to the nearest pixel, clamped to the image, at least 1x1.
 */
export function fractionRectPixels(width: number, height: number, r: FractionRect): { x: number; y: number; width: number; height: number } {
  const x = Math.min(width - 1, Math.floor(width * r.x));
  const y = Math.min(height - 1, Math.floor(height * r.y));
  return {
    x,
    y,
    width: Math.max(1, Math.min(width - x, Math.round(width * r.width))),
    height: Math.max(1, Math.min(height - y, Math.round(height * r.height))),
  };
}

/**
 * Crops pixels (any channel count and sample type, kept) to a fractional rectangle (see {@link fractionRectPixels}).
 *
 * @example
 * cropFraction({ data, width: 10, height: 10, channels: 1 }, { x: 0.1, y: 0.08, width: 0.8, height: 0.8 }); // x 1..8, y 0..7
 */
export function cropFraction<P extends RawPixels>(pixels: P, r: FractionRect): P {
  assertPixels(pixels, 'cropFraction');
  const box = fractionRectPixels(pixels.width, pixels.height, r);
  const c = pixels.channels;
  const Ctor = pixels.data.constructor as new (n: number) => RawPixels['data'];
  const data = new Ctor(box.width * box.height * c);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * pixels.width + box.x) * c;
    data.set(pixels.data.subarray(from, from + box.width * c), y * box.width * c);
  }
  return { data, width: box.width, height: box.height, channels: c } as P;
}
