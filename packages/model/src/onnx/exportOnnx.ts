import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { OnnxExportError } from '../errors';
import { encodeOnnxModel, type OnnxAttribute, type OnnxGraph, type OnnxNode } from './encodeOnnxModel';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Name of the layer whose output becomes the graph output; default: the model's (single) output. */
  cutLayer?: string;
  /** Input `[height, width, channels]`; needed when the model's input shape has unknown height/width. */
  inputShape?: readonly [number, number, number];
}

/** Name of the graph input: float32 `[N, height, width, channels]` (NHWC, as tfjs). */
export const ONNX_INPUT_NAME = 'input';
/** Name of the graph output: float32 NHWC `[N, h, w, c]` for a spatial cut, `[N, features]` after pooling. */
export const ONNX_OUTPUT_NAME = 'features';
/**
 * Version of the exporter's graph layout; part of the on-disk cache key so that a changed exporter never
 * serves a stale graph.
 */
export const ONNX_EXPORTER_VERSION = 1;

type Activation = 'relu' | 'relu6' | 'sigmoid' | 'tanh' | 'softmax' | { clipMax: number } | { leakyAlpha: number };

/** Shape of a value: spatial values are kept NCHW inside the graph; flat ones are [N, features]. */
type ValueShape = { rank: 4; h: number; w: number; c: number } | { rank: 2; features: number };

/** Intermediate ops, one or more per layer; fused by simple peephole passes before emission. */
type Op =
  | {
      kind: 'conv';
      layer: string;
      input: string;
      output: string;
      weight: Float32Array; // [outC, inC / group, kh, kw]
      weightDims: [number, number, number, number];
      bias: Float32Array | null;
      group: number;
      strides: [number, number];
      dilations: [number, number];
      pads: [number, number, number, number]; // top, left, bottom, right (ONNX order is [t, l, b, r])
    }
  | {
      kind: 'bn';
      layer: string;
      input: string;
      output: string;
      gamma: Float32Array;
      beta: Float32Array;
      mean: Float32Array;
      variance: Float32Array;
      epsilon: number;
    }
  | { kind: 'act'; layer: string; input: string; output: string; fn: Activation }
  | { kind: 'pad'; layer: string; input: string; output: string; pads: [number, number, number, number] }
  | {
      kind: 'pool';
      layer: string;
      op: 'MaxPool' | 'AveragePool';
      input: string;
      output: string;
      kernel: [number, number];
      strides: [number, number];
      pads: [number, number, number, number];
      /** AveragePool after a fused ZeroPadding2D: the zeros count (TF averaged the zero-padded input). */
      countIncludePad?: boolean;
      /** MaxPool after a fused ZeroPadding2D: [Ho * Wo] 0 where a window saw zero padding, else -inf. */
      zeroMask?: Float32Array;
    }
  | { kind: 'gap'; layer: string; input: string; output: string }
  | { kind: 'flatten'; layer: string; input: string; output: string }
  | { kind: 'dense'; layer: string; input: string; output: string; kernel: Float32Array; inDim: number; outDim: number; bias: Float32Array | null };

type LayerConfig = Record<string, unknown>;

interface Layerish {
  name: string;
  getClassName(): string;
  getConfig(): LayerConfig;
  getWeights(): Tensor[];
  weights: { originalName: string; name: string }[];
  inboundNodes: { inputTensors: SymbolicTensor[] }[];
  outputShape: unknown;
}

/** TF's rule for `padding: 'same'|'valid'` along one axis: output size and [before, after] padding. */
export function tfPadding(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: string,
): { out: number; before: number; after: number } {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'valid') {
    return { out: Math.floor((size - effective) / stride) + 1, before: 0, after: 0 };
  }
  // SAME: out = ceil(in / stride); the odd pixel of padding goes at the end (bottom/right).
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

function pair(v: unknown, fallback: number): [number, number] {
  if (v == null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a.length > 1 ? a[1] : a[0]];
}

