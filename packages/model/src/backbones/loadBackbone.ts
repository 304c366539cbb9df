import { stat } from 'node:fs/promises';
import type * as tfl from '@tensorflow/tfjs-layers';
import { sha256Files } from '@cxr/dataset/node';
import type { NormalizationPreset } from '@cxr/preprocess';
import { BackboneConfigError, WeightsFormatError } from '../errors';
import { assignLayerWeights } from '../weights/assignLayerWeights';
import { sha256Bytes } from '../weights/hashFiles';
import { loadLayersModelWithBytes } from '../weights/loadLayersModelFromDir';
import { readKerasH5Weights } from '../weights/readKerasH5Weights';
import { BACKBONE_NAMES, type Backbone, type BackboneName, type WeightsFormat } from './backbone';
import { backbonePreprocessing } from './backbonePreprocessing';
import { createVgg16, type CreateVgg16Options } from './createVgg16';
import { cutModel } from './cutModel';
import { makeBackbone } from './makeBackbone';

/** Options of {@link loadBackbone}: which backbone, its weights file or folder, an optional cut. */
export interface LoadBackboneOptions {
  name: BackboneName;
  /** A Keras `.h5` weights file (VGG16), or a folder (or model.json) of a tfjs layers model. */
  weights: string;
  /** Cut the model after this layer (e.g. `block4_pool`, `conv_pw_12_relu`). */
  cutLayer?: string;
  /** VGG16 only: `vgg16-caffe` (default, what its ImageNet weights expect) or `unit` (the notebook's [0, 1]). */
  normalization?: NormalizationPreset;
  /** VGG16 from `.h5` only: architecture options (input size; `blocks`/`widthMultiplier` for test files). */
  vgg16?: Pick<CreateVgg16Options, 'inputShape' | 'blocks' | 'widthMultiplier'>;
}

/**
 * Loads a frozen backbone from weight files on disk (Node).
 * - `vgg16` + `.h5`: builds VGG16 with Keras's layer names and copies every layer's weights from the official
 *   Keras file `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5` (old or new HDF5 layout).
 * - any name + folder/model.json: a tfjs layers model (e.g. `/work/shared/data/weights/mobilenet_v1_1.0_224_conv_pw_12`).
 *
 * @example
 * const vgg = await loadBackbone({ name: 'vgg16', weights: 'cache/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5' });
 * const mob = await loadBackbone({ name: 'mobilenet_v1', weights: 'weights/mobilenet_v1_1.0_224_conv_pw_12' });
 * @throws BackboneConfigError, WeightsFormatError, MissingWeightsError, WeightShapeError (each naming the file or layer).
 */
export async function loadBackbone(options: LoadBackboneOptions): Promise<Backbone> {
  const { name, weights } = options;
  if (!BACKBONE_NAMES.includes(name)) {
    throw new BackboneConfigError(`Unknown backbone '${String(name)}'; expected one of ${BACKBONE_NAMES.join(', ')}`);
  }
  let isDir: boolean;
  try {
    isDir = (await stat(weights)).isDirectory();
  } catch (error) {
    throw new WeightsFormatError(weights, 'no such file or folder', { cause: error });
  }
  let model: tfl.LayersModel;
  let format: WeightsFormat;
  /** The weights hash, from the bytes already read (layers model) or from the file (.h5). */
  let hashWeights: () => Promise<string>;
  if (isDir || weights.endsWith('.json')) {
    const loaded = await loadLayersModelWithBytes(weights);
    model = loaded.model;
    hashWeights = async () => sha256Bytes(loaded.fileBytes); // model.json then its shards, as read to load them
    format = 'tfjs-layers';
  } else if (/\.(h5|hdf5|keras)$/i.test(weights)) {
    if (name !== 'vgg16') {
      throw new BackboneConfigError(`Only vgg16 loads from Keras .h5 here; give ${name} as a tfjs layers folder (model.json + shards), not ${weights}`);
    }
    const read = await readKerasH5Weights(weights);
    model = createVgg16(options.vgg16);
    assignLayerWeights(model, read.layers, weights);
    format = read.layout;
    hashWeights = () => sha256Files([weights]);
  } else {
    throw new WeightsFormatError(weights, 'expected a .h5 file or a folder with model.json');
  }
  let preprocessing: ReturnType<typeof backbonePreprocessing>;
  let weightsHash: string;
  try {
    if (options.cutLayer) model = cutModel(model, options.cutLayer);
    const inputShape = model.inputs[0].shape.slice(1) as [number, number, number];
    preprocessing = backbonePreprocessing(name, { inputShape, normalization: options.normalization });
    weightsHash = await hashWeights();
  } catch (error) {
    model.dispose(); // a bad cut layer or normalisation must not leave the loaded weights behind
    throw error;
  }
  return makeBackbone(name, model, preprocessing, weightsHash, {
    weightsSource: weights,
    weightsFormat: format,
    pretrained: true,
    ...(options.cutLayer ? { cutLayer: options.cutLayer } : {}),
  });
}
