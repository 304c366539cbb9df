import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MissingWeightsError, WeightShapeError } from '../errors';
import type { LayerWeights, NamedWeight } from './layerWeights';

/** What {@link assignLayerWeights} assigned and what it left out. */
export interface AssignReport {
  /** Layers of the model that received weights. */
  assigned: string[];
  /** Layers in the file the model has not (e.g. the later blocks of a truncated VGG). */
  unused: string[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Copies weights read from a file into the layers of `model` with the same names. Every layer of the model
 * that has weights must find them, each with the shape the layer expects; layers of the file the model
 * lacks are reported as unused. All shapes are checked before any layer is changed.
 *
 * @param file only used in error messages.
 * @throws MissingWeightsError naming the first model layer without weights in the file.
 * @throws WeightShapeError naming the layer and weight whose shape (or count) differs.
 */
export function assignLayerWeights(model: tfl.LayersModel, weights: LayerWeights, file: string): AssignReport {
  const plan: Array<[tfl.layers.Layer, NamedWeight[]]> = [];
  for (const layer of model.layers) {
    const expected = layer.weights;
    if (expected.length === 0) continue;
    const found = weights.get(layer.name);
    if (!found) throw new MissingWeightsError(layer.name, file);
    if (found.length !== expected.length) {
      throw new MissingWeightsError(
        layer.name,
        file,
        `the layer has ${expected.length} weights (${expected.map((w) => w.name).join(', ')}), the file ${found.length} (${found.map((w) => w.name).join(', ')})`,
      );
    }
    expected.forEach((w, i) => {
      if (!sameShape(w.shape as number[], found[i].shape)) {
        throw new WeightShapeError(layer.name, found[i].name, w.shape as number[], found[i].shape, file);
      }
    });
    plan.push([layer, found]);
  }
  for (const [layer, found] of plan) {
    const tensors = found.map((w) => tf.tensor(w.data, w.shape, 'float32'));
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  const modelNames = new Set(model.layers.map((l) => l.name));
  return {
    assigned: plan.map(([l]) => l.name),
    unused: [...weights.keys()].filter((n) => !modelNames.has(n)),
  };
}
