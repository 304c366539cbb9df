/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@cxr/metrics';
import { DEFAULT_PREPROCESS_SPEC } from '@cxr/preprocess';
import { preprocessImage } from '@cxr/preprocess/node';
import type { Backbone } from '../backbones/backbone';
import { createBackbone } from '../backbones/createBackbone';
import { loadBackbone } from '../backbones/loadBackbone';
import { describeWithData, SHARED_DATA, SHARED_MOBILENET } from '../__fixtures__/sharedData';
import { initBackend } from '../backend/initBackend';
import { FineTuneError, ModelConfigError } from '../errors';
import { createHead } from '../head/createHead';
import { createClassifier } from '../head/createClassifier';
import { loadModel } from '../io/loadModel';
import { saveModel } from '../io/saveModel';
import { createOnnxExtractor } from '../onnx/createOnnxExtractor';
import { exportOnnx } from '../onnx/exportOnnx';
import { predict } from '../predict/predict';
import { resumeTrainHead, trainHead } from '../train/trainHead';
import { fineTuneRecord, fineTuneWeights, planFineTune } from './planFineTune';

const rand = (n: number, seed: number, lo = 0, hi = 1): Float32Array => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
};

/**
 * A tiny MobileNet-like base: 16x16x3 -> conv 3x3 (6, relu) -> maxpool 2 -> pointwise block (conv 1x1 8 filters, no
 * bias; batch norm with non-trivial statistics; ReLU6) = 8x8x8. Seeded.
 */
function pointwiseBackbone(seed = 3): Backbone {
  const input = tfl.input({ shape: [16, 16, 3], name: 'image' });
  let x = tfl.layers.conv2d({ name: 'conv1', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ name: 'pw', filters: 8, kernelSize: 1, useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }).apply(x) as tfl.SymbolicTensor;
  const bnLayer = tfl.layers.batchNormalization({ name: 'pw_bn', epsilon: 1e-3 });
  x = bnLayer.apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ name: 'pw_relu', activation: 'relu6' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ name: 'tiny_pw', inputs: input, outputs: x });
  const bn = [rand(8, seed + 2, 0.5, 2), rand(8, seed + 3, -0.5, 1.5), rand(8, seed + 4, -0.3, 0.3), rand(8, seed + 5, 0.05, 0.5)].map((v) => tf.tensor1d(v));
  bnLayer.setWeights(bn);
  tf.dispose(bn);
  model.trainable = false;
  return {
    name: 'mobilenet_v1',
    model,
    outputShape: [8, 8, 8],
    preprocessing: { ...DEFAULT_PREPROCESS_SPEC, height: 16, width: 16, channels: 3, normalization: 'mobilenet' },
    weightsHash: `tiny-pw-${seed}`,
    info: { weightsSource: 'tiny', weightsFormat: 'random', pretrained: false, inputShape: [16, 16, 3], normalization: 'mobilenet', parameters: model.countParams() },
  };
}

/** Seeded images in [-1, 1] with a class signal (brighter lower half for class 0). */
function images(n: number, seed: number): { x: Float32Array[]; labels: string[] } {
  const rng = createRng(seed);
  const x: Float32Array[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const positive = i % 2 === 0;
    const img = new Float32Array(16 * 16 * 3);
    for (let p = 0; p < img.length; p++) img[p] = (positive && p >= img.length / 2 ? 0.6 : -0.2) + (rng.next() - 0.5) * 0.8;
    x.push(img);
    labels.push(positive ? 'covid' : 'normal');
  }
  return { x, labels };
}

