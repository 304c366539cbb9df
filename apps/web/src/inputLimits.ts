import { InputFileError } from './errors';

/** Bounds on what the demo accepts, checked before decoding (bytes) and after reading the header (pixels). */
export interface InputLimits {
  /** Largest file in bytes (default 50 MiB). */
  maxBytes: number;
  /** Largest image in pixels, width x height (default 50 megapixels). */
  maxPixels: number;
  /** Smallest side in pixels: anything smaller cannot be a radiograph (default 64). */
  minSide: number;
}

/** The demo's limits: 50 MiB, 50 megapixels, 64 px. */
export const INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({ maxBytes: 50 * 1024 * 1024, maxPixels: 50_000_000, minSide: 64 });

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Throws {@link InputFileError} when a file is empty or larger than `limits.maxBytes`. */
export function checkFileSize(fileName: string, bytes: number, limits: InputLimits = INPUT_LIMITS): void {
  if (bytes === 0) throw new InputFileError(`${fileName} is empty`);
  if (bytes > limits.maxBytes) {
    throw new InputFileError(`${fileName} is ${mib(bytes)}, over the ${mib(limits.maxBytes)} limit of this demo`);
  }
}

/** Throws {@link InputFileError} when an image is too small to be an X-ray or has too many pixels. */
export function checkImageSize(fileName: string, width: number, height: number, limits: InputLimits = INPUT_LIMITS): void {
  if (width < limits.minSide || height < limits.minSide) {
    throw new InputFileError(
      `${fileName} is ${width}x${height} pixels: too small to be a chest X-ray (at least ${limits.minSide}x${limits.minSide})`,
    );
  }
  if (width * height > limits.maxPixels) {
    const mp = (width * height / 1e6).toFixed(1);
    throw new InputFileError(`${fileName} is ${width}x${height} (${mp} megapixels), over the ${limits.maxPixels / 1e6} megapixel limit of this demo`);
  }
}
