import type * as tfl from '@tensorflow/tfjs-layers';
import type { NormalizationPreset, PreprocessSpec } from '@cxr/preprocess';

/** Backbones @cxr/model can build or load. */
export type BackboneName = 'vgg16' | 'mobilenet_v1';

/** Every {@link BackboneName}. */
export const BACKBONE_NAMES: readonly BackboneName[] = Object.freeze(['vgg16', 'mobilenet_v1']);

/** Where a backbone's weights came from. */
export type WeightsFormat = 'keras-h5' | 'keras-h5-legacy' | 'tfjs-layers' | 'random';

/** Facts about a backbone, saved with a trained model so a prediction can check it uses the same base. */
export interface BackboneInfo {
  /** File, folder or URL the weights were read from; `random` for {@link createBackbone}. */
  weightsSource: string;
  weightsFormat: WeightsFormat;
  /** True for ImageNet weights; false for random ones (their features are NOT ImageNet features). */
  pretrained: boolean;
  /** Seed of random weights. */
  seed?: number;
  /** The layer the model was cut at, when it was. */
  cutLayer?: string;
  /** Input [height, width, channels]. */
  inputShape: [number, number, number];
  /** Intensity normalisation the weights expect (or, for VGG16, that the user chose: see `preprocessing`). */
  normalization: NormalizationPreset;
  /** Number of weights in the model. */
  parameters: number;
}

/**
 * A frozen feature extractor: a tfjs model with `trainable = false`, its output shape, the preprocessing
 * its weights expect and a hash identifying those weights (a feature-cache key part).
 */
export interface Backbone {
  name: BackboneName;
  model: tfl.LayersModel;
  /** Output [height, width, channels] per image, e.g. [7, 7, 512] for VGG16 at 224x224. */
  outputShape: [number, number, number];
  preprocessing: PreprocessSpec;
  /** SHA-256 (hex) of the weight files in order; `random:<sha256>` for random weights. */
  weightsHash: string;
  info: BackboneInfo;
}
