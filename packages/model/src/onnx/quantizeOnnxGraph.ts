// Hand-written static quantisation: onnxruntime's own tool (onnxruntime.quantization.quantize_static) is Python
// only, and neither Python onnxruntime nor PyPI is available to a Node user of this package.
import { OnnxExportError } from '../errors';
import type { OnnxGraph, OnnxInitializer, OnnxNode } from './encodeOnnxModel';

/** Observed range of one activation tensor over the calibration images. */
export interface ActivationRange {
  min: number;
  max: number;
  /**
   * Mean of each channel (NCHW axis 1) over the calibration images and positions, when measured: with it,
   * {@link quantizeOnnxGraph} corrects the bias of the convolutions reading this tensor (see `biasCorrection`).
   */
  channelMeans?: Float32Array;
}

/** Options of {@link quantizeOnnxGraph}. */
export interface QuantizeOnnxOptions {
  /**
   * Quantise weights to 7 bits ([-63, 63]) instead of 8 ([-127, 127]): onnxruntime's `reduce_range`, for CPUs
   * without VNNI, where the AVX2 u8 x s8 kernel can saturate its 16-bit sums. Default false.
   */
  reduceRange?: boolean;
  /**
   * Bias correction (Nagel et al. 2019, "Data-Free Quantization", section 4.2, with measured means): a convolution's
   * rounded weights shift its output mean by (W_q - W) E[x]; that shift is subtracted from the bias, with E[x] the
   * `channelMeans` of its input's range. Default true (where means were measured). Without it, MobileNet v1's
   * BatchNorm-folded weights on always-positive ReLU6 inputs add up to a feature cosine of 0.96 to float32; with
   * it 0.994 (the int8 bench).
   */
  biasCorrection?: boolean;
  /**
   * Amounts to subtract from convolution biases (by node name, one per output channel), applied after the
   * `channelMeans` correction: what `measureBiasCorrections` measured on images.
   */
  biasCorrections?: ReadonlyMap<string, Float32Array>;
  /**
   * Convolutions left in float32, with no int8 weights and no QuantizeLinear/DequantizeLinear of their own:
   * - `'stem'`: the graph's first convolution and the grouped (depthwise) ones right after it, up to the next
   *   ungrouped one (MobileNet v1's conv1 and conv_dw_1, about 3% of its multiply-adds). Its 112 x 112 x 32 ReLU6 output
   *   is the tensor per-tensor uint8 hurts most: MobileNet v1's worst held-out image goes from cosine 0.981 to
   *   0.997 to float32 (tools/bench/src/int8Variants.mjs).
   * - `'depthwise'`: every grouped convolution (group > 1).
   * - a predicate over each Conv node (with its index among the graph's Conv nodes).
   *
   * A float convolution reads the output of the int8 one before it dequantised, and the int8 one after it reads its
   * output quantised, so every int8 convolution keeps its `DQ -> Conv -> (Relu/Clip) -> Q` for QLinearConv.
   * Default: none (every convolution int8).
   */
  keepFloat?: 'stem' | 'depthwise' | ((conv: OnnxNode, index: number) => boolean);
}

/** The quantisation parameters of one uint8 activation tensor. */
interface QParams {
  scale: number;
  zeroPoint: number;
}

/**
 * The activation tensors {@link quantizeOnnxGraph} puts QuantizeLinear/DequantizeLinear pairs on, in graph order:
 * every Conv's data input, and every Conv's output after its Relu/Clip when it has one (so that onnxruntime fuses
 * `DQ -> Conv -> (Relu) -> Q` into one QLinearConv). A MaxPool between two of them keeps its input's parameters
 * (onnxruntime then pools the uint8 values directly), so its output is not listed: it needs no calibration.
 * Convolutions that `keepFloat` names are left out (their inputs and outputs are listed only where an int8
 * convolution reads or writes them).
 */
export function quantizableTensors(graph: OnnxGraph, options: Pick<QuantizeOnnxOptions, 'keepFloat'> = {}): string[] {
  return planQuantization(graph, options.keepFloat).calibrated;
}

interface Plan {
  /** The Conv nodes made int8. */
  quantized: Set<OnnxNode>;
  /** Tensors whose range is measured. */
  calibrated: string[];
  /** MaxPool output -> its input (same quantisation parameters). */
  sharesWith: Map<string, string>;
}

/** A Conv with constant weights (and bias): one {@link quantizeOnnxGraph} can make int8. */
function hasConstantWeights(n: OnnxNode, weights: ReadonlySet<string>): boolean {
  return n.opType === 'Conv' && weights.has(n.inputs[1]) && (n.inputs[2] === undefined || weights.has(n.inputs[2]));
}

