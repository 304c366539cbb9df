/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OnnxExportError, OnnxRuntimeError } from '../errors';
import { calibrateOnnxGraph } from './calibrateOnnxGraph';
import { createOnnxExtractor } from './createOnnxExtractor';
import { encodeOnnxModel } from './encodeOnnxModel';
import { buildOnnxGraph } from './exportOnnx';
import { exportInt8Onnx, getOrExportOnnx, ONNX_QUANTIZER_VERSION } from './getOrExportOnnx';
import { loadOnnxRuntime } from './loadOnnxRuntime';
import { measureBiasCorrections } from './measureBiasCorrections';
import { quantizableTensors, quantizeOnnxGraph, type ActivationRange } from './quantizeOnnxGraph';
import type { OnnxGraph } from './encodeOnnxModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 1x1 conv, weight 0.5, bias 0.1, relu, on a 2x2 single-channel image. */
function tinyConv(): tfl.LayersModel {
  const input = tfl.input({ shape: [2, 2, 1] });
  const conv = tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'relu', name: 'c' });
  const model = tfl.model({ inputs: input, outputs: conv.apply(input) as tfl.SymbolicTensor });
  conv.setWeights([tf.tensor4d([0.5], [1, 1, 1, 1]), tf.tensor1d([0.1])]);
  return model;
}

/** A small VGG-like chain with a depthwise block: conv, relu, max pool, depthwise conv, relu6, conv. */
function smallNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [16, 16, 3] });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'p1' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'dw' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ maxValue: 6, name: 'dw_relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'relu', name: 'c2' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

/** A VGG-like chain without grouped convolutions: conv, relu, conv, relu, max pool, conv. */
function vggNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [16, 16, 3] });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'b1c1' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'b1c2' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'b1p' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'b2c1' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

function images(n: number, size: number, seed: number): Float32Array {
  let a = seed;
  return Float32Array.from({ length: n * size }, () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return (a / 2 ** 32) * 2 - 1;
  });
}