/**
 * Converts a frozen tfjs-layers backbone into a serialized ONNX model (opset 13) that computes the same
 * features, for fast CPU inference with onnxruntime (see `createOnnxExtractor` in `@cxr/model/node`).
 *
 * The graph takes and returns NHWC float32 like tfjs: input `input` `[N, H, W, C]` (N is dynamic), output
 * `features` `[N, h, w, c]` (or `[N, c]` after global pooling / flatten). Inside, it runs NCHW (one
 * Transpose at each end), BatchNormalization is folded into the preceding convolution, ZeroPadding2D into
 * the following convolution, and TF's asymmetric SAME padding becomes explicit `pads`.
 *
 * Supported layers: InputLayer, Conv2D, DepthwiseConv2D, BatchNormalization, ReLU, LeakyReLU,
 * Activation (linear/relu/relu6/sigmoid/tanh/softmax), MaxPooling2D, AveragePooling2D, ZeroPadding2D,
 * GlobalAveragePooling2D, Flatten, Dropout, Dense (on flat input). Anything else throws
 * {@link OnnxExportError} naming the layer.
 *
 * Reads the weights synchronously (`dataSync`); the model is not modified.
 *
 * @example
 * const bytes = exportOnnx(backbone, { cutLayer: 'conv_pw_12_relu' });
 */
export function exportOnnx(model: LayersModel, options: ExportOnnxOptions = {}): Uint8Array {
  return encodeOnnxModel(buildOnnxGraph(model, options));
}

/** Like {@link exportOnnx} but returns the graph before encoding (for tests and inspection). */
export function buildOnnxGraph(model: LayersModel, options: ExportOnnxOptions = {}): OnnxGraph {
  const modelName = model.name;
  const fail: (layer: string | undefined, detail: string, cause?: unknown) => never = (layer, detail, cause) => {
    throw new OnnxExportError(modelName, layer, detail, cause === undefined ? undefined : { cause });
  };

  if (model.inputs.length !== 1) fail(undefined, `expected one input, found ${model.inputs.length}`);
  let outputTensor: SymbolicTensor;
  if (options.cutLayer !== undefined) {
    let layer;
    try {
      layer = model.getLayer(options.cutLayer);
    } catch (e) {
      return fail(options.cutLayer, `no layer named ${JSON.stringify(options.cutLayer)}`, e);
    }
    const out = layer.output;
    if (Array.isArray(out)) return fail(options.cutLayer, `layer has ${out.length} outputs`);
    outputTensor = out;
  } else {
    if (model.outputs.length !== 1) fail(undefined, `expected one output, found ${model.outputs.length}`);
    outputTensor = model.outputs[0];
  }

  // Input shape: the model's, with unknowns filled (or all overridden) by options.inputShape.
  const declared = model.inputs[0].shape;
  if (declared.length !== 4) fail(undefined, `input must be NHWC (rank 4), got shape [${declared.join(', ')}]`);
  const requested = options.inputShape ?? [declared[1], declared[2], declared[3]];
  const fixedInput: number[] = [];
  for (const [i, d] of requested.entries()) {
    if (d == null || !Number.isInteger(d) || d <= 0) {
      fail(undefined, `input ${['height', 'width', 'channels'][i]} is ${d}; pass inputShape [h, w, c]`);
    }
    const fixed = declared[i + 1];
    if (fixed != null && fixed !== d) {
      fail(undefined, `inputShape [${requested.join(', ')}] contradicts the model input [${declared.slice(1).join(', ')}]`);
    }
    fixedInput.push(d as number);
  }
  const [h0, w0, c0] = fixedInput;

  // Collect the layers feeding the output (post-order = topological), counting consumers of each value.
  const ops: Op[] = [];
  const shapes = new Map<string, ValueShape>();
  const valueOf = new Map<number, string>(); // SymbolicTensor.id -> value name
  const inputNchw = 'input_nchw';
  const used = new Set<string>();
  const uniqueName = (base: string): string => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  used.add(ONNX_INPUT_NAME);
  used.add(ONNX_OUTPUT_NAME);
  used.add(inputNchw);

  const shapeOf = (value: string): ValueShape => {
    const shape = shapes.get(value);
    if (shape === undefined) throw new Error(`exportOnnx bug: no shape for ${value}`);
    return shape;
  };
  const visit = (t: SymbolicTensor): string => {
    const known = valueOf.get(t.id);
    if (known !== undefined) return known;
    const layer = t.sourceLayer as unknown as Layerish;
    const cls = layer.getClassName();
    let name: string;
    if (cls === 'InputLayer') {
      if (t.id !== model.inputs[0].id) fail(layer.name, 'a second input layer is not supported');
      name = inputNchw;
      shapes.set(name, { rank: 4, h: h0, w: w0, c: c0 });
    } else {
      const node = layer.inboundNodes[t.nodeIndex];
      if (!node || node.inputTensors.length !== 1) {
        fail(layer.name, `${cls} with ${node?.inputTensors.length ?? 0} inputs is not supported (only chains)`);
      }
      const input = visit(node.inputTensors[0]);
      name = lowerLayer(layer, cls, input, shapeOf(input), uniqueName(layer.name), ops, shapes, fail);
      checkShape(layer, shapeOf(name), fail);
    }
    valueOf.set(t.id, name);
    return name;
  };
  const last = visit(outputTensor);

  fuse(ops, last, shapes);
  return emit(ops, last, shapes, [h0, w0, c0], modelName, options.cutLayer);
}

