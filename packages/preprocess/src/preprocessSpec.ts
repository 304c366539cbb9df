import type { FractionRect } from './cropFraction';

/**
 * The serialisable description of how an image becomes a model input. It is saved with every model
 * (in `cxr.json`) so that training and prediction can never disagree.
 */

/** How the image is fitted to the model's input size. */
export type ResizeMode = 'stretch' | 'letterbox' | 'crop';

/**
 * Intensity normalisation presets, one per backbone family:
 * - `unit`: [0, 1] (the notebook's `/ 255`)
 * - `mobilenet`: [-1, 1]
 * - `vgg16-caffe`: BGR channel order, ImageNet mean subtracted, no scaling (Keras `preprocess_input` for VGG16)
 */
export type NormalizationPreset = 'unit' | 'mobilenet' | 'vgg16-caffe';

export interface PreprocessSpec {
  /** Spec format version, for forward compatibility of saved models. */
  version: 1;
  /** Model input height and width in pixels. */
  height: number;
  width: number;
  /** Number of channels fed to the model (the grey image replicated); 3 for ImageNet backbones. */
  channels: 1 | 3;
  resizeMode: ResizeMode;
  normalization: NormalizationPreset;
  /** Contrast-limited adaptive histogram equalisation before resizing; null for none. */
  clahe: { tileGridSize: number; clipLimit: number } | null;
  /** Crop uniform borders and burned-in annotations at the image edges before resizing. */
  cropBorder: boolean;
  /**
   * Keep only this part of the decoded image (fractions of its width and height, e.g. the lung fields), before
   * `cropBorder`, CLAHE and resizing. Missing or null: the whole image (specs saved before this field existed).
   */
  lungCrop?: FractionRect | null;
}

/** The notebook's preprocessing: grey, 224x224 stretched, 3 channels, [0, 1]. */
export const DEFAULT_PREPROCESS_SPEC: PreprocessSpec = Object.freeze({
  version: 1,
  height: 224,
  width: 224,
  channels: 3,
  resizeMode: 'stretch',
  normalization: 'unit',
  clahe: null,
  cropBorder: false,
}) as PreprocessSpec;
