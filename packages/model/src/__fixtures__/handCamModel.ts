import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * A model whose Grad-CAM is computable by hand: input 4x4x1 -> conv 1x1 with 2 filters
 * (A_0 = x, A_1 = 0.5 - x) -> average pool 4x4 -> flatten -> dense(2, softmax) with kernel W and bias b.
 * logit_c = sum_k W[k][c] * mean(A_k) + b_c, so d logit_c / d A_k(i, j) = W[k][c] / 16.
 */
export const HAND_W = [
  [2, -1],
  [1, 3],
];
export const HAND_B = [0.1, -0.2];
export const HAND_X = [0.0, 0.1, 0.2, 0.3, 0.9, 0.8, 0.7, 0.6, 0.05, 0.15, 0.25, 0.35, 1.0, 0.4, 0.45, 0.5];

export function handCamModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 1] });
  const conv = tfl.layers.conv2d({ name: 'conv', filters: 2, kernelSize: 1 });
  let x = conv.apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.averagePooling2d({ poolSize: 4 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const dense = tfl.layers.dense({ name: 'out', units: 2, activation: 'softmax' });
  x = dense.apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x });
  conv.setWeights([tf.tensor4d([1, -1], [1, 1, 1, 2]), tf.tensor1d([0, 0.5])]);
  dense.setWeights([tf.tensor2d(HAND_W), tf.tensor1d(HAND_B)]);
  return model;
}