function lowerLayer(
  layer: Layerish,
  cls: string,
  input: string,
  shape: ValueShape,
  name: string,
  ops: Op[],
  shapes: Map<string, ValueShape>,
  fail: (layer: string | undefined, detail: string) => never,
): string {
  const config = layer.getConfig();
  const spatial = (): { h: number; w: number; c: number } => {
    if (shape.rank !== 4) fail(layer.name, `${cls} needs a 4-D (spatial) input, got a flat one`);
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
      fail(layer.name, `dataFormat ${String(config.dataFormat)} is not supported (only channelsLast)`);
    }
    return shape as { h: number; w: number; c: number };
  };
  const activation = (value: unknown): Activation | null => {
    const a = typeof value === 'string' ? value : 'linear';
    if (a === 'linear') return null;
    if (a === 'relu' || a === 'relu6' || a === 'sigmoid' || a === 'tanh' || a === 'softmax') return a;
    return fail(layer.name, `activation ${JSON.stringify(a)} is not supported`);
  };
  const addActivation = (pre: string, fn: Activation | null, s: ValueShape): string => {
    if (fn === null) return pre;
    ops.push({ kind: 'act', layer: layer.name, input: pre, output: name, fn });
    shapes.set(name, s);
    return name;
  };
  const weights = (): Float32Array[] => layer.getWeights().map((t) => t.dataSync() as Float32Array);
  /** A convolution with the layer's activation after it (Conv2D, DepthwiseConv2D, a Dense on a feature map). */
  const addConv = (conv: Omit<Extract<Op, { kind: 'conv' }>, 'kind' | 'layer' | 'input' | 'output'>, out: ValueShape): string => {
    const fn = activation(config.activation);
    const convOut = fn === null ? name : `${name}/preact`;
    ops.push({ kind: 'conv', layer: layer.name, input, output: convOut, ...conv });
    shapes.set(convOut, out);
    return addActivation(convOut, fn, out);
  };

  switch (cls) {
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      const { h, w, c } = spatial();
      const [kh, kw] = pair(config.kernelSize, 1);
      const [sh, sw] = pair(config.strides, 1);
      const [dh, dw] = pair(config.dilationRate, 1);
      const padding = String(config.padding);
      if (padding !== 'same' && padding !== 'valid') fail(layer.name, `padding ${padding} is not supported`);
      const ph = tfPadding(h, kh, sh, dh, padding);
      const pw = tfPadding(w, kw, sw, dw, padding);
      const [kernel, bias] = weights();
      const useBias = config.useBias !== false;
      let weight: Float32Array;
      let outC: number;
      let group: number;
      if (cls === 'Conv2D') {
        outC = Number(config.filters);
        group = 1;
        if (kernel.length !== kh * kw * c * outC) fail(layer.name, `kernel has ${kernel.length} values, expected ${kh}x${kw}x${c}x${outC}`);
        // tfjs [kh, kw, in, out] -> ONNX [out, in, kh, kw]
        weight = new Float32Array(kernel.length);
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            for (let i = 0; i < c; i++)
              for (let o = 0; o < outC; o++) weight[((o * c + i) * kh + y) * kw + x] = kernel[((y * kw + x) * c + i) * outC + o];
      } else {
        const mult = Number(config.depthMultiplier ?? 1);
        outC = c * mult;
        group = c;
        if (kernel.length !== kh * kw * c * mult) fail(layer.name, `depthwise kernel has ${kernel.length} values, expected ${kh}x${kw}x${c}x${mult}`);
        // tfjs [kh, kw, in, mult] -> ONNX [in * mult, 1, kh, kw]; output channel c * mult + m as in TF.
        weight = new Float32Array(kernel.length);
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            for (let i = 0; i < c; i++)
              for (let m = 0; m < mult; m++) weight[((i * mult + m) * kh + y) * kw + x] = kernel[((y * kw + x) * c + i) * mult + m];
      }
      return addConv(
        {
          weight,
          weightDims: [outC, cls === 'Conv2D' ? c : 1, kh, kw],
          bias: useBias ? Float32Array.from(bias) : null,
          group,
          strides: [sh, sw],
          dilations: [dh, dw],
          pads: [ph.before, pw.before, ph.after, pw.after],
        },
        { rank: 4, h: ph.out, w: pw.out, c: outC },
      );
    }
    case 'BatchNormalization': {
      const rank = shape.rank;
      const axis = Number(config.axis ?? -1);
      if (!(axis === -1 || axis === rank - 1)) fail(layer.name, `axis ${axis} is not supported (only the channel axis)`);
      const n = shape.rank === 4 ? shape.c : shape.features;
      const values = weights();
      const byName = new Map<string, Float32Array>();
      layer.weights.forEach((v, i) => byName.set(v.originalName.split('/').pop() ?? v.originalName, values[i]));
      const get = (key: string, fallback: number): Float32Array => byName.get(key) ?? new Float32Array(n).fill(fallback);
      const params = { gamma: get('gamma', 1), beta: get('beta', 0), mean: get('moving_mean', 0), variance: get('moving_variance', 1) };
      for (const [k, v] of Object.entries(params)) if (v.length !== n) fail(layer.name, `${k} has ${v.length} values, expected ${n}`);
      if (!byName.has('moving_mean') || !byName.has('moving_variance')) fail(layer.name, 'moving_mean/moving_variance weights not found');
      ops.push({ kind: 'bn', layer: layer.name, input, output: name, ...params, epsilon: Number(config.epsilon ?? 1e-3) });
      shapes.set(name, shape);
      return name;
    }
    case 'Activation':
      return addActivation(input, activation(config.activation), shape);
    case 'ReLU': {
      const max = config.maxValue;
      return addActivation(input, max == null ? 'relu' : { clipMax: Number(max) }, shape);
    }
    case 'LeakyReLU':
      return addActivation(input, { leakyAlpha: Number(config.alpha ?? 0.3) }, shape);
    case 'ZeroPadding2D': {
      const { h, w, c } = spatial();
      const p = config.padding as [[number, number], [number, number]];
      const pads: [number, number, number, number] = [p[0][0], p[1][0], p[0][1], p[1][1]];
      ops.push({ kind: 'pad', layer: layer.name, input, output: name, pads });
      shapes.set(name, { rank: 4, h: h + pads[0] + pads[2], w: w + pads[1] + pads[3], c });
      return name;
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const { h, w, c } = spatial();
      const [kh, kw] = pair(config.poolSize, 2);
      const [sh, sw] = pair(config.strides ?? config.poolSize, 2);
      const padding = String(config.padding);
      if (padding !== 'same' && padding !== 'valid') fail(layer.name, `padding ${padding} is not supported`);
      const ph = tfPadding(h, kh, sh, 1, padding);
      const pw = tfPadding(w, kw, sw, 1, padding);
      ops.push({
        kind: 'pool',
        layer: layer.name,
        op: cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool',
        input,
        output: name,
        kernel: [kh, kw],
        strides: [sh, sw],
        pads: [ph.before, pw.before, ph.after, pw.after],
      });
      shapes.set(name, { rank: 4, h: ph.out, w: pw.out, c });
      return name;
    }
    case 'GlobalAveragePooling2D': {
      const { c } = spatial();
      if (config.keepDims === true) fail(layer.name, 'keepDims is not supported');
      ops.push({ kind: 'gap', layer: layer.name, input, output: name });
      shapes.set(name, { rank: 2, features: c });
      return name;
    }
    case 'Flatten': {
      if (shape.rank === 2) return input;
      const { h, w, c } = spatial();
      ops.push({ kind: 'flatten', layer: layer.name, input, output: name });
      shapes.set(name, { rank: 2, features: h * w * c });
      return name;
    }
    case 'Dropout':
    case 'SpatialDropout2D':
      return input; // identity at inference
    case 'Dense': {
      if (shape.rank === 4) {
        // on a feature map, a dense layer acts per position on the channels: a 1x1 convolution (a fine-tuned block)
        const { h, w, c } = spatial();
        const outC = Number(config.units);
        const [kernel, bias] = weights();
        if (kernel.length !== c * outC) fail(layer.name, `kernel has ${kernel.length} values, expected ${c}x${outC}`);
        const weight = new Float32Array(kernel.length); // tfjs [in, out] -> ONNX [out, in, 1, 1]
        for (let i = 0; i < c; i++) for (let o = 0; o < outC; o++) weight[o * c + i] = kernel[i * outC + o];
        return addConv(
          { weight, weightDims: [outC, c, 1, 1], bias: config.useBias !== false ? Float32Array.from(bias) : null, group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] },
          { rank: 4, h, w, c: outC },
        );
      }
      if (shape.rank !== 2) fail(layer.name, 'Dense on a spatial input is not supported; flatten or pool first');
      const inDim = (shape as { features: number }).features;
      const outDim = Number(config.units);
      const [kernel, bias] = weights();
      if (kernel.length !== inDim * outDim) fail(layer.name, `kernel has ${kernel.length} values, expected ${inDim}x${outDim}`);
      const fn = activation(config.activation);
      const pre = fn === null ? name : `${name}/preact`;
      ops.push({ kind: 'dense', layer: layer.name, input, output: pre, kernel: Float32Array.from(kernel), inDim, outDim, bias: config.useBias !== false ? Float32Array.from(bias) : null });
      const out: ValueShape = { rank: 2, features: outDim };
      shapes.set(pre, out);
      return addActivation(pre, fn, out);
    }
    default:
      return fail(layer.name, `layer type ${cls} is not supported`);
  }
}

