import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { HEAD_LAYER_NAMES } from '../head/createHead';

/** What the training objectives read of one forward pass of the head. */
export interface HeadForward {
  /** `[batch, units]` activations of the hidden Dense layer (after ReLU, before dropout). */
  hidden: tf.Tensor;
  /** `[batch, classes]` pre-softmax outputs. */
  logits: tf.Tensor;
  /** `softmax(logits)`: what the head outputs. */
  probs: tf.Tensor;
}

/**
 * Runs the head's layers (Dropout through the given masks, as in training) and returns the hidden layer, the logits
 * and the probabilities. The output layer's softmax is split off so that penalties can read the logits; the
 * probabilities are the same as the layer's (`softmax(x W + b)`).
 */
export function headForward(layers: readonly tfl.layers.Layer[], x: tf.Tensor, masks: readonly (tf.Tensor | null)[]): HeadForward {
  let y = x;
  let hidden: tf.Tensor | null = null;
  const last = layers.length - 1;
  layers.slice(0, last).forEach((layer, i) => {
    if (layer.getClassName() === 'Dropout') {
      const mask = masks[i];
      if (mask) y = tf.mul(y, mask);
    } else {
      y = layer.apply(y, { training: false }) as tf.Tensor;
    }
    if (layer.name === HEAD_LAYER_NAMES.dense) hidden = y;
  });
  const output = layers[last];
  const [kernel, bias] = output.trainableWeights.map((w) => w.read());
  const logits = tf.add(tf.matMul(y as tf.Tensor2D, kernel as tf.Tensor2D), bias);
  return { hidden: hidden ?? y, logits, probs: tf.softmax(logits) };
}
