import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GradCamLayerError, PredictInputError } from '../errors';
import type { CxrModel } from '../io/modelConfig';
import { toInputBatch, type ModelInput } from '../predict/toInputBatch';

/** Options of {@link gradCam}. */
export interface GradCamOptions {
  /** Class to explain (index into the model's outputs); default the predicted class. */
  classIndex?: number;
  /** Layer whose activations are weighted; default {@link findGradCamLayer}. */
  layerName?: string;
  /**
   * Score differentiated: `'logit'` (default, as in Selvaraju et al.: the class score before the softmax)
   * or `'probability'` (after the softmax).
   */
  score?: 'logit' | 'probability';
}

/** A Grad-CAM heatmap at the resolution of the explained layer. */
export interface GradCamResult {
  /** `height x width` row-major, `ReLU(sum_k alpha_k A_k)` divided by its maximum (all 0 if it is 0). */
  heatmap: Float32Array;
  width: number;
  height: number;
  classIndex: number;
  layerName: string;
  /** The model's output for the image (probabilities), in class order. */
  probabilities: number[];
}

const CONV = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);
const FOLLOWERS = new Set(['BatchNormalization', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU']);

/**
 * The default Grad-CAM layer: the last convolution, moved forward over the batch-norm and activation
 * layers right after it (MobileNet's `conv_pw_12` -> `conv_pw_12_relu`; VGG16's `block5_conv3`).
 */
export function findGradCamLayer(model: tfl.LayersModel): tfl.layers.Layer {
  const layers = model.layers;
  let idx = -1;
  layers.forEach((l, i) => {
    // a dense layer on a feature map is a 1x1 convolution (a fine-tuned MobileNet block in the head)
    if (CONV.has(l.getClassName()) || (l.getClassName() === 'Dense' && (l.outputShape as number[]).length === 4)) idx = i;
  });
  if (idx < 0) throw new GradCamLayerError(`Model ${model.name} has no convolutional layer for Grad-CAM; pass layerName`);
  while (idx + 1 < layers.length && FOLLOWERS.has(layers[idx + 1].getClassName()) && follows(layers[idx + 1], layers[idx])) idx++;
  return layers[idx];
}

/** Whether `layer` is called on exactly `prev`'s output (in some graph: a shared head has several). */
function follows(layer: tfl.layers.Layer, prev: tfl.layers.Layer): boolean {
  return layer.inboundNodes.some((n) => n.inboundLayers.length === 1 && n.inboundLayers[0] === prev);
}

interface Split {
  layer: tfl.layers.Layer;
  bottom: tfl.LayersModel;
  top: tfl.layers.Layer[];
}
const splits = new WeakMap<tfl.LayersModel, Map<string, Split>>();

/** The model split at `layer`: a sub-model up to its output, and the chain of layers after it. */
function splitAt(model: tfl.LayersModel, layerName?: string): Split {
  let layer: tfl.layers.Layer;
  if (layerName !== undefined) {
    try {
      layer = model.getLayer(layerName);
    } catch (cause) {
      throw new GradCamLayerError(`Model ${model.name} has no layer ${JSON.stringify(layerName)}`, { cause });
    }
  } else {
    layer = findGradCamLayer(model);
  }
  const cached = splits.get(model)?.get(layer.name);
  if (cached) return cached;
  const shape = layer.outputShape as number[];
  if (!Array.isArray(shape) || shape.length !== 4) {
    throw new GradCamLayerError(`Layer ${layer.name} of ${model.name} outputs [${String(shape)}]; Grad-CAM needs a [n, h, w, k] feature map`);
  }
  const layers = model.layers;
  const at = layers.indexOf(layer);
  const top = layers.slice(at + 1);
  top.forEach((l, i) => {
    const prev = i === 0 ? layer : top[i - 1];
    if (!follows(l, prev)) {
      throw new GradCamLayerError(`Layers after ${layer.name} in ${model.name} are not a plain chain (at ${l.name}); pick a later layerName`);
    }
  });
  if (model.outputs.length !== 1 || model.outputs[0].sourceLayer !== (top.at(-1) ?? layer)) {
    throw new GradCamLayerError(`Model ${model.name} must end in the chain after ${layer.name}`);
  }
  const split = { layer, bottom: tfl.model({ inputs: model.inputs, outputs: layer.output as tfl.SymbolicTensor }), top };
  const byLayer = splits.get(model) ?? new Map<string, Split>();
  byLayer.set(layer.name, split);
  splits.set(model, byLayer);
  return split;
}

/** Runs the head chain in inference mode; returns the softmax output and the pre-softmax score. */
function runTop(top: tfl.layers.Layer[], a: tf.Tensor): { probs: tf.Tensor; logits: tf.Tensor } {
  let y = a;
  let logits: tf.Tensor | null = null;
  top.forEach((layer, i) => {
    const last = i === top.length - 1;
    if (last && layer.getClassName() === 'Dense' && layer.getConfig().activation === 'softmax') {
      const [kernel, bias] = layer.weights.map((w) => w.read());
      logits = bias ? tf.add(tf.matMul(y, kernel), bias) : tf.matMul(y, kernel);
      y = tf.softmax(logits);
    } else if (layer.getClassName() === 'MaxPooling2D' && firstMaxPoolable(layer, y)) {
      y = maxPoolFirstMax(y as tf.Tensor4D, (layer.getConfig().poolSize as number[])[0]);
    } else {
      y = layer.apply(y, { training: false }) as tf.Tensor;
    }
  });
  return { probs: y, logits: logits ?? y };
}

/** Non-overlapping 'valid' square pooling over sizes it divides: the case {@link maxPoolFirstMax} covers. */
function firstMaxPoolable(layer: tfl.layers.Layer, x: tf.Tensor): boolean {
  const c = layer.getConfig();
  const [ph, pw] = c.poolSize as number[];
  const [sh, sw] = (c.strides as number[] | null) ?? [ph, pw];
  return ph === pw && sh === ph && sw === pw && c.padding === 'valid' && c.dataFormat !== 'channelsFirst' && (x.shape[1] ?? 0) % ph === 0 && (x.shape[2] ?? 0) % pw === 0;
}

/**
 * Max pooling whose gradient goes to the first maximum of each window, as TensorFlow's. The wasm
 * backend's MaxPoolGrad mishandles ties (windows of ReLU zeros, common before VGG16's block5_pool),
 * which would change alpha_k; this formulation gives the same gradients on every backend.
 */
function maxPoolFirstMax(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const pool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x4 = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    save([x4]);
    return {
      value: tf.maxPool(x4, p, p, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [n, h, w, c] = saved[0].shape;
        const windows = tf.reshape(tf.transpose(tf.reshape(saved[0], [n, h / p, p, w / p, p, c]), [0, 1, 3, 5, 2, 4]), [n, h / p, w / p, c, p * p]);
        const first = tf.oneHot(tf.argMax(windows, -1), p * p);
        const spread = tf.mul(first, tf.expandDims(dy, -1)); // [n, h/p, w/p, c, p*p]
        return tf.reshape(tf.transpose(tf.reshape(spread, [n, h / p, w / p, c, p, p]), [0, 1, 4, 2, 5, 3]), [n, h, w, c]);
      },
    };
  });
  return pool(x) as tf.Tensor4D;
}