/** Cross-checks our shape arithmetic against tfjs's own (when the model was built with a fixed input size). */
function checkShape(layer: Layerish, s: ValueShape, fail: (layer: string | undefined, detail: string) => never): void {
  const expected = layer.outputShape;
  if (!Array.isArray(expected) || Array.isArray(expected[0])) return;
  const mine = s.rank === 4 ? [s.h, s.w, s.c] : [s.features];
  const theirs = (expected as (number | null)[]).slice(1);
  if (theirs.length !== mine.length) fail(layer.name, `output rank ${theirs.length + 1} differs from the exported ${mine.length + 1}`);
  theirs.forEach((d, i) => {
    if (d != null && d !== mine[i]) fail(layer.name, `output shape [${theirs.join(', ')}] differs from the exported [${mine.join(', ')}]`);
  });
}

/**
 * 0 for each output position of a max pooling whose window includes a pixel of the zero padding, -inf
 * elsewhere: `Max(MaxPool(x, pads = own + zero pads), mask)` equals MaxPool over the zero-padded input.
 */
function zeroPaddingMask(
  inH: number,
  inW: number,
  zero: readonly [number, number, number, number],
  pool: { kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number] },
  outH: number,
  outW: number,
): Float32Array {
  const touches = (o: number, axis: 0 | 1): boolean => {
    const size = axis === 0 ? inH : inW;
    const before = zero[axis];
    const padded = before + size + zero[axis + 2];
    const start = Math.max(0, o * pool.strides[axis] - pool.pads[axis]);
    const end = Math.min(padded - 1, o * pool.strides[axis] - pool.pads[axis] + pool.kernel[axis] - 1);
    return start < before || end >= before + size;
  };
  const mask = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) mask[y * outW + x] = touches(y, 0) || touches(x, 1) ? 0 : -Infinity;
  }
  return mask;
}

