import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone } from '../backbones/backbone';
import { cutModel } from '../backbones/cutModel';
import { FineTuneError } from '../errors';
import type { HeadBlock } from '../head/createHead';
import type { FineTuneRecord } from '../io/modelConfig';
import { FINE_TUNE_LAYER_PREFIX } from './fineTuneLayerPrefix';

/** Fine-tuning the top of the backbone (`cxr train --fine-tune-blocks <n>`). */
export interface FineTuneOptions {
  /** Pointwise blocks at the top of the backbone trained with the head (MobileNet v1: 1, its last `conv_pw_N` block). */
  blocks: number;
  /**
   * Adam learning rate of the backbone blocks (the head keeps its own, with the same legacy decay schedule);
   * default a tenth of the head's: ImageNet weights should move less than a freshly initialised head.
   */
  learningRate?: number;
}

/** Activations a fine-tuned block may end with. */
export type FineTuneActivation = 'relu' | 'relu6' | 'linear';

/** One trainable backbone block as the head's first layer: a pointwise convolution with its batch norm folded in. */
export interface FineTuneLayer extends HeadBlock {
  /** `[in, units]` kernel: the 1x1 convolution times the batch norm's scale (ImageNet values). */
  kernel: Float32Array;
  /** `[units]` bias: the batch norm's shift (plus the convolution's bias, if any). */
  bias: Float32Array;
  /** The backbone layers this block replaces, in order (convolution, batch norm, activation). */
  layers: string[];
}

/** What {@link planFineTune} makes: the backbone cut below the blocks, and the blocks. */
export interface FineTunePlan {
  /** The same weights cut at `cutLayer`: its features are cached and fed to the head (blocks first). */
  backbone: Backbone;
  /** The layer the backbone is now cut at (e.g. `conv_dw_12_relu`). */
  cutLayer: string;
  /** The layer the original backbone ended at (e.g. `conv_pw_12_relu`): the blocks' output is its output. */
  originalOutput: string;
  /** Top blocks, input side first. */
  layers: FineTuneLayer[];
}


type Node = tfl.layers.Layer;

/** The single layer feeding `layer` (the backbone must be a chain at its top). */
function inputLayer(layer: Node, backbone: string): Node {
  const nodes = layer.inboundNodes;
  const inbound = nodes[0]?.inboundLayers ?? [];
  if (nodes.length < 1 || inbound.length !== 1) throw new FineTuneError(`${backbone}: layer ${layer.name} has ${inbound.length} inputs; fine-tuning needs a chain of layers at the top`);
  return inbound[0] as Node;
}

function activationOf(layer: Node): FineTuneActivation | null {
  const cls = layer.getClassName();
  const config = layer.getConfig() as Record<string, unknown>;
  if (cls === 'Activation') {
    const a = String(config.activation);
    return a === 'relu' || a === 'relu6' || a === 'linear' ? a : null;
  }
  if (cls === 'ReLU') {
    if (config.maxValue == null) return 'relu';
    if (Number(config.maxValue) === 6) return 'relu6';
  }
  return null;
}

/** Weight values of a layer by their short name (`kernel`, `gamma`, `moving_mean`...). */
function weightsByName(layer: Node): Map<string, Float32Array> {
  const values = layer.getWeights();
  const out = new Map<string, Float32Array>();
  layer.weights.forEach((w, i) => out.set(w.originalName.split('/').pop() ?? w.originalName, Float32Array.from(values[i].dataSync() as Float32Array)));
  return out;
}

/**
 * Splits the top `blocks` pointwise blocks (1x1 convolution, batch norm, ReLU/ReLU6) off a backbone: the backbone cut
 * below them (same weights, same hash, `info.cutLayer` set, so its features are cached apart) and each block as a
 * dense layer over the channels with its batch norm folded in (inference-mode batch norm is an affine map per
 * channel), initialised from the backbone's weights. A 1x1 convolution is a matrix product per position, so its
 * gradient needs only MatMul, which every tfjs backend has (the wasm backend lacks Conv2DBackpropFilter). Fed the cut
 * backbone's features, the blocks give the original backbone's output.
 *
 * @example
 * const plan = planFineTune(backbone, { blocks: 1 }); // MobileNet: cut at conv_dw_12_relu, block conv_pw_12 (512 -> 1024)
 * @throws FineTuneError naming the backbone and the layer when the top is not a pointwise block (VGG16's 3x3
 * convolutions, MobileNet's depthwise 3x3 below its last block), or `blocks` is not a positive integer.
 */
