/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@cxr/metrics';
import { createBackbone } from '../backbones/createBackbone';
import { OnnxExportError } from '../errors';
import { createClassifier } from '../head/createClassifier';
import { createOnnxExtractor } from './createOnnxExtractor';
import { buildOnnxGraph, exportOnnx, tfPadding } from './exportOnnx';
import { relativeError } from './__fixtures__/relativeError';

/** Deterministic uniform numbers in [lo, hi) (`@cxr/metrics`' seeded generator). */
function rng(seed: number): (lo: number, hi: number) => number {
  const r = createRng(seed);
  return (lo, hi) => r.uniform(lo, hi);
}

/** Random weights everywhere; variances positive so batch norm is well defined. */
function randomize(model: tfl.LayersModel, seed: number): void {
  const r = rng(seed);
  for (const layer of model.layers) {
    const ws = layer.weights;
    if (ws.length === 0) continue;
    layer.setWeights(
      ws.map((w) => {
        const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
        const positive = /variance|gamma/.test(w.originalName);
        return tf.tensor(Float32Array.from({ length: n }, () => (positive ? r(0.5, 1.5) : r(-0.5, 0.5))), w.shape as number[]);
      }),
    );
  }
}

function randomInput(n: number, shape: readonly number[], seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n * shape.reduce((a, b) => a * b, 1) }, () => r(-1, 1));
}

async function compare(model: tfl.LayersModel, n: number, seed: number, cutLayer?: string): Promise<number> {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const input = randomInput(n, shape, seed);
  const cut = cutLayer ? tfl.model({ inputs: model.inputs, outputs: model.getLayer(cutLayer).output }) : model;
  const x = tf.tensor(input, [n, ...shape]);
  const y = cut.predict(x) as tf.Tensor;
  const reference = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  const extractor = await createOnnxExtractor({ onnxBytes: exportOnnx(model, { cutLayer }), intraOpNumThreads: 1 });
  try {
    expect(extractor.outputShape).toEqual((cut.outputs[0].shape as number[]).slice(1));
    return relativeError(await extractor.run(input, n), reference);
  } finally {
    await extractor.dispose();
  }
}

function sequential(inputShape: number[], layers: tfl.layers.Layer[], seed = 1): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape, name: 'image' });
  let x = input as tfl.SymbolicTensor;
  for (const layer of layers) x = layer.apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x });
  randomize(model, seed);
  return model;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfPadding (TF SAME/VALID rule, hand-computed)', () => {
  it.each([
    // size, kernel, stride, padding -> out, before, after
    [224, 3, 2, 'same', 112, 0, 1], // MobileNet conv1: the extra pixel goes at the end
    [7, 3, 2, 'same', 4, 1, 1],
    [8, 2, 2, 'same', 4, 0, 0],
    [5, 4, 1, 'same', 5, 1, 2],
    [9, 3, 1, 'same', 9, 1, 1],
    [7, 3, 2, 'valid', 3, 0, 0],
    [224, 2, 2, 'valid', 112, 0, 0],
  ])('in %i, k %i, s %i, %s -> %i (%i, %i)', (size, k, s, padding, out, before, after) => {
    expect(tfPadding(size, k, s, 1, padding)).toEqual({ out, before, after });
  });
});

