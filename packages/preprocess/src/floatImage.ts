import { PixelFormatError } from './errors';

/** Raw decoded pixels, interleaved (HWC), as a canvas, a DICOM decoder or sharp give them. */
export interface RawPixels {
  data: Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: number;
}

/** Float pixels, interleaved (HWC), intensities in [0, 1]. Grey images have `channels: 1`. */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** A rectangle in pixel units (fractional for crops that fall between pixels). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Throws {@link PixelFormatError} unless `img` has positive integer sizes and `width*height*channels` values. */
export function assertPixels(img: RawPixels | FloatImage, what: string, channels?: number): void {
  const { width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PixelFormatError(`${what}: invalid size ${width}x${height}`);
  }
  if (!Number.isInteger(img.channels) || img.channels < 1 || img.channels > 4) {
    throw new PixelFormatError(`${what}: invalid channel count ${img.channels}`);
  }
  if (channels !== undefined && img.channels !== channels) {
    throw new PixelFormatError(`${what}: expected ${channels} channel(s), got ${img.channels}`);
  }
  const expected = width * height * img.channels;
  if (img.data.length !== expected) {
    throw new PixelFormatError(
      `${what}: ${width}x${height}x${img.channels} needs ${expected} values, got ${img.data.length}`,
    );
  }
}
