import * as tfl from '@tensorflow/tfjs-layers';
import { BackboneConfigError } from '../errors';

/**
 * A model that shares `model`'s layers (and weights) up to and including `layerName`, whose output it returns.
 * Used to cut a backbone at a named layer (e.g. MobileNet at `conv_pw_13_relu`).
 * @throws BackboneConfigError naming the layer (and a few existing names) when there is no such layer.
 */
export function cutModel(model: tfl.LayersModel, layerName: string): tfl.LayersModel {
  const layer = model.layers.find((l) => l.name === layerName);
  if (!layer) {
    const names = model.layers.map((l) => l.name);
    throw new BackboneConfigError(
      `No layer '${layerName}' in model ${model.name} to cut at; its last layers are ${names.slice(-5).join(', ')}`,
    );
  }
  if (layer === model.layers[model.layers.length - 1]) return model;
  return tfl.model({ inputs: model.inputs, outputs: layer.output as tfl.SymbolicTensor, name: `${model.name}_${layerName}` });
}