/** True for a grouped (e.g. depthwise) convolution. */
export function isGroupedConv(n: OnnxNode): boolean {
  return n.opType === 'Conv' && Number(n.attributes?.group?.value ?? 1) > 1;
}

/** The Conv nodes made int8: those with constant weights, less the ones `keepFloat` names. */
function quantizedConvs(graph: OnnxGraph, keepFloat: QuantizeOnnxOptions['keepFloat']): Set<OnnxNode> {
  const weights = new Set(graph.initializers.map((i) => i.name));
  const convs = graph.nodes.filter((n) => n.opType === 'Conv');
  const stemEnd = convs.findIndex((n, i) => i > 0 && !isGroupedConv(n)); // first ungrouped conv after the first
  const keep = keepFloat === 'depthwise' ? isGroupedConv : keepFloat === 'stem' ? (_: OnnxNode, i: number) => i < (stemEnd < 0 ? convs.length : stemEnd) : keepFloat;
  if (keepFloat !== undefined && typeof keep !== 'function') {
    throw new OnnxExportError(graph.name, undefined, `keepFloat must be 'stem', 'depthwise' or a function, got ${JSON.stringify(keepFloat)}`);
  }
  return new Set(convs.filter((n, i) => hasConstantWeights(n, weights) && !keep?.(n, i)));
}

function planQuantization(graph: OnnxGraph, keepFloat: QuantizeOnnxOptions['keepFloat']): Plan {
  const quantized = quantizedConvs(graph, keepFloat);
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const targets = new Set<string>();
  const order: string[] = [];
  const add = (t: string): void => {
    if (!targets.has(t)) {
      targets.add(t);
      order.push(t);
    }
  };
  for (const n of graph.nodes) {
    if (!quantized.has(n)) continue;
    add(n.inputs[0]);
    const next = consumers.get(n.outputs[0]) ?? [];
    const act = next.length === 1 && (next[0].opType === 'Relu' || next[0].opType === 'Clip') ? next[0] : undefined;
    add(act ? act.outputs[0] : n.outputs[0]);
  }
  const sharesWith = new Map<string, string>();
  for (const n of graph.nodes) {
    if (n.opType === 'MaxPool' && targets.has(n.inputs[0])) sharesWith.set(n.outputs[0], n.inputs[0]);
  }
  // Graph order, for readable calibration outputs; pooled tensors are not measured.
  const producedAt = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producedAt.set(o, i)));
  const calibrated = order.filter((t) => !sharesWith.has(t)).sort((a, b) => (producedAt.get(a) ?? -1) - (producedAt.get(b) ?? -1));
  return { quantized, calibrated, sharesWith };
}

/**
 * The graph with every tensor of {@link quantizableTensors} added as a graph output (shape left open), for
 * measuring activation ranges with onnxruntime. The original output stays first.
 */
export function calibrationGraph(graph: OnnxGraph, options: Pick<QuantizeOnnxOptions, 'keepFloat'> = {}): OnnxGraph {
  return { ...graph, outputs: [...graph.outputs, ...quantizableTensors(graph, options).map((name) => ({ name }))] };
}

/** uint8 asymmetric parameters covering [min, max] and 0 (ONNX QuantizeLinear: q = round(x / scale) + zeroPoint). */
function activationParams(range: ActivationRange): QParams {
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`activation range [${range.min}, ${range.max}] is not finite`);
  const scale = hi - lo > 1e-12 ? (hi - lo) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

/**
 * Turns a float32 graph made by `buildOnnxGraph` into a QDQ int8 graph that onnxruntime runs with QLinearConv:
 * per-output-channel symmetric int8 weights, int32 biases (scale = input scale x weight scale), and uint8
 * activations with the given ranges (from {@link calibrationGraph} run over calibration images, e.g. with
 * `calibrateOnnxGraph`). Inputs and outputs stay float32 and keep their names and shapes.
 *
 * @throws OnnxExportError when a tensor of {@link quantizableTensors} has no range.
 * @example
 * const graph = buildOnnxGraph(backbone.model);
 * const int8 = encodeOnnxModel(quantizeOnnxGraph(graph, ranges));
 */