/** Runs a model on per-image inputs, returning per-image outputs. */
function run(model: tfl.LayersModel, inputs: readonly Float32Array[], shape: readonly number[]): Float32Array[] {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(Float32Array.from(inputs.flatMap((a) => Array.from(a))), [inputs.length, ...shape])) as tf.Tensor;
    const flat = y.dataSync() as Float32Array;
    const size = flat.length / inputs.length;
    return inputs.map((_, i) => flat.slice(i * size, (i + 1) * size));
  });
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** The block alone: the plan's layers as a head-less model on the cut features. */
function blockModel(inputShape: readonly [number, number, number], plan: ReturnType<typeof planFineTune>): tfl.LayersModel {
  const m = tfl.sequential();
  plan.layers.forEach((l, i) => m.add(tfl.layers.dense({ ...(i === 0 ? { inputShape: [...inputShape] } : {}), units: l.units, activation: l.activation })));
  const w = fineTuneWeights(plan.layers);
  m.setWeights(w);
  tf.dispose(w);
  return m;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('planFineTune on a pointwise block', () => {
  it('cuts below the block; the folded block on the cut features gives the original output (1e-5)', () => {
    const b = pointwiseBackbone();
    const plan = planFineTune(b, { blocks: 1 });
    expect(plan.cutLayer).toBe('pool');
    expect(plan.originalOutput).toBe('pw_relu');
    expect(plan.layers.map((l) => ({ name: l.name, units: l.units, activation: l.activation, layers: l.layers }))).toEqual([
      { name: 'pw', units: 8, activation: 'relu6', layers: ['pw', 'pw_bn', 'pw_relu'] },
    ]);
    expect(plan.backbone.outputShape).toEqual([8, 8, 6]);
    expect(plan.backbone.info.cutLayer).toBe('pool');
    expect(plan.backbone.weightsHash).toBe(b.weightsHash);
    const { x } = images(4, 1);
    const reference = run(b.model, x, [16, 16, 3]); // tfjs Conv2D + BatchNormalization + ReLU6, not folded
    const cut = run(plan.backbone.model, x, [16, 16, 3]);
    const block = blockModel([8, 8, 6], plan);
    const through = run(block, cut, [8, 8, 6]);
    for (let i = 0; i < x.length; i++) expect(maxAbs(through[i], reference[i])).toBeLessThan(1e-5);
    // not trivially zero: the block's outputs spread over ReLU6's range
    const all = reference.flatMap((r) => Array.from(r));
    expect(Math.max(...all)).toBeGreaterThan(0.5);
    block.dispose();
  });

  it('refuses what it cannot train, saying why', () => {
    const b = pointwiseBackbone();
    expect(() => planFineTune(b, { blocks: 2 })).toThrow(FineTuneError);
    expect(() => planFineTune(b, { blocks: 2 })).toThrow(/block 2 from the top ends at pool and is a MaxPooling2D layer/);
    expect(() => planFineTune(b, { blocks: 0 })).toThrow(/positive integer/);
    expect(() => planFineTune(b, { blocks: 1, learningRate: 0 })).toThrow(/learningRate must be > 0/);
    const vgg = createBackbone({ name: 'vgg16', inputShape: [32, 32, 3], blocks: 2, widthMultiplier: 1 / 16 });
    expect(() => planFineTune(vgg, { blocks: 1 })).toThrow(/vgg16 \(random\): cannot fine-tune 1 block: .*MaxPooling2D/);
    // VGG16 without its last pooling: a 3x3 convolution, which needs Conv2DBackpropFilter
    const convTop = { ...vgg, model: tfl.model({ inputs: vgg.model.inputs, outputs: vgg.model.getLayer('block2_conv2').output as tfl.SymbolicTensor }) };
    expect(() => planFineTune(convTop, { blocks: 1 })).toThrow(/a 3x3 convolution, whose weight gradient needs Conv2DBackpropFilter/);
    vgg.model.dispose();
  });
});

describe('trainHead with fine-tuned blocks', () => {
  const b = pointwiseBackbone();
  const plan = planFineTune(b, { blocks: 1 });
  const data = images(24, 5);
  const features = run(plan.backbone.model, data.x, [16, 16, 3]);
  const base = { classes: ['covid', 'normal'], head: { inputShape: [8, 8, 6] as const, poolSize: 4, units: 6 }, batchSize: 8, seed: 2 };

  it('moves the block away from its ImageNet start and trains the head; the loss falls', async () => {
    const r = await trainHead(features, data.labels, { ...base, epochs: 6, learningRate: 1e-2, fineTune: { layers: plan.layers, learningRate: 1e-2 } });
    const block = r.head.getLayer('finetune_pw').getWeights();
    expect(maxAbs(block[0].dataSync(), plan.layers[0].kernel)).toBeGreaterThan(1e-3);
    expect(maxAbs(block[1].dataSync(), plan.layers[0].bias)).toBeGreaterThan(1e-3);
    const fresh = createHead({ ...base.head, classes: 2, seed: 2, blocks: plan.layers });
    expect(maxAbs(r.head.getLayer('head_dense').getWeights()[0].dataSync(), fresh.getLayer('head_dense').getWeights()[0].dataSync())).toBeGreaterThan(1e-3);
    fresh.dispose();
    expect(r.history.loss.at(-1)!).toBeLessThan(r.history.loss[0]);
    r.head.dispose();
  });

  it('with a vanishing block learning rate equals the frozen backbone cut at its original layer (1e-5)', async () => {
    const r = await trainHead(features, data.labels, { ...base, epochs: 2, learningRate: 1e-2, fineTune: { layers: plan.layers, learningRate: 1e-12 } });
    const w = r.head.getLayer('finetune_pw').getWeights();
    expect(maxAbs(w[0].dataSync(), plan.layers[0].kernel)).toBeLessThan(1e-8);
    // the reference: the untouched backbone (conv + batch norm + ReLU6) and a plain head holding the trained head weights
    const plain = createHead({ ...base.head, inputShape: [8, 8, 8], classes: 2, seed: 2 });
    plain.setWeights(r.head.getWeights().slice(2));
    const frozen = createClassifier(b, { head: plain });
    const tuned = createClassifier(plan.backbone, { head: r.head });
    const a = run(frozen, data.x, [16, 16, 3]);
    const c = run(tuned, data.x, [16, 16, 3]);
    for (let i = 0; i < a.length; i++) expect(maxAbs(a[i], c[i])).toBeLessThan(1e-5);
    r.head.dispose();
    plain.dispose();
  });

  it('an aborted run resumed from its checkpoint (both optimizers) equals the uninterrupted one', async () => {
    const opts = { ...base, epochs: 3, learningRate: 1e-2, fineTune: { layers: plan.layers, learningRate: 3e-3 } };
    const whole = await trainHead(features, data.labels, opts);
    const controller = new AbortController();
    const cut = await trainHead(features, data.labels, {
      ...opts,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'batch' && e.epoch === 1 && e.batch === 1) controller.abort();
      },
    });
    expect(cut.aborted).toBe(true);
    expect(cut.checkpoint!.blockOptimizer!.weights).toHaveLength(4); // Adam's two moments of the block's kernel and bias
    cut.head.dispose();
    const resumed = await resumeTrainHead(cut.checkpoint!, features, data.labels);
    const a = whole.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    const b = resumed.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(maxAbs(a, b)).toBeLessThan(1e-5);
    whole.head.dispose();
    resumed.head.dispose();
  });

  it('trains on the wasm backend (no Conv2DBackpropFilter) as on cpu (1e-4)', async () => {
    const opts = { ...base, epochs: 2, learningRate: 1e-2, fineTune: { layers: plan.layers } };
    const cpu = await trainHead(features, data.labels, opts);
    const cpuWeights = cpu.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    await initBackend({ backend: 'wasm' });
    try {
      const before = tf.memory().numTensors;
      const wasm = await trainHead(features, data.labels, opts);
      // the head's 6 weights (block kernel and bias, dense, output) plus the pool/flatten/dropout: no others left
      expect(tf.memory().numTensors).toBe(before + wasm.head.weights.length);
      const wasmWeights = wasm.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
      expect(maxAbs(wasmWeights, cpuWeights)).toBeLessThan(1e-4);
      wasm.head.dispose();
    } finally {
      await initBackend({ backend: 'cpu' });
    }
    cpu.head.dispose();
  });

  it('saves and loads a model that predicts as in memory, records the blocks in cxr.json, and exports to ONNX', async () => {
    const r = await trainHead(features, data.labels, { ...base, epochs: 2, learningRate: 1e-2, fineTune: { layers: plan.layers, learningRate: 1e-3 } });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-finetune-'));
    try {
      const options = { head: r.head, backbone: plan.backbone, classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.5 };
      await expect(saveModel(path.join(dir, 'bad'), options)).rejects.toThrow(ModelConfigError);
      await saveModel(path.join(dir, 'm'), { ...options, fineTune: fineTuneRecord(plan, 1e-3) });
      const config = JSON.parse(await readFile(path.join(dir, 'm', 'cxr.json'), 'utf8'));
      expect(config.fineTune).toEqual({
        blocks: 1,
        backboneCut: 'pool',
        replaces: 'pw_relu',
        layers: [{ headLayer: 'finetune_pw', backboneLayers: ['pw', 'pw_bn', 'pw_relu'], units: 8, activation: 'relu6' }],
        batchNorm: 'folded',
        learningRate: 1e-3,
      });
      expect(config.backbone.info.cutLayer).toBe('pool');
      expect(config.backbone.outputShape).toEqual([8, 8, 6]);
      const loaded = await loadModel(path.join(dir, 'm'));
      const memory = createClassifier(plan.backbone, { head: r.head });
      const expected = run(memory, data.x, [16, 16, 3]);
      const got = await predict(loaded, data.x);
      got.forEach((p, i) => {
        expect(Math.abs(p.probabilities.covid - expected[i][0])).toBeLessThan(1e-6);
      });
      // the blocks are not at their ImageNet start: prediction runs the trained ones
      expect(maxAbs(loaded.model.getLayer('finetune_pw').getWeights()[0].dataSync(), plan.layers[0].kernel)).toBeGreaterThan(1e-5);
      const extractor = await createOnnxExtractor({ onnxBytes: exportOnnx(loaded.model), intraOpNumThreads: 1 });
      try {
        const out = await extractor.run(Float32Array.from(data.x.flatMap((a) => Array.from(a))), data.x.length);
        expect(maxAbs(out, expected.flatMap((e) => Array.from(e)))).toBeLessThan(1e-5);
      } finally {
        await extractor.dispose();
      }
      loaded.model.dispose();
    } finally {
      r.head.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeWithData([SHARED_MOBILENET])('planFineTune on the ImageNet MobileNet v1', () => {
  it('trains its last pointwise block, conv_pw_12 (512 -> 1024, ReLU6), and refuses the depthwise block below', async () => {
    const b = await loadBackbone({ name: 'mobilenet_v1', weights: SHARED_MOBILENET });
    const plan = planFineTune(b, { blocks: 1 });
    expect(plan.cutLayer).toBe('conv_dw_12_relu');
    expect(plan.layers.map((l) => [l.name, l.units, l.activation, l.layers])).toEqual([['conv_pw_12', 1024, 'relu6', ['conv_pw_12', 'conv_pw_12_bn', 'conv_pw_12_relu']]]);
    expect(plan.backbone.outputShape).toEqual([7, 7, 512]);
    // a real X-ray through the cut and the folded block equals the whole backbone (tfjs conv + batch norm + ReLU6)
    const image = (await preprocessImage(path.join(SHARED_DATA, 'nih-cxr14/images/00001281_000.png'), b.preprocessing)).data;
    const [reference] = run(b.model, [image], [224, 224, 3]);
    const [cut] = run(plan.backbone.model, [image], [224, 224, 3]);
    const block = blockModel([7, 7, 512], plan);
    const [through] = run(block, [cut], [7, 7, 512]);
    expect(maxAbs(through, reference)).toBeLessThan(1e-5 * Math.max(1, ...Array.from(reference)));
    expect(() => planFineTune(b, { blocks: 2 })).toThrow(/block 2 from the top ends at conv_dw_12_relu and is a depthwise 3x3 convolution, whose weight gradient needs DepthwiseConv2dNativeBackpropFilter/);
    block.dispose();
    b.model.dispose();
  }, 60_000);
});