export function planFineTune(backbone: Backbone, options: FineTuneOptions): FineTunePlan {
  const { blocks } = options;
  if (!Number.isInteger(blocks) || blocks < 1) throw new FineTuneError(`fine-tune blocks must be a positive integer, got ${JSON.stringify(blocks)}`);
  if (options.learningRate !== undefined && !(options.learningRate > 0)) {
    throw new FineTuneError(`fine-tune learningRate must be > 0, got ${JSON.stringify(options.learningRate)}`);
  }
  const model = backbone.model;
  const name = `${backbone.name} (${backbone.info?.weightsSource ?? model.name})`;
  if (model.outputs.length !== 1) throw new FineTuneError(`${name}: fine-tuning needs one output, got ${model.outputs.length}`);
  let top = model.outputs[0].sourceLayer as Node;
  const originalOutput = top.name;
  const layers: FineTuneLayer[] = [];
  for (let b = 0; b < blocks; b++) {
    const act = activationOf(top);
    const chain: Node[] = [];
    let node = top;
    if (act !== null) {
      chain.unshift(node);
      node = inputLayer(node, name);
    }
    let bn: Node | null = null;
    if (node.getClassName() === 'BatchNormalization') {
      bn = node;
      chain.unshift(node);
      node = inputLayer(node, name);
    }
    const conv = node;
    const config = conv.getConfig() as Record<string, unknown>;
    const kernelSize = (config.kernelSize as number[] | undefined) ?? [];
    const pointwise =
      conv.getClassName() === 'Conv2D' &&
      kernelSize.every((k) => k === 1) &&
      ((config.strides as number[] | undefined) ?? [1, 1]).every((s) => s === 1) &&
      (config.dataFormat ?? 'channelsLast') === 'channelsLast';
    if (!pointwise) {
      const what = conv.getClassName() === 'DepthwiseConv2D'
        ? `a depthwise ${kernelSize.join('x')} convolution, whose weight gradient needs DepthwiseConv2dNativeBackpropFilter (the wasm backend lacks it)`
        : conv.getClassName() === 'Conv2D'
          ? `a ${kernelSize.join('x')} convolution, whose weight gradient needs Conv2DBackpropFilter (the wasm backend lacks it)`
          : `a ${conv.getClassName()} layer, not a pointwise (1x1) convolution block`;
      throw new FineTuneError(
        `${name}: cannot fine-tune ${blocks} block${blocks > 1 ? 's' : ''}: block ${b + 1} from the top ends at ${top.name} and is ${what}; ` +
          `only pointwise blocks (1x1 convolution, batch norm, ReLU) are fine-tuned, e.g. MobileNet v1's last block (--fine-tune-blocks 1)`,
      );
    }
    const convAct = String(config.activation ?? 'linear');
    if (convAct !== 'linear' && (bn || act !== null)) throw new FineTuneError(`${name}: ${conv.name} has activation ${convAct} before its batch norm; not a conv-BN-ReLU block`);
    const activation: FineTuneActivation = act ?? (convAct === 'relu' || convAct === 'relu6' ? convAct : convAct === 'linear' ? 'linear' : fail(name, conv.name, convAct));
    chain.unshift(conv);
    const w = weightsByName(conv);
    const k = w.get('kernel');
    const units = Number(config.filters);
    if (!k || k.length % units !== 0) throw new FineTuneError(`${name}: ${conv.name} has no [1, 1, in, ${units}] kernel`);
    const inDim = k.length / units;
    const bias = Float32Array.from(w.get('bias') ?? new Float32Array(units));
    const kernel = Float32Array.from(k);
    if (bn) {
      const bnConfig = bn.getConfig() as Record<string, unknown>;
      const axis = Number(bnConfig.axis ?? -1);
      if (axis !== -1 && axis !== 3) throw new FineTuneError(`${name}: ${bn.name} normalises axis ${axis}, not the channels`);
      const p = weightsByName(bn);
      const eps = Number(bnConfig.epsilon ?? 1e-3);
      const mean = p.get('moving_mean');
      const variance = p.get('moving_variance');
      if (!mean || !variance) throw new FineTuneError(`${name}: ${bn.name} has no moving_mean/moving_variance`);
      const gamma = p.get('gamma');
      const beta = p.get('beta');
      // folded in float64, rounded once to float32
      for (let o = 0; o < units; o++) {
        const scale = (gamma ? gamma[o] : 1) / Math.sqrt(variance[o] + eps);
        for (let i = 0; i < inDim; i++) kernel[i * units + o] = k[i * units + o] * scale;
        bias[o] = (bias[o] - mean[o]) * scale + (beta ? beta[o] : 0);
      }
    }
    layers.unshift({ name: conv.name, units, activation, kernel, bias, layers: chain.map((l) => l.name) });
    top = inputLayer(conv, name);
  }
  const cutLayer = top.name;
  const cut = cutModel(model, cutLayer);
  cut.trainable = false;
  const outputShape = cut.outputs[0].shape.slice(1) as [number, number, number];
  if (outputShape.length !== 3) throw new FineTuneError(`${name}: ${cutLayer} outputs [${outputShape.join(', ')}], not a feature map`);
  return {
    backbone: { ...backbone, model: cut, outputShape, info: { ...backbone.info, cutLayer, parameters: cut.countParams() } },
    cutLayer,
    originalOutput,
    layers,
  };
}

function fail(backbone: string, layer: string, activation: string): never {
  throw new FineTuneError(`${backbone}: ${layer} ends with activation ${activation}; fine-tuned blocks end with relu, relu6 or linear`);
}

/** The blocks' tfjs weights `[kernel, bias]` per layer, for `setWeights` (the caller disposes them). */
export function fineTuneWeights(layers: readonly FineTuneLayer[]): tf.Tensor[] {
  return layers.flatMap((l) => [tf.tensor2d(l.kernel, [l.kernel.length / l.units, l.units]), tf.tensor1d(l.bias)]);
}

/**
 * The `cxr.json` record of a fine-tuning (`saveModel({ fineTune })`).
 * @example saveModel(dir, { head, backbone: plan.backbone, fineTune: fineTuneRecord(plan, 1e-4), ... })
 */
export function fineTuneRecord(plan: FineTunePlan, learningRate: number): FineTuneRecord {
  return {
    blocks: plan.layers.length,
    backboneCut: plan.cutLayer,
    replaces: plan.originalOutput,
    layers: plan.layers.map((l) => ({ headLayer: `${FINE_TUNE_LAYER_PREFIX}${l.name}`, backboneLayers: [...l.layers], units: l.units, activation: l.activation })),
    batchNorm: 'folded',
    learningRate,
  };
}
