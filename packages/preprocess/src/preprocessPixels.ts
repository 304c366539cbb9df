import { claheEqualize } from './claheEqualize';
import { cropBorder } from './cropBorder';
import { cropFraction, fractionRectPixels } from './cropFraction';
import { assertPixels, type FloatImage, type RawPixels, type Rect } from './floatImage';
import { IMAGENET_CAFFE_MEANS_BGR } from './normalizeIntensity';
import type { PreprocessSpec } from './preprocessSpec';
import { resizeImage, type ResizeGeometry } from './resizeImage';
import { maxValueOf, toGrey, type ToGreyOptions } from './toGrey';

/** What {@link fitToSpec} did to the grey image, for provenance and for mapping heat maps back. */
export interface FitInfo {
  /** Rectangle kept by `lungCrop` then `cropBorder`, in the grey input's pixels (the whole image when both are off). */
  crop: Rect;
  /** How the (cropped) image was resampled onto the model grid. */
  resize: ResizeGeometry;
}

/**
 * The geometric and contrast steps of a spec on a grey image in [0, 1]: `lungCrop` (if set), `cropBorder` (if on),
 * `claheEqualize` (if set), then `resizeImage` to `spec.width x spec.height` in `spec.resizeMode`.
 * The result is still one grey channel in [0, 1] (where augmentation applies, in training).
 * Integer grey input (8/16-bit, `channels: 1`) is scaled by `maxValue` (default by type).
 */
export function fitToSpec(grey: FloatImage | RawPixels, spec: PreprocessSpec, options: ToGreyOptions = {}): { image: FloatImage; info: FitInfo } {
  assertPixels(grey, 'fitToSpec', 1);
  let offset = { x: 0, y: 0 };
  if (spec.lungCrop) {
    // on the input samples (integer or float), as the lung-crop experiment arm cropped the decoded pixels
    offset = fractionRectPixels(grey.width, grey.height, spec.lungCrop);
    grey = cropFraction(grey, spec.lungCrop);
  }
  if (!(grey.data instanceof Float32Array) && !spec.cropBorder && !spec.clahe) {
    // integer grey straight into the resampler: no full-size float copy
    const r = resizeImage(grey, { width: spec.width, height: spec.height, mode: spec.resizeMode, valueScale: 1 / maxValueOf(grey, options) });
    return { image: r.image, info: { crop: { ...offset, width: grey.width, height: grey.height }, resize: r.geometry } };
  }
  let img = grey.data instanceof Float32Array && options.maxValue === undefined ? (grey as FloatImage) : toGrey(grey, options);
  let crop: Rect = { ...offset, width: grey.width, height: grey.height };
  if (spec.cropBorder) {
    const r = cropBorder(img);
    img = r.image;
    crop = { x: offset.x + r.box.x, y: offset.y + r.box.y, width: r.box.width, height: r.box.height };
  }
  if (spec.clahe) img = claheEqualize(img, { tileGridSize: spec.clahe.tileGridSize, clipLimit: spec.clahe.clipLimit });
  const r = resizeImage(img, { width: spec.width, height: spec.height, mode: spec.resizeMode });
  return { image: r.image, info: { crop, resize: r.geometry } };
}

/**
 * Turns a grey `spec.width x spec.height` image in [0, 1] into the model's input: the channel
 * replicated to `spec.channels` and normalised by `spec.normalization`, in one pass (HWC).
 */
export function toModelInput(grey: FloatImage, spec: PreprocessSpec, out?: Float32Array): Float32Array {
  assertPixels(grey, 'toModelInput', 1);
  const n = grey.width * grey.height;
  const c = spec.channels;
  const dst = out ?? new Float32Array(n * c);
  const src = grey.data;
  if (spec.normalization === 'vgg16-caffe') {
    const [mb, mg, mr] = IMAGENET_CAFFE_MEANS_BGR;
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const v = src[i] * 255;
      dst[j] = v - mb;
      dst[j + 1] = v - mg;
      dst[j + 2] = v - mr;
    }
    return dst;
  }
  const a = spec.normalization === 'mobilenet' ? 2 : 1;
  const b = spec.normalization === 'mobilenet' ? -1 : 0;
  if (c === 1) {
    for (let i = 0; i < n; i++) dst[i] = src[i] * a + b;
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const v = src[i] * a + b;
      dst[j] = v;
      dst[j + 1] = v;
      dst[j + 2] = v;
    }
  }
  return dst;
}

/**
 * Browser-safe preprocessing of decoded pixels (a canvas `ImageData`, a DICOM frame, raw sharp
 * output): grey, then {@link fitToSpec} and {@link toModelInput}. Gives exactly what the Node
 * `preprocessImage` gives for the same decoded image, so the web demo matches training.
 *
 * @returns `spec.height x spec.width x spec.channels` floats (HWC), normalised.
 * @example
 * const ctx = canvas.getContext('2d')!;
 * const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
 * const x = preprocessPixels({ data, width, height, channels: 4 }, spec);
 */
export function preprocessPixels(pixels: RawPixels, spec: PreprocessSpec, options: ToGreyOptions = {}): Float32Array {
  assertPixels(pixels, 'preprocessPixels');
  const grey = pixels.channels === 1 ? pixels : toGrey(pixels, options);
  return toModelInput(fitToSpec(grey, spec, options).image, spec);
}