describe('quantizeOnnxGraph', () => {
  it('computes a 1x1 conv as hand-quantised uint8/int8 arithmetic', async () => {
    const graph = buildOnnxGraph(tinyConv());
    // Calibration images span [0, 2.55]: input scale 0.01, zero point 0.
    const calib = Float32Array.of(0, 2.55, 1, 2);
    const ranges = await calibrateOnnxGraph(graph, calib, 1, { intraOpNumThreads: 1 });
    // Channel means (for bias correction): (0 + 2.55 + 1 + 2) / 4, and relu(0.5 x + 0.1) = 0.1, 1.375, 0.6, 1.1.
    expect(ranges.get('input_nchw')).toEqual({ min: 0, max: expect.closeTo(2.55, 6), channelMeans: Float32Array.of(1.3875) });
    expect(ranges.get('c')?.channelMeans?.[0]).toBeCloseTo(3.175 / 4, 6);
    // relu(0.5 x + 0.1) over those: 0.1 .. 1.375.
    expect(ranges.get('c')?.max).toBeCloseTo(1.375, 6);
    const extractor = await createOnnxExtractor({ onnxBytes: encodeOnnxModel(quantizeOnnxGraph(graph, ranges)), intraOpNumThreads: 1 });
    try {
      const out = await extractor.run(Float32Array.of(1.234, 0.5, 2.0, 0.0), 1);
      // By hand: x 1.234 -> q 123 -> 1.23; w 0.5 -> 127 at scale 0.5/127 (exact); bias 0.1 -> 2540 at scale
      // 0.01 * 0.5/127 (exact); y = 0.715 -> q round(0.715 / (1.375/255)) = 133 -> 133 * 1.375/255 = 0.717157.
      expect(out[0]).toBeCloseTo((133 * 1.375) / 255, 5);
      // 0.5 -> 0.35 -> q round(64.9) = 65; 2.0 -> 1.1 -> q round(204) = 204; 0 -> 0.1 -> q round(18.5...) = 19.
      expect(out[1]).toBeCloseTo((65 * 1.375) / 255, 5);
      expect(out[2]).toBeCloseTo((204 * 1.375) / 255, 5);
      expect(out[3]).toBeCloseTo((19 * 1.375) / 255, 5);
    } finally {
      await extractor.dispose();
    }
  });

  it('puts int8 weights and uint8 activations around every conv and stays close to float32', async () => {
    const model = smallNet();
    const graph = buildOnnxGraph(model);
    // Conv inputs and outputs after their activations; the pooled tensor shares its input's parameters.
    expect(quantizableTensors(graph)).toEqual(['input_nchw', 'c1', 'dw_relu', 'c2']);
    const size = 16 * 16 * 3;
    const ranges = await calibrateOnnxGraph(graph, images(8, size, 1), 8, { intraOpNumThreads: 1, batchSize: 3 });
    const q = quantizeOnnxGraph(graph, ranges);
    const ops = q.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(5); // 4 calibrated + the pool output
    expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(5 + 3 + 3); // + weights and biases of 3 convs
    expect(q.initializers.find((i) => i.name === 'c1/W/int8')?.data).toBeInstanceOf(Int8Array);
    expect(q.initializers.some((i) => i.name === 'c1/W')).toBe(false);

    const input = images(4, size, 2);
    const x = tf.tensor4d(input, [4, 16, 16, 3]);
    const y = model.predict(x) as tf.Tensor;
    const reference = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    const extractor = await createOnnxExtractor({ onnxBytes: encodeOnnxModel(q), intraOpNumThreads: 1 });
    try {
      const out = await extractor.run(input, 4);
      let dot = 0;
      let a = 0;
      let b = 0;
      for (let i = 0; i < out.length; i++) {
        dot += out[i] * reference[i];
        a += out[i] ** 2;
        b += reference[i] ** 2;
      }
      expect(dot / Math.sqrt(a * b)).toBeGreaterThan(0.99);
      expect(dot / Math.sqrt(a * b)).toBeLessThan(1 - 1e-7); // quantised: not the float graph
    } finally {
      await extractor.dispose();
    }
  });

  it('keeps the convolutions keepFloat names in float32, with no Q/DQ of their own', async () => {
    const graph = buildOnnxGraph(smallNet());
    const size = 16 * 16 * 3;
    const ranges = await calibrateOnnxGraph(graph, images(8, size, 1), 8, { intraOpNumThreads: 1 });
    const convInputs = (g: OnnxGraph): Record<string, readonly string[]> => Object.fromEntries(g.nodes.filter((n) => n.opType === 'Conv').map((n) => [n.name, n.inputs]));
    const quantizedTensors = (g: OnnxGraph): string[] => g.nodes.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.inputs[0]);

    // The depthwise conv reads c1's quantised output through a per-channel DequantizeLinear and its float weights;
    // c1 and c2 keep int8 weights, int32 biases, and Q/DQ on their inputs and outputs (QLinearConv's pattern).
    const dw = quantizeOnnxGraph(graph, ranges, { keepFloat: 'depthwise' });
    expect(convInputs(dw)).toEqual({
      c1: ['input_nchw/dq', 'c1/W/dq', 'c1/B/dq'],
      dw: ['p1/dq_per_channel', 'dw/W', 'dw/B'],
      c2: ['dw_relu/dq', 'c2/W/dq', 'c2/B/dq'],
    });
    expect(quantizedTensors(dw)).toEqual(['input_nchw', 'c1', 'p1', 'dw_relu', 'c2']);
    expect(dw.initializers.find((i) => i.name === 'dw/W')?.data).toBeInstanceOf(Float32Array);
    expect(dw.initializers.some((i) => i.name === 'dw/W/int8')).toBe(false);
    const perChannel = dw.nodes.find((n) => n.outputs[0] === 'p1/dq_per_channel');
    expect(perChannel).toMatchObject({ opType: 'DequantizeLinear', inputs: ['p1/q', 'p1/dq_per_channel/scale', 'p1/dq_per_channel/zero'], attributes: { axis: { value: 1 } } });
    // 8 channels, each at the pooled tensor's one scale (= c1's: max pooling keeps it).
    const scale = dw.initializers.find((i) => i.name === 'p1/dq_per_channel/scale');
    expect(scale?.dims).toEqual([8]);
    expect([...(scale?.data as Float32Array)]).toEqual(Array(8).fill((dw.initializers.find((i) => i.name === 'c1/q_scale')?.data as Float32Array)[0]));

    // The stem: the first conv and the depthwise one after it; only c2 is int8, its input the first Q/DQ.
    const stem = quantizeOnnxGraph(graph, ranges, { keepFloat: 'stem' });
    expect(convInputs(stem)).toEqual({ c1: ['input_nchw', 'c1/W', 'c1/B'], dw: ['p1', 'dw/W', 'dw/B'], c2: ['dw_relu/dq', 'c2/W/dq', 'c2/B/dq'] });
    expect(quantizedTensors(stem)).toEqual(['dw_relu', 'c2']);
    expect(quantizableTensors(graph, { keepFloat: 'stem' })).toEqual(['dw_relu', 'c2']);
    expect(stem.docString).toContain('2 convolutions float32');

    // A predicate (index among the Conv nodes), and a value that is neither.
    expect(convInputs(quantizeOnnxGraph(graph, ranges, { keepFloat: (_, i) => i === 2 })).c2).toEqual(['dw_relu/dq_per_channel', 'c2/W', 'c2/B']);
    expect(() => quantizeOnnxGraph(graph, ranges, { keepFloat: 'pointwise' as 'stem' })).toThrow(/keepFloat must be 'stem', 'depthwise' or a function, got "pointwise"/);
  });

  it('runs float32 convolutions as written under onnxruntime\'s optimisations (no weight quantisation behind our back)', async () => {
    // Seeded weights; depthwise channels at scales 1 .. 2^-7 (as BatchNorm folding leaves them), which per-tensor
    // int8 weights would round to a few steps.
    const model = smallNet();
    model.layers.forEach((layer, l) => {
      const weights = layer.getWeights();
      const seeded = weights.map((w, k) =>
        tf.tidy(() => {
          const v = tf.mul(tf.tensor(images(1, w.size, 10 + 2 * l + k), w.shape), 0.3);
          return layer.name === 'dw' && k === 0 ? tf.mul(v, tf.tensor4d(Array.from({ length: 8 }, (_, c) => 2 ** -c), [1, 1, 8, 1])) : v;
        }),
      );
      if (weights.length > 0) layer.setWeights(seeded);
      tf.dispose(seeded);
    });
    const graph = buildOnnxGraph(model);
    const size = 16 * 16 * 3;
    const ranges = await calibrateOnnxGraph(graph, images(8, size, 4), 8, { intraOpNumThreads: 1 });
    const input = images(4, size, 5);
    const x = tf.tensor4d(input, [4, 16, 16, 3]);
    const y = model.predict(x) as tf.Tensor;
    const reference = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    const ort = await loadOnnxRuntime();
    const run = async (g: OnnxGraph, graphOptimizationLevel: 'all' | 'disabled'): Promise<Float32Array> => {
      const session = await ort.InferenceSession.create(encodeOnnxModel(g), { intraOpNumThreads: 1, graphOptimizationLevel });
      try {
        const out = await session.run({ input: new ort.Tensor('float32', input, [4, 16, 16, 3]) });
        return out.features.data as Float32Array;
      } finally {
        await session.release();
      }
    };
    const mse = (a: Float32Array, b: Float32Array): number => a.reduce((acc, v, i) => acc + (v - b[i]) ** 2, 0) / a.length;
    const depthwise = quantizeOnnxGraph(graph, ranges, { keepFloat: 'depthwise' });
    const optimised = await run(depthwise, 'all');
    // Unoptimised, onnxruntime runs the graph as written: Q/DQ as float arithmetic, the depthwise conv on its float
    // weights. The optimised session (QLinearConv for c1 and c2) may differ from it by an output step where a
    // rounding falls the other way (here it does not at all). With a per-tensor DequantizeLinear before the
    // depthwise conv, onnxruntime quantises its weights per tensor: measured, the mean squared gap to the graph as
    // written was then 1.3x the one to float32.
    const c2Step = (depthwise.initializers.find((i) => i.name === 'c2/q_scale')?.data as Float32Array)[0];
    const asWritten = await run(depthwise, 'disabled');
    expect(Math.max(...optimised.map((v, i) => Math.abs(v - asWritten[i])))).toBeLessThanOrEqual(c2Step * 1.001);
    expect(mse(optimised, asWritten)).toBeLessThan(mse(optimised, reference) / 4);
    // Every conv float32: no Q/DQ left, onnxruntime computes tfjs's float graph (to rounding).
    expect(mse(await run(quantizeOnnxGraph(graph, ranges, { keepFloat: () => true }), 'all'), reference)).toBeLessThan(1e-10);
  });

  it('corrects the bias for the mean shift of the rounded weights (by hand)', () => {
    // One output channel over 2 input channels, weights [1, 0.3], bias 0.2: scale 1/127, 0.3 -> 38 -> 0.2992126,
    // so the output shifts by (38/127 - 0.3) * E[x2] = -0.000787402 * 4 for E[x2] = 4; the bias gets + 0.0031496.
    const graph: OnnxGraph = {
      name: 'two-in',
      inputs: [{ name: 'x', dims: [1, 2, 1, 1] }],
      outputs: [{ name: 'y' }],
      initializers: [
        { name: 'W', dims: [1, 2, 1, 1], data: Float32Array.of(1, 0.3) },
        { name: 'B', dims: [1], data: Float32Array.of(0.2) },
      ],
      nodes: [{ opType: 'Conv', name: 'conv', inputs: ['x', 'W', 'B'], outputs: ['y'] }],
    };
    const ranges = new Map<string, ActivationRange>([
      ['x', { min: 0, max: 10, channelMeans: Float32Array.of(1, 4) }],
      ['y', { min: 0, max: 10 }],
    ]);
    const bias = (g: OnnxGraph): number => {
      const q = (g.initializers.find((i) => i.name === 'B/int32') as { data: Int32Array }).data[0];
      return q * (g.initializers.find((i) => i.name === 'B/scale') as { data: Float32Array }).data[0];
    };
    // Bias step: (10 / 255) * (1 / 127) = 3.09e-4.
    expect(bias(quantizeOnnxGraph(graph, ranges))).toBeCloseTo(0.2 + (0.3 - 38 / 127) * 4, 3);
    expect(bias(quantizeOnnxGraph(graph, ranges, { biasCorrection: false }))).toBeCloseTo(0.2, 3);
    expect(bias(quantizeOnnxGraph(graph, ranges, { biasCorrection: false, biasCorrections: new Map([['conv', Float32Array.of(0.05)]]) }))).toBeCloseTo(0.15, 3);
    expect(graph.initializers[1].data).toEqual(Float32Array.of(0.2)); // the float graph is left as it was
  });

  it('keeps a dead channel (weights ~1e-12, BatchNorm with gamma ~0) at its bias instead of clamping it', () => {
    const graph: OnnxGraph = {
      name: 'dead',
      inputs: [{ name: 'x', dims: [1, 1, 1, 1] }],
      outputs: [{ name: 'y' }],
      initializers: [
        { name: 'W', dims: [1, 1, 1, 1], data: Float32Array.of(1e-12) },
        { name: 'B', dims: [1], data: Float32Array.of(2.5) },
      ],
      nodes: [{ opType: 'Conv', name: 'conv', inputs: ['x', 'W', 'B'], outputs: ['y'] }],
    };
    const q = quantizeOnnxGraph(graph, new Map([['x', { min: 0, max: 6 }], ['y', { min: 0, max: 6 }]]));
    const b = (q.initializers.find((i) => i.name === 'B/int32') as { data: Int32Array }).data[0];
    // Before: 2.5 / ((6/255) * (1e-12/127)) = 1.3e16 steps, clamped to 2^31 - 1, i.e. a bias of ~5e-5.
    expect(b * (q.initializers.find((i) => i.name === 'B/scale') as { data: Float32Array }).data[0]).toBeCloseTo(2.5, 6);
  });

  it('measures bias corrections that bring the int8 output means to the float32 ones', async () => {
    const model = smallNet();
    const graph = buildOnnxGraph(model);
    const size = 16 * 16 * 3;
    const calib = images(8, size, 3);
    const ranges = await calibrateOnnxGraph(graph, calib, 8, { intraOpNumThreads: 1 });
    const corrections = await measureBiasCorrections(graph, ranges, calib, 8, { intraOpNumThreads: 1 });
    expect([...corrections.keys()]).toEqual(['c1', 'dw', 'c2']);
    expect(corrections.get('c2')).toHaveLength(16);
    // The float32 reference from tfjs (independent of onnxruntime): per-channel output means over the images.
    const x = tf.tensor4d(calib, [8, 16, 16, 3]);
    const ref = model.predict(x) as tf.Tensor;
    const want = (await ref.data()) as Float32Array;
    tf.dispose([x, ref]);
    const meanGap = async (g: OnnxGraph): Promise<number> => {
      const extractor = await createOnnxExtractor({ onnxBytes: encodeOnnxModel(g), intraOpNumThreads: 1 });
      try {
        const got = await extractor.run(calib, 8);
        const gap = new Float64Array(16);
        for (let i = 0; i < got.length; i++) gap[i % 16] += (got[i] - want[i]) / (got.length / 16);
        return gap.reduce((a, v) => a + Math.abs(v), 0) / 16;
      } finally {
        await extractor.dispose();
      }
    };
    const none = await meanGap(quantizeOnnxGraph(graph, ranges, { biasCorrection: false }));
    const measured = await meanGap(quantizeOnnxGraph(graph, ranges, { biasCorrections: corrections }));
    // Measured here: 1.2e-4 without any correction, 1.6e-5 with.
    expect(measured).toBeLessThan(none / 3);
  });

  it('exports graphs without depthwise convolutions all-int8 as before, and keeps the stem float32 in graphs with them', async () => {
    const size = 16 * 16 * 3;
    const calib = images(4, size, 6);
    const calibration = { id: 'c', load: async () => ({ images: calib, n: 4 }), options: { intraOpNumThreads: 1 } };
    // VGG-like: 'depthwise' names nothing, and the export is the plain quantisation, byte for byte.
    const vgg = vggNet();
    const vggGraph = buildOnnxGraph(vgg);
    const vggRanges = await calibrateOnnxGraph(vggGraph, calib, 4, { intraOpNumThreads: 1 });
    const plain = encodeOnnxModel(quantizeOnnxGraph(vggGraph, vggRanges));
    expect(encodeOnnxModel(quantizeOnnxGraph(vggGraph, vggRanges, { keepFloat: 'depthwise' }))).toEqual(plain);
    expect(await exportInt8Onnx(vgg, calibration)).toEqual(plain);
    // With a depthwise conv: stem float32, the measured corrections made on that graph.
    const net = smallNet();
    const graph = buildOnnxGraph(net);
    const ranges = await calibrateOnnxGraph(graph, calib, 4, { intraOpNumThreads: 1 });
    const biasCorrections = await measureBiasCorrections(graph, ranges, calib, 4, { intraOpNumThreads: 1, quantize: { keepFloat: 'stem' } });
    expect([...biasCorrections.keys()]).toEqual(['c2']);
    expect(await exportInt8Onnx(net, calibration)).toEqual(encodeOnnxModel(quantizeOnnxGraph(graph, ranges, { keepFloat: 'stem', biasCorrections })));
  });

  it('refuses a graph without ranges, and int8 without calibration', async () => {
    const graph = buildOnnxGraph(tinyConv());
    expect(() => quantizeOnnxGraph(graph, new Map())).toThrow(OnnxExportError);
    await expect(createOnnxExtractor({ model: tinyConv(), precision: 'int8' })).rejects.toThrow(OnnxRuntimeError);
  });

  it('caches the int8 graph under its calibration id, apart from the float32 one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-int8-'));
    try {
      const model = tinyConv();
      let loads = 0;
      const calibration = {
        id: 'calib-a',
        load: async () => {
          loads++;
          return { images: Float32Array.of(0, 2.55, 1, 2), n: 1 };
        },
      };
      const opts = { model, weightsHash: 'w', cacheDir: dir, precision: 'int8' as const, calibration };
      expect((await getOrExportOnnx(opts)).hit).toBe(false);
      expect((await getOrExportOnnx(opts)).hit).toBe(true);
      expect(loads).toBe(1); // a cache hit reads no calibration image
      expect((await getOrExportOnnx({ ...opts, calibration: { ...calibration, id: 'calib-b' } })).hit).toBe(false);
      expect((await getOrExportOnnx({ model, weightsHash: 'w', cacheDir: dir })).hit).toBe(false);
      const names = (await readdir(dir)).sort();
      expect(names).toHaveLength(3);
      expect(names.filter((n) => n.includes(`-int8q${ONNX_QUANTIZER_VERSION}-minmax-calib-`))).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
