import { availableParallelism } from 'node:os';
import { OnnxRuntimeError } from '../errors';
import { encodeOnnxModel, type OnnxGraph } from './encodeOnnxModel';
import { ONNX_INPUT_NAME } from './exportOnnx';
import { loadOnnxRuntime, type OnnxRuntimeLoader } from './loadOnnxRuntime';
import { calibrationGraph, quantizableTensors, type ActivationRange } from './quantizeOnnxGraph';

/** Options of {@link calibrateOnnxGraph}. */
export interface CalibrateOnnxOptions {
  /** Images run at once (default 4). */
  batchSize?: number;
  /**
   * `minmax` (default): each tensor's range is its min and max. `percentile`: a second pass histograms each tensor
   * and clips the range at the `percentile` (default 99.99) of its values on each side of 0, trading rare outliers
   * for finer steps on the bulk.
   */
  method?: 'minmax' | 'percentile';
  percentile?: number;
  /** onnxruntime intra-op threads (default: all cores). */
  intraOpNumThreads?: number;
  loader?: OnnxRuntimeLoader;
}

/**
 * Min/max (and the per-channel means, for bias correction) of every activation tensor {@link quantizeOnnxGraph} quantises, over calibration images (NHWC float32,
 * preprocessed as the backbone expects; a few dozen training images are enough), measured with onnxruntime on the
 * float32 graph.
 *
 * @param images `n * h * w * c` values.
 * @example
 * const ranges = await calibrateOnnxGraph(graph, images, 32);
 */
export async function calibrateOnnxGraph(
  graph: OnnxGraph,
  images: Float32Array,
  n: number,
  options: CalibrateOnnxOptions = {},
): Promise<Map<string, ActivationRange>> {
  const ort = await loadOnnxRuntime(options.loader);
  const dims = graph.inputs[0].dims ?? [];
  const [h, w, c] = dims.slice(1).map(Number);
  const size = h * w * c;
  if (!Number.isInteger(n) || n < 1 || images.length !== n * size) {
    throw new OnnxRuntimeError(`calibration needs n x ${h} x ${w} x ${c} values, got ${images.length} for n = ${n}`);
  }
  const names = quantizableTensors(graph);
  let session;
  try {
    session = await ort.InferenceSession.create(encodeOnnxModel(calibrationGraph(graph)), {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.intraOpNumThreads ?? availableParallelism(),
      graphOptimizationLevel: 'all',
    });
  } catch (e) {
    throw new OnnxRuntimeError(`onnxruntime could not load the calibration graph: ${String(e)}`, { cause: e });
  }
  const ranges = new Map<string, ActivationRange>(names.map((t) => [t, { min: Infinity, max: -Infinity }]));
  const batchSize = options.batchSize ?? 4;
  const BINS = 4096;
  const histograms = new Map<string, { neg: Float64Array; pos: Float64Array }>();
  const pass = async (visit: (t: string, data: Float32Array, dims: readonly number[]) => void): Promise<void> => {
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const input = new ort.Tensor('float32', images.subarray(start * size, (start + m) * size), [m, h, w, c]);
      const out = await session.run({ [ONNX_INPUT_NAME]: input });
      for (const t of names) visit(t, out[t].data as Float32Array, out[t].dims ?? []);
    }
  };
  // Channel sums (NCHW axis 1) for the bias correction of quantizeOnnxGraph, in float64.
  const sums = new Map<string, { sum: Float64Array; count: number }>();
  try {
    await pass((t, data, tensorDims) => {
      const r = ranges.get(t) as ActivationRange;
      let lo = r.min;
      let hi = r.max;
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      r.min = lo;
      r.max = hi;
      if (tensorDims.length < 2) return;
      const [batch, channels] = tensorDims;
      const inner = data.length / (batch * channels);
      const acc = sums.get(t) ?? { sum: new Float64Array(channels), count: 0 };
      for (let b = 0; b < batch; b++) {
        for (let ch = 0; ch < channels; ch++) {
          let total = 0;
          for (let i = (b * channels + ch) * inner, end = i + inner; i < end; i++) total += data[i];
          acc.sum[ch] += total;
        }
      }
      acc.count += batch * inner;
      sums.set(t, acc);
    });
    for (const [t, { sum, count }] of sums) (ranges.get(t) as ActivationRange).channelMeans = Float32Array.from(sum, (v) => v / count);
    if (options.method === 'percentile') {
      for (const t of names) histograms.set(t, { neg: new Float64Array(BINS), pos: new Float64Array(BINS) });
      await pass((t, data) => {
        const r = ranges.get(t) as ActivationRange;
        const hist = histograms.get(t) as { neg: Float64Array; pos: Float64Array };
        const posStep = r.max > 0 ? r.max / BINS : 1;
        const negStep = r.min < 0 ? -r.min / BINS : 1;
        for (let i = 0; i < data.length; i++) {
          const v = data[i];
          if (v > 0) hist.pos[Math.min(BINS - 1, Math.floor(v / posStep))]++;
          else if (v < 0) hist.neg[Math.min(BINS - 1, Math.floor(-v / negStep))]++;
        }
      });
      const keep = (options.percentile ?? 99.99) / 100;
      for (const t of names) {
        const r = ranges.get(t) as ActivationRange;
        const hist = histograms.get(t) as { neg: Float64Array; pos: Float64Array };
        // The bin edge below which `keep` of the values on that side of 0 lie.
        const cut = (bins: Float64Array, extent: number): number => {
          const total = bins.reduce((a, b) => a + b, 0);
          if (total === 0) return extent;
          let acc = 0;
          for (let b = 0; b < BINS; b++) {
            acc += bins[b];
            if (acc >= keep * total) return ((b + 1) / BINS) * extent;
          }
          return extent;
        };
        ranges.set(t, { ...r, min: r.min < 0 ? -cut(hist.neg, -r.min) : r.min, max: r.max > 0 ? cut(hist.pos, r.max) : r.max });
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}
