import { createHash } from 'node:crypto';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * SHA-256 (hex) of a model's layers and weights: every layer's name, class, config and
 * weight shapes, then every weight's bytes, in layer order. A cache key for models that do not come
 * with a weights hash (a `Backbone` has one: prefer `backbone.weightsHash`).
 */
export function hashModelWeights(model: LayersModel): string {
  const hash = createHash('sha256');
  for (const layer of model.layers) {
    hash.update(`${layer.name}:${layer.getClassName()}:${JSON.stringify(layer.getConfig())}\n`);
    for (const w of layer.getWeights()) {
      hash.update(`[${w.shape.join(',')}]\n`);
      const data = w.dataSync();
      hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  return hash.digest('hex');
}