export function quantizeOnnxGraph(graph: OnnxGraph, ranges: ReadonlyMap<string, ActivationRange>, options: QuantizeOnnxOptions = {}): OnnxGraph {
  const plan = planQuantization(graph, options.keepFloat);
  const { quantized } = plan;
  const floatConvs = graph.nodes.filter((n) => n.opType === 'Conv' && !quantized.has(n)).length;
  const qmax = options.reduceRange ? 63 : 127;
  const params = new Map<string, QParams>();
  for (const t of plan.calibrated) {
    const r = ranges.get(t);
    if (r === undefined) throw new OnnxExportError(graph.name, undefined, `no calibration range for tensor ${t}`);
    params.set(t, activationParams(r));
  }
  for (const [out, input] of plan.sharesWith) params.set(out, params.get(input) as QParams);

  const initializers = new Map(graph.initializers.map((i) => [i.name, i]));
  const newInits: OnnxInitializer[] = [];
  const dropped = new Set<string>();
  const weightNodes: OnnxNode[] = [];
  const rename = new Map<string, string>(); // consumers of a quantised tensor read its DequantizeLinear output
  const nodes: OnnxNode[] = [];

  const qdq = (t: string): OnnxNode[] => {
    const p = params.get(t) as QParams;
    newInits.push({ name: `${t}/q_scale`, dims: [], data: Float32Array.of(p.scale) });
    newInits.push({ name: `${t}/q_zero`, dims: [], data: Uint8Array.of(p.zeroPoint) });
    rename.set(t, `${t}/dq`);
    return [
      { opType: 'QuantizeLinear', name: `${t}/quantize`, inputs: [t, `${t}/q_scale`, `${t}/q_zero`], outputs: [`${t}/q`] },
      { opType: 'DequantizeLinear', name: `${t}/dequantize`, inputs: [`${t}/q`, `${t}/q_scale`, `${t}/q_zero`], outputs: [`${t}/dq`] },
    ];
  };

  /**
   * A float32 convolution's quantised input, dequantised per channel (axis 1, every channel at the tensor's one
   * scale and zero point: the same values as its per-tensor DequantizeLinear). onnxruntime's WeightBiasQuantization
   * (1.20 and later, basic level) turns a Conv between a per-tensor DequantizeLinear and a QuantizeLinear (Relu or
   * Clip between) into a QDQ Conv by quantising its float weights per tensor, which ruins depthwise weights (MobileNet
   * v1's features at cosine 0.73 to float32); it leaves a per-channel input alone.
   */
  const emitted = new Set<string>();
  const perChannelDq = (conv: OnnxNode): string => {
    const t = conv.inputs[0];
    const name = `${t}/dq_per_channel`;
    if (emitted.has(name)) return name;
    const w = initializers.get(conv.inputs[1]);
    if (w === undefined) return rename.get(t) ?? t; // weights computed in the graph: nothing to quantise them
    const channels = w.dims[1] * Number(conv.attributes?.group?.value ?? 1);
    const p = params.get(t) as QParams;
    newInits.push({ name: `${name}/scale`, dims: [channels], data: new Float32Array(channels).fill(p.scale) });
    newInits.push({ name: `${name}/zero`, dims: [channels], data: new Uint8Array(channels).fill(p.zeroPoint) });
    nodes.push({ opType: 'DequantizeLinear', name: `${t}/dequantize_per_channel`, inputs: [`${t}/q`, `${name}/scale`, `${name}/zero`], outputs: [name], attributes: { axis: { type: 'int', value: 1 } } });
    emitted.add(name);
    return name;
  };

  const inputTensors = new Set(graph.inputs.map((i) => i.name));
  for (const t of params.keys()) if (inputTensors.has(t)) nodes.push(...qdq(t));
  for (const n of graph.nodes) {
    let node: OnnxNode = { ...n, inputs: n.inputs.map((i) => rename.get(i) ?? i) };
    if (quantized.has(n)) node = quantizeConv(node, n, params.get(n.inputs[0]) as QParams);
    else if (n.opType === 'Conv' && params.has(n.inputs[0])) node = { ...node, inputs: [perChannelDq(n), ...node.inputs.slice(1)] };
    nodes.push(node);
    for (const o of n.outputs) if (params.has(o)) nodes.push(...qdq(o));
  }

  function quantizeConv(node: OnnxNode, original: OnnxNode, x: QParams): OnnxNode {
    const w = initializers.get(original.inputs[1]) as OnnxInitializer;
    const data = w.data as Float32Array;
    const outC = w.dims[0];
    const per = data.length / outC;
    const wq = new Int8Array(data.length);
    const wScale = new Float32Array(outC);
    const biasInit = original.inputs[2] === undefined ? undefined : (initializers.get(original.inputs[2]) as OnnxInitializer);
    const means = options.biasCorrection === false ? undefined : ranges.get(original.inputs[0])?.channelMeans;
    const measured = options.biasCorrections?.get(original.name);
    // A copy: the float graph's initializers stay as they were.
    const bias = biasInit ? Float32Array.from(biasInit.data as Float32Array) : means || measured ? new Float32Array(outC) : undefined;
    for (let o = 0; o < outC; o++) {
      let m = 0;
      for (let k = o * per; k < (o + 1) * per; k++) m = Math.max(m, Math.abs(data[k]));
      // The int32 bias has scale x.scale * s: a channel whose weights are all but zero (BatchNorm folded with a
      // tiny gamma: MobileNet v1 has such channels, constant at their bias) would push its bias far past int32 and
      // be clamped to about 0. The scale is raised until the bias fits in 2^30 steps (its weights round to 0,
      // as they nearly are).
      const biasFloor = bias ? Math.abs(bias[o]) / (x.scale * 2 ** 30) : 0;
      const s = Math.max(m / qmax, biasFloor) || 1;
      wScale[o] = s;
      for (let k = o * per; k < (o + 1) * per; k++) wq[k] = Math.max(-qmax, Math.min(qmax, Math.round(data[k] / s)));
    }
    if (means && bias) correctBias(bias, data, wq, wScale, w.dims, Number(original.attributes?.group?.value ?? 1), means);
    if (measured && bias) for (let o = 0; o < outC; o++) bias[o] -= measured[o] ?? 0;
    dropped.add(w.name);
    newInits.push(
      { name: `${w.name}/int8`, dims: w.dims, data: wq },
      { name: `${w.name}/scale`, dims: [outC], data: wScale },
      { name: `${w.name}/zero`, dims: [outC], data: new Int8Array(outC) },
    );
    weightNodes.push({
      opType: 'DequantizeLinear',
      name: `${w.name}/dequantize`,
      inputs: [`${w.name}/int8`, `${w.name}/scale`, `${w.name}/zero`],
      outputs: [`${w.name}/dq`],
      attributes: { axis: { type: 'int', value: 0 } },
    });
    const inputs = [node.inputs[0], `${w.name}/dq`];
    if (bias) {
      const b: OnnxInitializer = biasInit ?? { name: `${original.name}/bias_correction`, dims: [outC], data: bias };
      const bq = new Int32Array(outC);
      const bScale = new Float32Array(outC);
      for (let o = 0; o < outC; o++) {
        bScale[o] = x.scale * wScale[o];
        bq[o] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(bias[o] / bScale[o])));
      }
      if (biasInit) dropped.add(b.name);
      newInits.push(
        { name: `${b.name}/int32`, dims: b.dims, data: bq },
        { name: `${b.name}/scale`, dims: [outC], data: bScale },
        { name: `${b.name}/zero`, dims: [outC], data: new Int32Array(outC) },
      );
      weightNodes.push({
        opType: 'DequantizeLinear',
        name: `${b.name}/dequantize`,
        inputs: [`${b.name}/int32`, `${b.name}/scale`, `${b.name}/zero`],
        outputs: [`${b.name}/dq`],
        attributes: { axis: { type: 'int', value: 0 } },
      });
      inputs.push(`${b.name}/dq`);
    }
    return { ...node, inputs };
  }

  return {
    ...graph,
    nodes: [...weightNodes, ...nodes],
    initializers: [...graph.initializers.filter((i) => !dropped.has(i.name)), ...newInits],
    docString: `${graph.docString ?? ''} Quantised int8 (QDQ: per-channel int8 weights, uint8 activations${options.reduceRange ? ', 7-bit weights' : ''}${floatConvs > 0 ? `, ${floatConvs} convolutions float32` : ''}).`.trim(),
  };
}

/**
 * Subtracts from each output channel's bias the mean shift its rounded weights cause: sum over its weights of
 * (w_q * scale - w) * E[input channel]. Weights are OIHW; with `group` > 1, output o reads input channels
 * g * I .. g * I + I - 1 of group g = floor(o / (O / group)).
 */
function correctBias(bias: Float32Array, w: Float32Array, wq: Int8Array, wScale: Float32Array, dims: readonly number[], group: number, means: Float32Array): void {
  const [outC, inPerGroup] = dims;
  const taps = dims.slice(2).reduce((a, b) => a * b, 1);
  const outPerGroup = outC / group;
  for (let o = 0; o < outC; o++) {
    const firstIn = Math.floor(o / outPerGroup) * inPerGroup;
    let shift = 0;
    for (let i = 0; i < inPerGroup; i++) {
      const mean = means[firstIn + i];
      for (let k = (o * inPerGroup + i) * taps, end = k + taps; k < end; k++) shift += (wq[k] * wScale[o] - w[k]) * mean;
    }
    bias[o] -= shift;
  }
}