/**
 * Peephole fusions: BatchNormalization into the conv before it, ZeroPadding2D into the conv or pooling
 * after it. Pad before MaxPool is always fused here, exactly (see {@link zeroPaddingMask}), because
 * onnxruntime's own PadFusion (1.30) folds a zero Pad into MaxPool's -inf pads, which is wrong wherever
 * a window holds only negative values.
 */
function fuse(ops: Op[], graphOutput: string, shapes: Map<string, ValueShape>): void {
  const consumers = (value: string): number =>
    ops.reduce((n, op) => n + (op.input === value ? 1 : 0), 0) + (value === graphOutput ? 1 : 0);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.kind === 'bn') {
      const j = ops.findIndex((p) => p.output === op.input);
      const conv = ops[j];
      if (conv?.kind === 'conv' && consumers(conv.output) === 1) {
        // y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta, so W' = W * s and b' = (b - mean) * s + beta.
        const outC = conv.weightDims[0];
        const per = conv.weight.length / outC;
        const bias = new Float32Array(outC);
        for (let o = 0; o < outC; o++) {
          const s = op.gamma[o] / Math.sqrt(op.variance[o] + op.epsilon);
          for (let k = o * per; k < (o + 1) * per; k++) conv.weight[k] = conv.weight[k] * s;
          bias[o] = ((conv.bias ? conv.bias[o] : 0) - op.mean[o]) * s + op.beta[o];
        }
        conv.bias = bias;
        conv.output = op.output;
        ops.splice(i, 1);
        i--;
      }
    } else if (op.kind === 'conv') {
      const j = ops.findIndex((p) => p.output === op.input);
      const pad = ops[j];
      if (pad?.kind === 'pad' && consumers(pad.output) === 1) {
        op.pads = [op.pads[0] + pad.pads[0], op.pads[1] + pad.pads[1], op.pads[2] + pad.pads[2], op.pads[3] + pad.pads[3]];
        op.input = pad.input;
        ops.splice(j, 1);
        i--;
      }
    } else if (op.kind === 'pool') {
      const j = ops.findIndex((p) => p.output === op.input);
      const pad = ops[j];
      if (pad?.kind !== 'pad' || consumers(pad.output) !== 1) continue;
      const pads = [op.pads[0] + pad.pads[0], op.pads[1] + pad.pads[1], op.pads[2] + pad.pads[2], op.pads[3] + pad.pads[3]] as const;
      // onnxruntime's pooling kernels require every pad to be smaller than the kernel.
      if (pads.some((p, k) => p >= op.kernel[k % 2])) continue;
      const before = shapes.get(pad.input) as { h: number; w: number };
      const after = shapes.get(op.output) as { h: number; w: number };
      if (op.op === 'MaxPool') {
        op.zeroMask = zeroPaddingMask(before.h, before.w, pad.pads, op, after.h, after.w);
      } else if (op.pads.every((p) => p === 0)) {
        op.countIncludePad = true;
      } else {
        continue; // SAME average pooling of a zero-padded input: two pad semantics; keep the Pad node
      }
      op.pads = [...pads];
      op.input = pad.input;
      ops.splice(j, 1);
      i--;
    }
  }
}

