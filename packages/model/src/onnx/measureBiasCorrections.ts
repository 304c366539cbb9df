import { availableParallelism } from 'node:os';
import { OnnxRuntimeError } from '../errors';
import { encodeOnnxModel, type OnnxGraph, type OnnxNode } from './encodeOnnxModel';
import { ONNX_INPUT_NAME } from './exportOnnx';
import { loadOnnxRuntime, type OnnxRuntimeLoader, type OnnxRuntimeSession } from './loadOnnxRuntime';
import { quantizeOnnxGraph, type ActivationRange, type QuantizeOnnxOptions } from './quantizeOnnxGraph';

/** Options of {@link measureBiasCorrections}. */
export interface MeasureBiasCorrectionsOptions {
  /** Images run at once (default 4). */
  batchSize?: number;
  /** onnxruntime intra-op threads (default: all cores). */
  intraOpNumThreads?: number;
  /** Passed to `quantizeOnnxGraph` (e.g. `reduceRange`): the corrections are measured on that graph. */
  quantize?: QuantizeOnnxOptions;
  loader?: OnnxRuntimeLoader;
}

/**
 * Empirical bias correction (Nagel et al. 2019, "Data-Free Quantization", section 4.2, measured on images): for
 * each quantised convolution in graph order, the mean shift of its output channels between the int8 graph
 * (as `quantizeOnnxGraph(graph, ranges)` makes it, with the corrections of the convolutions before it already
 * applied) and the float32 graph, over the calibration images. Pass the result to `quantizeOnnxGraph` as
 * `biasCorrections`. Unlike the weight-only correction from `channelMeans`, it also removes the shifts that
 * uint8 activations and ReLU6 clipping of quantisation noise cause: MobileNet v1's features go from cosine 0.994
 * to 0.996 to float32 (the int8 bench). One pass over the images per convolution, each stopping at it.
 *
 * @param images `n * h * w * c` values (NHWC, preprocessed as the backbone expects): the calibration images.
 * @returns the amount to subtract from each convolution's bias (by node name), one value per output channel.
 */
export async function measureBiasCorrections(
  graph: OnnxGraph,
  ranges: ReadonlyMap<string, ActivationRange>,
  images: Float32Array,
  n: number,
  options: MeasureBiasCorrectionsOptions = {},
): Promise<Map<string, Float32Array>> {
  const ort = await loadOnnxRuntime(options.loader);
  const [h, w, c] = (graph.inputs[0].dims ?? []).slice(1).map(Number);
  const size = h * w * c;
  if (!Number.isInteger(n) || n < 1 || images.length !== n * size) {
    throw new OnnxRuntimeError(`bias correction needs n x ${h} x ${w} x ${c} values, got ${images.length} for n = ${n}`);
  }
  const quantized = quantizeOnnxGraph(graph, ranges, options.quantize);
  const weights = new Set(quantized.initializers.map((i) => i.name));
  // The quantised convolutions: their weights are now DequantizeLinear outputs of int8 initializers.
  const convs = quantized.nodes.filter((node) => node.opType === 'Conv' && node.inputs[1].endsWith('/dq') && weights.has(`${node.inputs[1].slice(0, -3)}/int8`));
  const shiftInput = (node: OnnxNode): string => `${node.name}/bias_shift`;
  // Each convolution's output gets `+ shift` (a graph input, [1, C, 1, 1]) before whatever read it.
  const nodes: OnnxNode[] = [];
  for (const node of quantized.nodes) {
    if (!convs.includes(node)) {
      nodes.push(node);
      continue;
    }
    const y = node.outputs[0];
    nodes.push({ ...node, outputs: [`${y}/unshifted`] }, { opType: 'Add', name: `${node.name}/shift`, inputs: [`${y}/unshifted`, shiftInput(node)], outputs: [y] });
  }
  const channels = new Map(convs.map((node) => [node.name, quantized.initializers.find((i) => i.name === node.inputs[1].replace(/\/dq$/, '/int8'))?.dims[0] ?? 0]));
  const shifted: OnnxGraph = {
    ...quantized,
    nodes,
    inputs: [...quantized.inputs, ...convs.map((node) => ({ name: shiftInput(node), dims: [1, channels.get(node.name) ?? 0, 1, 1] }))],
    outputs: convs.map((node) => ({ name: node.outputs[0] })),
  };
  const reference: OnnxGraph = { ...graph, outputs: convs.map((node) => ({ name: node.outputs[0] })) };
  const sessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: options.intraOpNumThreads ?? availableParallelism() };
  let fp: OnnxRuntimeSession | undefined;
  let sim: OnnxRuntimeSession | undefined;
  try {
    fp = await ort.InferenceSession.create(encodeOnnxModel(reference), { ...sessionOptions, graphOptimizationLevel: 'all' });
    // No graph optimisations: Q/DQ run as written (the int8 arithmetic, simulated in float32), the Add stays apart.
    sim = await ort.InferenceSession.create(encodeOnnxModel(shifted), { ...sessionOptions, graphOptimizationLevel: 'disabled' });
  } catch (e) {
    await fp?.release();
    throw new OnnxRuntimeError(`onnxruntime could not load the bias-correction graphs: ${String(e)}`, { cause: e });
  }
  const batchSize = options.batchSize ?? 4;
  const shifts = new Map(convs.map((node) => [node.name, new Float32Array(channels.get(node.name) ?? 0)]));
  /** Per-channel means of the fetched NCHW outputs over all images. */
  const channelMeans = async (session: OnnxRuntimeSession, fetches: string[], feeds: Record<string, unknown>): Promise<Map<string, Float64Array>> => {
    const sums = new Map<string, Float64Array>();
    const counts = new Map<string, number>();
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const out = await session.run({ ...feeds, [ONNX_INPUT_NAME]: new ort.Tensor('float32', images.subarray(start * size, (start + m) * size), [m, h, w, c]) }, fetches);
      for (const name of fetches) {
        const data = out[name].data as Float32Array;
        const [batch, ch] = out[name].dims ?? [];
        const inner = data.length / (batch * ch);
        const sum = sums.get(name) ?? new Float64Array(ch);
        for (let i = 0; i < data.length; i++) sum[Math.floor(i / inner) % ch] += data[i];
        sums.set(name, sum);
        counts.set(name, (counts.get(name) ?? 0) + batch * inner);
      }
    }
    for (const [name, sum] of sums) for (let k = 0; k < sum.length; k++) sum[k] /= counts.get(name) as number;
    return sums;
  };
  try {
    const target = await channelMeans(fp, convs.map((node) => node.outputs[0]), {});
    for (const node of convs) {
      const feeds = Object.fromEntries(convs.map((other) => [shiftInput(other), new ort.Tensor('float32', shifts.get(other.name) as Float32Array, [1, channels.get(other.name) ?? 0, 1, 1])]));
      const y = node.outputs[0];
      const got = (await channelMeans(sim, [y], feeds)).get(y) as Float64Array;
      const want = target.get(y) as Float64Array;
      const shift = shifts.get(node.name) as Float32Array;
      for (let k = 0; k < shift.length; k++) shift[k] -= got[k] - want[k];
    }
  } finally {
    await fp.release();
    await sim.release();
  }
  // A shift s added to the output is a correction -s subtracted from the bias.
  return new Map([...shifts].map(([name, s]) => [name, s.map((v) => -v)]));
}