describe('exportOnnx vs tfjs (cpu backend) on small nets', () => {
  const tol = 1e-5;

  it.each([
    ['even 8x8, k3 s2 same', [8, 8, 3], { kernelSize: 3, strides: 2, padding: 'same' }],
    ['odd 7x9, k3 s2 same', [7, 9, 3], { kernelSize: 3, strides: 2, padding: 'same' }],
    ['even kernel 4x2 same', [6, 7, 2], { kernelSize: [4, 2], strides: 1, padding: 'same' }],
    ['k2 s2 same on odd 7x7', [7, 7, 2], { kernelSize: 2, strides: 2, padding: 'same' }],
    ['k3 s2 valid on odd 9x8', [9, 8, 3], { kernelSize: 3, strides: 2, padding: 'valid' }],
    ['dilation 2 same', [9, 9, 2], { kernelSize: 3, dilationRate: 2, padding: 'same' }],
  ] as const)('Conv2D %s', async (_name, inputShape, conv) => {
    const model = sequential([...inputShape], [
      tfl.layers.conv2d({ filters: 5, activation: 'relu', ...conv } as never),
      tfl.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, activation: 'linear' }),
    ]);
    expect(await compare(model, 2, 7)).toBeLessThan(tol);
  });

  it('DepthwiseConv2D (multiplier 2, stride 2 same, no bias) + BatchNormalization + relu6, BN folded', async () => {
    const model = sequential([9, 8, 3], [
      tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, useBias: false, name: 'dw' }),
      tfl.layers.batchNormalization({ name: 'dw_bn', epsilon: 1e-3 }),
      tfl.layers.activation({ activation: 'relu6', name: 'dw_relu' }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false, name: 'pw' }),
      tfl.layers.batchNormalization({ name: 'pw_bn' }),
      tfl.layers.reLU({ maxValue: 6, name: 'pw_relu' }),
    ]);
    const graph = buildOnnxGraph(model);
    expect(graph.nodes.map((n) => n.opType)).toEqual(['Transpose', 'Conv', 'Clip', 'Conv', 'Clip', 'Transpose']);
    expect(graph.nodes.find((n) => n.name === 'dw')?.attributes?.group).toEqual({ type: 'int', value: 3 });
    // Big activations so relu6's clip is exercised: the check still passes only if the folding is right.
    expect(await compare(model, 3, 11)).toBeLessThan(tol);
  });

  it('ZeroPadding2D is fused into the following conv', async () => {
    const model = sequential([7, 8, 2], [
      tfl.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]], name: 'pad1' }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'valid', name: 'conv' }),
    ]);
    expect(buildOnnxGraph(model).nodes.map((n) => n.opType)).toEqual(['Transpose', 'Conv', 'Transpose']);
    expect(await compare(model, 2, 5)).toBeLessThan(tol);
  });

  // Negative inputs make zero padding win the max at the borders: onnxruntime's PadFusion gets this wrong
  // (it folds the zeros into MaxPool's -inf pads), so the exporter folds them itself, exactly.
  it.each([
    ['valid pool', [[0, 1], [1, 0]], { poolSize: 2, strides: 1 }],
    ['same pool, stride 2, odd size', [[1, 0], [1, 0]], { poolSize: 3, strides: 2, padding: 'same' }],
    ['ResNet-style pad 1 + 3/2 valid', [[1, 1], [1, 1]], { poolSize: 3, strides: 2 }],
  ] as const)('ZeroPadding2D + MaxPooling2D on negative values: %s', async (_name, padding, pool) => {
    const model = sequential([7, 8, 2], [
      tfl.layers.zeroPadding2d({ padding: padding as never, name: 'pad' }),
      tfl.layers.maxPooling2d({ ...pool, name: 'pool' } as never),
    ]);
    expect(buildOnnxGraph(model).nodes.map((n) => n.opType)).toEqual(['Transpose', 'MaxPool', 'Max', 'Transpose']);
    const input = randomInput(1, [7, 8, 2], 3).map((v) => v - 1); // all negative: borders must be exactly 0
    const expected = (model.predict(tf.tensor(input, [1, 7, 8, 2])) as tf.Tensor).dataSync() as Float32Array;
    expect(expected.some((v) => v === 0) && expected.some((v) => v < 0)).toBe(true);
    const extractor = await createOnnxExtractor({ onnxBytes: exportOnnx(model), intraOpNumThreads: 1 });
    expect(Array.from(await extractor.run(input, 1))).toEqual(Array.from(expected));
    await extractor.dispose();
    expect(await compare(model, 2, 5)).toBeLessThan(tol);
  });

  it('ZeroPadding2D wider than the pooling window is padded by an identity conv, right on negative values', async () => {
    const model = sequential([5, 6, 2], [
      tfl.layers.zeroPadding2d({ padding: [[2, 3], [0, 2]], name: 'pad' }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool' }),
    ]);
    expect(buildOnnxGraph(model).nodes.map((n) => n.opType)).toEqual(['Transpose', 'Conv', 'MaxPool', 'Transpose']);
    const input = randomInput(1, [5, 6, 2], 3).map((v) => v - 1);
    const expected = (model.predict(tf.tensor(input, [1, 5, 6, 2])) as tf.Tensor).dataSync() as Float32Array;
    const extractor = await createOnnxExtractor({ onnxBytes: exportOnnx(model), intraOpNumThreads: 1 });
    expect(Array.from(await extractor.run(input, 1))).toEqual(Array.from(expected));
    await extractor.dispose();
  });

  it.each([
    ['valid (zeros counted, fused)', { poolSize: 2, strides: 2 }, ['Transpose', 'AveragePool', 'Transpose']],
    ['same (not fused)', { poolSize: 3, strides: 2, padding: 'same' }, ['Transpose', 'Conv', 'AveragePool', 'Transpose']],
    ['valid, padding wider than the window', { poolSize: 2, strides: 1 }, ['Transpose', 'Conv', 'AveragePool', 'Transpose'], [[2, 0], [0, 3]]],
  ] as [string, object, string[], number[][]?][])('ZeroPadding2D + AveragePooling2D %s', async (_name, pool, ops, padding = [[1, 0], [1, 1]]) => {
    const model = sequential([7, 8, 2], [
      tfl.layers.zeroPadding2d({ padding: padding as never, name: 'pad' }),
      tfl.layers.averagePooling2d({ ...pool, name: 'pool' } as never),
    ]);
    expect(buildOnnxGraph(model).nodes.map((n) => n.opType)).toEqual(ops);
    expect(await compare(model, 2, 5)).toBeLessThan(tol);
  });


  it.each([
    ['MaxPooling2D 3/2 same on odd', (o: object) => tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', ...o })],
    ['MaxPooling2D 2/2 valid on odd', (o: object) => tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', ...o })],
    ['AveragePooling2D 3/2 same (edge windows average valid pixels only)', (o: object) => tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', ...o })],
    ['AveragePooling2D 2/2 same on odd', (o: object) => tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same', ...o })],
  ])('%s', async (_name, make) => {
    const model = sequential([9, 7, 3], [tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), make({ name: 'pool' })]);
    expect(await compare(model, 2, 3)).toBeLessThan(tol);
  });

  it('BatchNormalization after a ReLU stays a BatchNormalization node (center/scale off)', async () => {
    const model = sequential([6, 6, 3], [
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.batchNormalization({ name: 'bn_a', center: false, scale: false }),
      tfl.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }),
      tfl.layers.batchNormalization({ name: 'bn_b' }),
    ]);
    const ops = buildOnnxGraph(model).nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'BatchNormalization')).toHaveLength(2);
    expect(await compare(model, 2, 9)).toBeLessThan(tol);
  });

  it('GlobalAveragePooling2D gives [N, C] features', async () => {
    const model = sequential([7, 5, 3], [tfl.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'tanh' }), tfl.layers.globalAveragePooling2d({})]);
    expect(await compare(model, 3, 4)).toBeLessThan(tol);
  });

  it('Flatten keeps tfjs (h, w, c) order; Dropout is identity; Dense + sigmoid', async () => {
    const model = sequential([5, 4, 3], [
      tfl.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu' }),
      tfl.layers.flatten({}),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.dense({ units: 4, activation: 'sigmoid' }),
    ]);
    expect(await compare(model, 2, 8)).toBeLessThan(tol);
    // Flatten alone: the order matters only here, and a wrong order would show at once.
    const flat = sequential([3, 2, 4], [tfl.layers.conv2d({ filters: 2, kernelSize: 1 }), tfl.layers.flatten({ name: 'flat' })]);
    expect(await compare(flat, 2, 1)).toBeLessThan(tol);
  });

  it('softmax over channels (spatial) and features (flat); a tfl.sequential model', async () => {
    const spatial = sequential([5, 6, 3], [tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'softmax' })]);
    expect(await compare(spatial, 2, 6)).toBeLessThan(tol);
    const seq = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tfl.layers.averagePooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    randomize(seq, 4);
    expect(await compare(seq, 3, 2)).toBeLessThan(tol);
  });

  it('a whole classifier (frozen base + the notebook head, softmax) exports: base cut and full model', async () => {
    const backbone = createBackbone({ name: 'vgg16', seed: 2, inputShape: [32, 32, 3], blocks: 2, widthMultiplier: 1 / 16 });
    const classifier = createClassifier(backbone, { seed: 3 });
    randomize(classifier, 12); // non-zero biases everywhere
    expect(await compare(classifier, 2, 8)).toBeLessThan(tol);
    expect(await compare(classifier, 2, 8, 'block2_pool')).toBeLessThan(tol);
  });

  it('cuts at a named layer', async () => {
    const model = sequential([8, 8, 3], [
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c2' }),
    ]);
    const graph = buildOnnxGraph(model, { cutLayer: 'p1' });
    expect(graph.nodes.some((n) => n.name === 'c2')).toBe(false);
    expect(graph.outputs[0].dims).toEqual(['N', 4, 4, 4]);
    expect(await compare(model, 2, 2, 'p1')).toBeLessThan(tol);
  });

  it('fills an unknown input size from inputShape', async () => {
    const model = sequential([null, null, 3] as never, [tfl.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' })]);
    expect(() => exportOnnx(model)).toThrow(/input height is null; pass inputShape/);
    expect(buildOnnxGraph(model, { inputShape: [9, 6, 3] }).outputs[0].dims).toEqual(['N', 5, 3, 2]);
  });
});

describe('exportOnnx errors', () => {
  const model = sequential([8, 8, 3], [
    tfl.layers.conv2d({ filters: 2, kernelSize: 3, name: 'c1' }),
    tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }),
  ]);

  it('names the unsupported layer and its type', () => {
    expect(() => exportOnnx(model)).toThrow(OnnxExportError);
    expect(() => exportOnnx(model)).toThrow(/at layer up: layer type UpSampling2D is not supported/);
    expect(() => exportOnnx(model, { cutLayer: 'c1' })).not.toThrow();
  });

  it('names a missing cut layer', () => {
    expect(() => exportOnnx(model, { cutLayer: 'block9_pool' })).toThrow(/at layer block9_pool: no layer named "block9_pool"/);
  });

  it('rejects an unsupported activation by name', () => {
    const elu = sequential([4, 4, 1], [tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'elu', name: 'e' })]);
    expect(() => exportOnnx(elu)).toThrow(/at layer e: activation "elu" is not supported/);
  });
});