function emit(
  ops: Op[],
  last: string,
  shapes: Map<string, ValueShape>,
  [h0, w0, c0]: [number, number, number],
  modelName: string,
  cutLayer: string | undefined,
): OnnxGraph {
  const graph: OnnxGraph = {
    name: modelName,
    nodes: [],
    initializers: [],
    inputs: [{ name: ONNX_INPUT_NAME, dims: ['N', h0, w0, c0] }],
    outputs: [],
    docString: `Exported from tfjs model ${modelName}${cutLayer ? ` cut at ${cutLayer}` : ''} by @cxr/model exportOnnx v${ONNX_EXPORTER_VERSION}. NOT FOR CLINICAL USE.`,
  };
  const nodes = graph.nodes;
  const constants = new Map<string, string>();
  const scalar = (v: number): string => {
    const key = `const_${v}`;
    if (!constants.has(key)) {
      constants.set(key, key);
      graph.initializers.push({ name: key, dims: [], data: Float32Array.of(v) });
    }
    return key;
  };
  const node = (n: OnnxNode): void => {
    nodes.push(n);
  };
  const ints = (value: readonly number[]) => ({ type: 'ints' as const, value });

  node({ opType: 'Transpose', name: 'input/to_nchw', inputs: [ONNX_INPUT_NAME], outputs: ['input_nchw'], attributes: { perm: ints([0, 3, 1, 2]) } });
  for (const op of ops) {
    switch (op.kind) {
      case 'conv': {
        const inputs = [op.input, `${op.layer}/W`];
        graph.initializers.push({ name: `${op.layer}/W`, dims: op.weightDims, data: op.weight });
        if (op.bias) {
          graph.initializers.push({ name: `${op.layer}/B`, dims: [op.bias.length], data: op.bias });
          inputs.push(`${op.layer}/B`);
        }
        node({
          opType: 'Conv',
          name: op.layer,
          inputs,
          outputs: [op.output],
          attributes: {
            kernel_shape: ints(op.weightDims.slice(2)),
            strides: ints(op.strides),
            dilations: ints(op.dilations),
            pads: ints(op.pads),
            group: { type: 'int', value: op.group },
          },
        });
        break;
      }
      case 'bn': {
        const n = op.gamma.length;
        for (const [k, v] of [['scale', op.gamma], ['bias', op.beta], ['mean', op.mean], ['var', op.variance]] as const) {
          graph.initializers.push({ name: `${op.layer}/${k}`, dims: [n], data: v });
        }
        node({
          opType: 'BatchNormalization',
          name: op.layer,
          inputs: [op.input, `${op.layer}/scale`, `${op.layer}/bias`, `${op.layer}/mean`, `${op.layer}/var`],
          outputs: [op.output],
          attributes: { epsilon: { type: 'float', value: op.epsilon } },
        });
        break;
      }
      case 'act': {
        const fn = op.fn;
        const name = `${op.layer}/act`;
        if (fn === 'relu') node({ opType: 'Relu', name, inputs: [op.input], outputs: [op.output] });
        else if (fn === 'relu6') node({ opType: 'Clip', name, inputs: [op.input, scalar(0), scalar(6)], outputs: [op.output] });
        else if (fn === 'sigmoid') node({ opType: 'Sigmoid', name, inputs: [op.input], outputs: [op.output] });
        else if (fn === 'tanh') node({ opType: 'Tanh', name, inputs: [op.input], outputs: [op.output] });
        else if (fn === 'softmax') {
          // tfjs: over the last (channel) axis, which is axis 1 of an NCHW value.
          const axis = shapes.get(op.input)?.rank === 4 ? 1 : -1;
          node({ opType: 'Softmax', name, inputs: [op.input], outputs: [op.output], attributes: { axis: { type: 'int', value: axis } } });
        }
        else if ('clipMax' in fn) node({ opType: 'Clip', name, inputs: [op.input, scalar(0), scalar(fn.clipMax)], outputs: [op.output] });
        else node({ opType: 'LeakyRelu', name, inputs: [op.input], outputs: [op.output], attributes: { alpha: { type: 'float', value: fn.leakyAlpha } } });
        break;
      }
      case 'pad': {
        const [t, l, b, r] = op.pads;
        if (ops.some((o) => o.kind === 'pool' && o.input === op.output)) {
          // Before a pooling, onnxruntime's PadFusion would fold a Pad node into the pool wrongly (MaxPool) or
          // into invalid pads (pads >= kernel): zero-pad with an identity 1x1 depthwise Conv, which it leaves be.
          const c = (shapes.get(op.input) as { c: number }).c;
          graph.initializers.push({ name: `${op.layer}/W`, dims: [c, 1, 1, 1], data: new Float32Array(c).fill(1) });
          node({
            opType: 'Conv',
            name: op.layer,
            inputs: [op.input, `${op.layer}/W`],
            outputs: [op.output],
            attributes: { kernel_shape: ints([1, 1]), pads: ints(op.pads), group: { type: 'int', value: c } },
          });
          break;
        }
        graph.initializers.push({ name: `${op.layer}/pads`, dims: [8], data: BigInt64Array.from([0, 0, t, l, 0, 0, b, r].map(BigInt)) });
        node({ opType: 'Pad', name: op.layer, inputs: [op.input, `${op.layer}/pads`], outputs: [op.output], attributes: { mode: { type: 'string', value: 'constant' } } });
        break;
      }
      case 'pool': {
        const attributes: Record<string, OnnxAttribute> = { kernel_shape: ints(op.kernel), strides: ints(op.strides), pads: ints(op.pads) };
        // count_include_pad defaults to 0: TF's SAME average pooling also divides by the valid pixels only.
        if (op.countIncludePad) attributes.count_include_pad = { type: 'int', value: 1 };
        const pooled = op.zeroMask ? `${op.output}/pool` : op.output;
        node({ opType: op.op, name: op.layer, inputs: [op.input], outputs: [pooled], attributes });
        if (op.zeroMask) {
          const s = shapes.get(op.output) as { h: number; w: number };
          graph.initializers.push({ name: `${op.layer}/zero_mask`, dims: [1, 1, s.h, s.w], data: op.zeroMask });
          node({ opType: 'Max', name: `${op.layer}/zero_padding`, inputs: [pooled, `${op.layer}/zero_mask`], outputs: [op.output] });
        }
        break;
      }
      case 'gap':
        node({ opType: 'GlobalAveragePool', name: op.layer, inputs: [op.input], outputs: [`${op.output}/nc11`] });
        node({ opType: 'Flatten', name: `${op.layer}/flatten`, inputs: [`${op.output}/nc11`], outputs: [op.output], attributes: { axis: { type: 'int', value: 1 } } });
        break;
      case 'flatten':
        // tfjs flattens NHWC (h, w, c order): go back to NHWC first.
        node({ opType: 'Transpose', name: `${op.layer}/to_nhwc`, inputs: [op.input], outputs: [`${op.output}/nhwc`], attributes: { perm: ints([0, 2, 3, 1]) } });
        node({ opType: 'Flatten', name: op.layer, inputs: [`${op.output}/nhwc`], outputs: [op.output], attributes: { axis: { type: 'int', value: 1 } } });
        break;
      case 'dense': {
        const inputs = [op.input, `${op.layer}/W`];
        graph.initializers.push({ name: `${op.layer}/W`, dims: [op.inDim, op.outDim], data: op.kernel });
        if (op.bias) {
          graph.initializers.push({ name: `${op.layer}/B`, dims: [op.outDim], data: op.bias });
          inputs.push(`${op.layer}/B`);
        }
        node({ opType: 'Gemm', name: op.layer, inputs, outputs: [op.output] });
        break;
      }
    }
  }
  const s = shapes.get(last) as ValueShape;
  if (s.rank === 4) {
    node({ opType: 'Transpose', name: 'output/to_nhwc', inputs: [last], outputs: [ONNX_OUTPUT_NAME], attributes: { perm: ints([0, 2, 3, 1]) } });
    graph.outputs.push({ name: ONNX_OUTPUT_NAME, dims: ['N', s.h, s.w, s.c] });
  } else {
    node({ opType: 'Identity', name: 'output', inputs: [last], outputs: [ONNX_OUTPUT_NAME] });
    graph.outputs.push({ name: ONNX_OUTPUT_NAME, dims: ['N', s.features] });
  }
  return graph;
}
