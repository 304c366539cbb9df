import * as tfl from '@tensorflow/tfjs-layers';
import type { PreprocessSpec } from '@cxr/preprocess';
import { TrainingInputError } from '../errors';
import { createHead, type HeadOptions } from './createHead';

/**
 * What the head needs from a backbone: its frozen layers model and its output shape. Part A's `Backbone`
 * (from `loadBackbone`/`createBackbone`) satisfies it; the other fields are saved into `cxr.json`.
 */
export interface BackboneLike {
  name: string;
  /** The frozen convolutional base. */
  model: tfl.LayersModel;
  /** Output of the base for one image, `[height, width, channels]`. */
  outputShape: readonly [number, number, number];
  preprocessing?: PreprocessSpec;
  weightsHash?: string;
  info?: unknown;
}

/** Either the sizes of a new head, or an already-trained head (from `trainHead`). */
export type ClassifierHeadOptions = Omit<HeadOptions, 'inputShape'> | { head: tfl.LayersModel };

/**
 * The base and the head as one `tf.LayersModel` (functional, flat: the base's layers then the head's),
 * with every base layer frozen. A trained head passed as `{ head }` is reused with its weights (the layers
 * are shared, not copied), so `createClassifier(backbone, { head: result.head })` is the model to save.
 *
 * @example
 * const classifier = createClassifier(backbone, { seed: 42 }); // notebook head on the frozen base
 */
export function createClassifier(backbone: BackboneLike, headOptions: ClassifierHeadOptions = {}): tfl.LayersModel {
  const base = backbone.model;
  if (base.outputs.length !== 1 || base.inputs.length !== 1) {
    throw new TrainingInputError(`Backbone ${backbone.name} must have one input and one output, got ${base.inputs.length} and ${base.outputs.length}`);
  }
  const baseOut = base.outputs[0].shape.slice(1);
  if (baseOut.length !== 3 || baseOut.some((n, i) => n !== backbone.outputShape[i])) {
    throw new TrainingInputError(`Backbone ${backbone.name} outputs [${baseOut.join(', ')}] but declares outputShape [${backbone.outputShape.join(', ')}]`);
  }
  for (const layer of base.layers) layer.trainable = false;
  const head = 'head' in headOptions ? headOptions.head : createHead({ ...headOptions, inputShape: backbone.outputShape });
  const headIn = head.inputs[0].shape.slice(1);
  if (headIn.some((n, i) => n !== backbone.outputShape[i])) {
    throw new TrainingInputError(`Head expects features [${headIn.join(', ')}] but backbone ${backbone.name} outputs [${backbone.outputShape.join(', ')}]`);
  }
  let x = base.outputs[0];
  for (const layer of headLayers(head)) x = layer.apply(x) as tfl.SymbolicTensor;
  return tfl.model({ name: `${backbone.name}_classifier`, inputs: base.inputs, outputs: x });
}

/** The head's layers in order, without its InputLayer; the head must be a plain chain. */
export function headLayers(head: tfl.LayersModel): tfl.layers.Layer[] {
  return head.layers.filter((l) => l.getClassName() !== 'InputLayer');
}

