import { affineMatrix, affineTransform, rotateImage, type AffineOptions } from './affineTransform';
import { createRng, type Rng } from '@cxr/metrics';
import { PixelFormatError } from './errors';
import type { FloatImage } from './floatImage';

/**
 * A training-time random transform of a float image (intensities in [0, 1]). It draws from `rng`
 * when given (so a data loader can derive one generator per image and stay reproducible whatever
 * the decode order), otherwise from its own generator seeded at creation.
 */
export type AugmentFn = (image: FloatImage, rng?: Rng) => FloatImage;

function ownRng(seed: number | string | undefined): Rng {
  return createRng(seed ?? 0);
}
function check(cond: boolean, msg: string): void {
  if (!cond) throw new PixelFormatError(msg);
}

/**
 * Random rotation, uniform in [-maxDegrees, maxDegrees], about the centre, bilinear with the
 * edge repeated into the corners (Keras ImageDataGenerator `rotation_range`, `fill_mode='nearest'`).
 *
 * @example
 * const rot = randRotate({ maxDegrees: 15, seed: 1 });
 * const out = rot(image);
 */
export function randRotate(options: { maxDegrees: number; seed?: number | string } & AffineOptions): AugmentFn {
  check(options.maxDegrees >= 0 && options.maxDegrees <= 180, `randRotate: maxDegrees ${options.maxDegrees} must be in [0, 180]`);
  const own = ownRng(options.seed);
  return (image, rng = own) => {
    return rotateImage(image, rng.uniform(-options.maxDegrees, options.maxDegrees), options);
  };
}

/** Random shift of up to `maxFraction` of the width (height) each way, edge repeated (Keras `width_shift_range`). */
export function randShift(options: { maxFraction: number; seed?: number | string } & AffineOptions): AugmentFn {
  check(options.maxFraction >= 0 && options.maxFraction < 1, `randShift: maxFraction ${options.maxFraction} must be in [0, 1)`);
  const own = ownRng(options.seed);
  return (image, rng = own) => {
    const shiftX = rng.uniform(-options.maxFraction, options.maxFraction) * image.width;
    const shiftY = rng.uniform(-options.maxFraction, options.maxFraction) * image.height;
    return affineTransform(image, affineMatrix(image.width, image.height, { shiftX, shiftY }), options);
  };
}

/** Random zoom by a factor uniform in [1 - maxFraction, 1 + maxFraction] about the centre (> 1 magnifies). */
export function randZoom(options: { maxFraction: number; seed?: number | string } & AffineOptions): AugmentFn {
  check(options.maxFraction >= 0 && options.maxFraction < 1, `randZoom: maxFraction ${options.maxFraction} must be in [0, 1)`);
  const own = ownRng(options.seed);
  return (image, rng = own) => {
    const zoom = rng.uniform(1 - options.maxFraction, 1 + options.maxFraction);
    return affineTransform(image, affineMatrix(image.width, image.height, { zoom }), options);
  };
}

/** Adds a random offset uniform in [-maxDelta, maxDelta] to every intensity, clamped to [0, 1]. */
export function randBrightness(options: { maxDelta: number; seed?: number | string }): AugmentFn {
  check(options.maxDelta >= 0 && options.maxDelta <= 1, `randBrightness: maxDelta ${options.maxDelta} must be in [0, 1]`);
  const own = ownRng(options.seed);
  return (image, rng = own) => adjust(image, 1, rng.uniform(-options.maxDelta, options.maxDelta));
}

/** Scales the distance of every intensity from the image mean by a factor uniform in [1 - maxFraction, 1 + maxFraction], clamped to [0, 1]. */
export function randContrast(options: { maxFraction: number; seed?: number | string }): AugmentFn {
  check(options.maxFraction >= 0 && options.maxFraction < 1, `randContrast: maxFraction ${options.maxFraction} must be in [0, 1)`);
  const own = ownRng(options.seed);
  return (image, rng = own) => adjust(image, rng.uniform(1 - options.maxFraction, 1 + options.maxFraction), 0);
}

/** `(v - mean) * factor + mean + delta`, clamped to [0, 1]. */
function adjust(image: FloatImage, factor: number, delta: number): FloatImage {
  const src = image.data;
  let mean = 0;
  if (factor !== 1) {
    for (let i = 0; i < src.length; i++) mean += src[i];
    mean /= src.length;
  }
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = (src[i] - mean) * factor + mean + delta;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { ...image, data: out };
}

/** Options of {@link augmentation}; a transform is on only when its option is given. */
export interface AugmentationOptions extends AffineOptions {
  /** Maximum rotation in degrees either way. */
  rotate?: number;
  /** Maximum shift as a fraction of width/height either way. */
  shift?: number;
  /** Maximum zoom fraction (0.1: factors in [0.9, 1.1]). */
  zoom?: number;
  /** Maximum brightness offset (intensity units in [0, 1]). */
  brightness?: number;
  /** Maximum contrast change fraction. */
  contrast?: number;
  /** Mirror left-right with probability 0.5. Off by default: chest X-rays are not left-right symmetric (heart on the left). */
  flipHorizontal?: boolean;
  /** Seed of the generator used when the returned function is called without one. */
  seed?: number | string;
}

/**
 * Composes the augmentations into one function `(image, rng) => image`. The geometric ones
 * (flip, zoom, rotation, shift) are merged into a single affine resampling, so the image is
 * interpolated once; brightness and contrast follow. Random draws are taken in a fixed order
 * (rotation, shift x, shift y, zoom, flip, brightness, contrast) so a seed always gives the same result.
 * With no options it is the notebook's ImageDataGenerator(rotation_range=15, fill_mode='nearest').
 *
 * @example
 * const augment = augmentation({ rotate: 15, shift: 0.05, zoom: 0.05, brightness: 0.05, contrast: 0.1 });
 * const out = augment(grey224, createRng(7));
 */
export function augmentation(options: AugmentationOptions = { rotate: 15 }): AugmentFn {
  const { rotate = 0, shift = 0, zoom = 0, brightness = 0, contrast = 0 } = options;
  check(rotate >= 0 && rotate <= 180, `augmentation: rotate ${rotate} must be in [0, 180]`);
  check(shift >= 0 && shift < 1, `augmentation: shift ${shift} must be in [0, 1)`);
  check(zoom >= 0 && zoom < 1, `augmentation: zoom ${zoom} must be in [0, 1)`);
  check(brightness >= 0 && brightness <= 1, `augmentation: brightness ${brightness} must be in [0, 1]`);
  check(contrast >= 0 && contrast < 1, `augmentation: contrast ${contrast} must be in [0, 1)`);
  const own = ownRng(options.seed);
  return (image, rng = own) => {
    const degrees = rotate ? rng.uniform(-rotate, rotate) : 0;
    const shiftX = shift ? rng.uniform(-shift, shift) * image.width : 0;
    const shiftY = shift ? rng.uniform(-shift, shift) * image.height : 0;
    const z = zoom ? rng.uniform(1 - zoom, 1 + zoom) : 1;
    const flip = options.flipHorizontal ? rng.next() < 0.5 : false;
    let out = image;
    if (degrees || shiftX || shiftY || z !== 1 || flip) {
      out = affineTransform(image, affineMatrix(image.width, image.height, { degrees, shiftX, shiftY, zoom: z, flip }), options);
    }
    const delta = brightness ? rng.uniform(-brightness, brightness) : 0;
    const factor = contrast ? rng.uniform(1 - contrast, 1 + contrast) : 1;
    if (delta || factor !== 1) out = adjust(out, factor, delta);
    return out;
  };
}