/**
 * Grad-CAM (Selvaraju et al., ICCV 2017) of one image: the class score's gradients with respect to the
 * feature maps `A_k` of a convolutional layer, averaged over space (`alpha_k`), weight the maps:
 * `ReLU(sum_k alpha_k A_k)`, normalised to [0, 1]. Runs in inference mode (dropout off). The model is
 * split at the layer (sub-model to its output, then the head on top) so only gradients with respect to
 * that output are needed: this works on backends without convolution-gradient kernels (wasm).
 *
 * @example
 * const cam = await gradCam(cxr, input); // cam.heatmap: 14x14 for VGG16's block5_conv3
 * const rgba = overlayHeatmap({ data: grey, width: 224, height: 224 }, cam, { alpha: 0.4 });
 */
export async function gradCam(model: CxrModel | tfl.LayersModel, input: ModelInput, options: GradCamOptions = {}): Promise<GradCamResult> {
  const m = 'config' in model ? model.model : model;
  const { layer, bottom, top } = splitAt(m, options.layerName);
  const x = toInputBatch(m, input);
  if (x.shape[0] !== 1) {
    x.dispose();
    throw new PredictInputError(`gradCam explains one image at a time, got a batch of ${x.shape[0]}`);
  }
  const useLogit = (options.score ?? 'logit') === 'logit';
  let cam: tf.Tensor;
  let probs: tf.Tensor;
  try {
    [cam, probs] = tf.tidy(() => {
      const a = bottom.apply(x, { training: false }) as tf.Tensor4D;
      const { probs } = runTop(top, a);
      const k = probs.shape[probs.shape.length - 1] as number;
      const classIndex = options.classIndex ?? (tf.argMax(probs, -1).dataSync()[0] as number);
      if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= k) {
        throw new PredictInputError(`classIndex ${classIndex} is not in 0..${k - 1}`);
      }
      const score = (fm: tf.Tensor) => {
        const out = runTop(top, fm);
        return tf.sum(tf.slice(useLogit ? out.logits : out.probs, [0, classIndex], [1, 1])) as tf.Scalar;
      };
      const grads = tf.grad(score)(a); // [1, h, w, k]
      const alpha = tf.mean(grads, [1, 2], true); // [1, 1, 1, k]
      const weighted = tf.relu(tf.sum(tf.mul(a, alpha), -1)); // [1, h, w]
      const max = tf.max(weighted);
      const normalised = tf.where(tf.greater(max, 0), tf.div(weighted, tf.maximum(max, 1e-30)), tf.zerosLike(weighted));
      return [normalised, tf.concat([tf.reshape(probs, [-1]), tf.tensor1d([classIndex])])];
    });
  } finally {
    x.dispose(); // also when the tidy throws (a bad classIndex)
  }
  try {
    const [h, w] = cam.shape.slice(1) as [number, number];
    const heatmap = (await cam.data()) as Float32Array;
    const p = Array.from(await probs.data());
    const classIndex = p.pop() as number;
    return { heatmap: Float32Array.from(heatmap), width: w, height: h, classIndex, layerName: layer.name, probabilities: p };
  } finally {
    tf.dispose([cam, probs]);
  }
}
