import type * as tfl from '@tensorflow/tfjs-layers';
import type { PreprocessSpec } from '@cxr/preprocess';
import { BackboneConfigError } from '../errors';
import type { Backbone, BackboneInfo, BackboneName } from './backbone';

/** Freezes a model and wraps it as a {@link Backbone} (internal helper of createBackbone/loadBackbone). */
export function makeBackbone(
  name: BackboneName,
  model: tfl.LayersModel,
  preprocessing: PreprocessSpec,
  weightsHash: string,
  info: Omit<BackboneInfo, 'parameters' | 'inputShape' | 'normalization'>,
): Backbone {
  model.trainable = false;
  const out = model.outputs[0].shape;
  const inp = model.inputs[0].shape;
  if (out.length !== 4 || inp.length !== 4) {
    throw new BackboneConfigError(`${name} model must map [batch, h, w, c] images to [batch, h, w, c] features, got input [${inp.join(', ')}] output [${out.join(', ')}]`);
  }
  const inputShape = inp.slice(1) as [number, number, number];
  if (inputShape[0] !== preprocessing.height || inputShape[1] !== preprocessing.width || inputShape[2] !== preprocessing.channels) {
    throw new BackboneConfigError(
      `${name} model input ${inputShape.join('x')} does not match its preprocessing ${preprocessing.height}x${preprocessing.width}x${preprocessing.channels}`,
    );
  }
  return {
    name,
    model,
    outputShape: out.slice(1) as [number, number, number],
    preprocessing,
    weightsHash,
    info: { ...info, inputShape, normalization: preprocessing.normalization, parameters: model.countParams() },
  };
}
