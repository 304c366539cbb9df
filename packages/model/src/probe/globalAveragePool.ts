import { ProbeInputError } from '../errors';

/**
 * Global average pooling of one HWC feature map (`height * width * channels` floats, channels last, as the
 * backbones return them) to one value per channel: the usual compact summary of a frozen CNN's features.
 *
 * @example globalAveragePool(new Float32Array([1, 10, 3, 30]), [1, 2, 2]); // Float32Array [2, 20]
 */
export function globalAveragePool(feature: ArrayLike<number>, shape: readonly [number, number, number]): Float32Array {
  const [h, w, c] = shape;
  if (feature.length !== h * w * c) {
    throw new ProbeInputError(`globalAveragePool: feature has ${feature.length} values, expected ${h}x${w}x${c} = ${h * w * c}`);
  }
  const out = new Float32Array(c);
  const cells = h * w;
  const sums = new Float64Array(c);
  for (let p = 0; p < cells; p++) for (let k = 0; k < c; k++) sums[k] += feature[p * c + k];
  for (let k = 0; k < c; k++) out[k] = sums[k] / cells;
  return out;
}
