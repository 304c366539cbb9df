import * as tf from '@tensorflow/tfjs-core';
import { tinyBackbone, tinyImages, useCpu } from '../__fixtures__/tinyBackbone';
import { CheckpointError, TrainingInputError } from '../errors';
import { createClassifier } from '../head/createClassifier';
import { LegacyDecayAdam } from './legacyDecayAdam';
import { createRng } from '@cxr/metrics';
import { dropoutMasks, resumeTrainHead, trainHead, type TrainProgress } from './trainHead';
import { createHead } from '../head/createHead';

const CLASSES = ['covid', 'normal'];
const HEAD = { poolSize: 4, units: 6 };
let images: tf.Tensor4D;
let features: tf.Tensor4D;
let labels: string[];

beforeAll(async () => {
  await useCpu();
  const data = tinyImages(40, 3);
  labels = data.labels;
  images = tf.tensor4d(Float32Array.from(data.images.flatMap((i) => Array.from(i))), [40, 32, 32, 3]);
  features = tinyBackbone().model.predict(images) as tf.Tensor4D;
});
afterAll(() => tf.dispose([images, features]));

function weightsOf(model: { weights: { read(): tf.Tensor }[] }): number[][] {
  return model.weights.map((w) => Array.from(w.read().dataSync()));
}
function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((wa, i) => wa.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

describe('trainHead', () => {
  it.each([
    ['no class weights', undefined],
    ['balanced class weights', 'balanced' as const],
  ])('equals model.fit of base + frozen head on the images (%s, dropout 0)', async (_, classWeight) => {
    const epochs = 3;
    const classifier = createClassifier(tinyBackbone(), { ...HEAD, dropout: 0, seed: 11 });
    classifier.compile({ optimizer: new LegacyDecayAdam({ learningRate: 1e-3, decay: 1e-3 / epochs }), loss: 'categoricalCrossentropy' });
    const y = tf.cast(tf.oneHot(tf.tensor1d(labels.map((l) => CLASSES.indexOf(l)), 'int32'), 2), 'float32');
    // sklearn-style balanced weights, computed by hand: 40 samples, 26 covid (i % 3 != 0), 14 normal
    const fitWeights = classWeight ? { 0: 40 / (2 * 26), 1: 40 / (2 * 14) } : undefined;
    const fitHistory = await classifier.fit(images, y, { batchSize: 8, epochs, shuffle: false, classWeight: fitWeights, verbose: 0 });
    const result = await trainHead(features, labels, { classes: CLASSES, head: { ...HEAD, dropout: 0 }, seed: 11, epochs, shuffle: false, classWeight });
    const fitHead = ['head_dense', 'head_output'].flatMap((n) => classifier.getLayer(n).getWeights().map((w) => Array.from(w.dataSync())));
    expect(maxAbsDiff(weightsOf(result.head), fitHead)).toBeLessThan(1e-5);
    (fitHistory.history.loss as number[]).forEach((l, i) => expect(result.history.loss[i]).toBeCloseTo(l, 5));
    // the weights actually moved (a test that could fail)
    const init = createHead({ inputShape: [8, 8, 8], ...HEAD, dropout: 0, seed: 11 });
    expect(maxAbsDiff(weightsOf(result.head), weightsOf(init))).toBeGreaterThan(1e-3);
    tf.dispose(y);
  });

  it('applies the notebook decay lr / (1 + decay * iterations) with decay = lr / epochs', async () => {
    const events: TrainProgress[] = [];
    const r = await trainHead(features, labels, { classes: CLASSES, head: HEAD, epochs: 2, onProgress: (e) => events.push(e) });
    const batchLrs = events.filter((e) => e.type === 'batch').map((e) => e.learningRate);
    expect(batchLrs).toHaveLength(10); // 40 / 8 = 5 batches x 2 epochs
    batchLrs.forEach((lr, t) => expect(lr).toBeCloseTo(1e-3 / (1 + (1e-3 / 2) * t), 12));
    expect(r.history.learningRate[1]).toBeCloseTo(1e-3 / (1 + 5e-4 * 9), 12);
  });

  it('is reproducible: same seed -> same weights and history; another seed -> different', async () => {
    const opts = { classes: CLASSES, head: HEAD, epochs: 2, seed: 5 };
    const a = await trainHead(features, labels, opts);
    const b = await trainHead(features, labels, opts);
    const c = await trainHead(features, labels, { ...opts, seed: 6 });
    expect(weightsOf(a.head)).toEqual(weightsOf(b.head));
    expect(a.history).toEqual(b.history);
    expect(maxAbsDiff(weightsOf(a.head), weightsOf(c.head))).toBeGreaterThan(1e-4);
  });

  it('draws inverted-dropout masks from the seeded generator (kept fraction 1 - rate, scale 1 / (1 - rate))', () => {
    const head = createHead({ inputShape: [8, 8, 8], poolSize: 4, units: 500, dropout: 0.5 });
    const layers = head.layers;
    const masks = dropoutMasks(createRng(1), 20, layers, 0.5);
    expect(masks.map((m) => m === null)).toEqual([true, true, true, false, true]);
    const values = masks[3]!.dataSync();
    const kept = Array.from(values).filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([2]));
    // 10,000 Bernoulli(0.5): the kept fraction is within 4 standard deviations (0.02) of 0.5
    expect(Math.abs(kept.length / values.length - 0.5)).toBeLessThan(0.02);
    const again = dropoutMasks(createRng(1), 20, layers, 0.5);
    expect(Array.from(again[3]!.dataSync())).toEqual(Array.from(values));
    tf.dispose([...masks, ...again].filter((m): m is tf.Tensor => m !== null));
  });

  it('applies the seeded inverted-dropout mask after the hidden ReLU (first batch loss by hand)', async () => {
    const events: TrainProgress[] = [];
    await trainHead(features, labels, { classes: CLASSES, head: { ...HEAD, dropout: 0.5 }, seed: 9, epochs: 1, shuffle: false, onProgress: (e) => events.push(e) });
    // reference: the same initial head, the same generator (nothing else draws from it without shuffling),
    // and the forward pass written out: mean over 4x4 blocks, dense, relu, * mask, dense, softmax, CE
    const head = createHead({ inputShape: [8, 8, 8], ...HEAD, dropout: 0.5, seed: 9 });
    const [w1, b1, w2, b2] = head.getWeights().map((w) => w.arraySync()) as [number[][], number[], number[][], number[]];
    const mask = dropoutMasks(createRng(9), 8, head.layers, 0.5)[3]!;
    const m = mask.arraySync() as number[][];
    const f = features.arraySync() as number[][][][];
    let loss = 0;
    let lossWithoutMask = 0;
    for (let i = 0; i < 8; i++) {
      const pooled: number[] = [];
      for (let by = 0; by < 2; by++)
        for (let bx = 0; bx < 2; bx++)
          for (let c = 0; c < 8; c++) {
            let s = 0;
            for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) s += f[i][by * 4 + y][bx * 4 + x][c];
            pooled.push(s / 16);
          }
      const ce = (keep: (u: number) => number) => {
        const hidden = b1.map((b, u) => Math.max(0, pooled.reduce((s, v, k) => s + v * w1[k][u], b)) * keep(u));
        const logits = b2.map((b, o) => hidden.reduce((s, v, u) => s + v * w2[u][o], b));
        return Math.log(logits.reduce((s, v) => s + Math.exp(v), 0)) - logits[CLASSES.indexOf(labels[i])];
      };
      loss += ce((u) => m[i][u]);
      lossWithoutMask += ce(() => 1);
    }
    expect(events[0].loss).toBeCloseTo(loss / 8, 5);
    expect(Math.abs(loss - lossWithoutMask) / 8).toBeGreaterThan(1e-3); // the mask matters here
    tf.dispose(mask);
    head.dispose();
  });

  it('uses dropout in training only: training differs from dropout 0, the trained head predicts deterministically', async () => {
    const withDropout = await trainHead(features, labels, { classes: CLASSES, head: { ...HEAD, dropout: 0.5 }, epochs: 1, shuffle: false });
    const without = await trainHead(features, labels, { classes: CLASSES, head: { ...HEAD, dropout: 0 }, epochs: 1, shuffle: false });
    expect(Math.abs(withDropout.history.loss[0] - without.history.loss[0])).toBeGreaterThan(1e-4);
    const p1 = (withDropout.head.predict(features) as tf.Tensor).dataSync();
    const p2 = (withDropout.head.predict(features) as tf.Tensor).dataSync();
    expect(Array.from(p1)).toEqual(Array.from(p2));
  });

  it('resumes an aborted run to the same result as an uninterrupted one', async () => {
    const opts = { classes: CLASSES, head: HEAD, epochs: 3, seed: 2, classWeight: 'balanced' as const };
    const full = await trainHead(features, labels, opts);
    const controller = new AbortController();
    const aborted = await trainHead(features, labels, {
      ...opts,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'batch' && e.epoch === 1 && e.batch === 2) controller.abort();
      },
    });
    expect(aborted.aborted).toBe(true);
    expect(aborted.checkpoint).toMatchObject({ epoch: 1, batch: 3, optimizer: { iterations: 8 } });
    expect(aborted.history.loss).toHaveLength(1);
    // the checkpoint survives JSON-like copying (as saved to disk)
    const resumedEvents: TrainProgress[] = [];
    const resumed = await resumeTrainHead(structuredClone(aborted.checkpoint!), features, labels, { onProgress: (e) => resumedEvents.push(e) });
    expect(resumedEvents[0]).toMatchObject({ type: 'batch', epoch: 1, batch: 3 });
    expect(resumed.epochsCompleted).toBe(3);
    expect(resumed.history.loss).toHaveLength(3);
    expect(maxAbsDiff(weightsOf(resumed.head), weightsOf(full.head))).toBeLessThan(1e-7);
    resumed.history.loss.forEach((l, i) => expect(l).toBeCloseTo(full.history.loss[i], 7));
    // resuming on other data is refused
    const otherLabels = [labels[1], labels[0], ...labels.slice(2)];
    expect(otherLabels).not.toEqual(labels);
    await expect(resumeTrainHead(aborted.checkpoint!, features, otherLabels)).rejects.toThrow(CheckpointError);
  });

  it('stops early on validation loss and restores the best epoch', async () => {
    // validation labels flipped: the better the head fits the training data, the worse the validation loss
    const flipped = labels.map((l) => (l === 'covid' ? 'normal' : 'covid'));
    const events: TrainProgress[] = [];
    const r = await trainHead(features, labels, {
      classes: CLASSES,
      head: { ...HEAD, dropout: 0 },
      epochs: 30,
      learningRate: 1e-2,
      validation: { features, labels: flipped },
      earlyStopping: { patience: 2 },
      onProgress: (e) => events.push(e),
    });
    expect(r.stoppedEarly).toBe(true);
    const best = r.history.valLoss.indexOf(Math.min(...r.history.valLoss));
    expect(r.bestEpoch).toBe(best);
    expect(r.epochsCompleted).toBe(best + 3); // best, then 2 epochs without improvement
    // independent check: the restored head's validation loss, by hand, is the best epoch's
    const probs = (r.head.predict(features) as tf.Tensor).arraySync() as number[][];
    const handLoss = probs.reduce((s, p, i) => s - Math.log(p[CLASSES.indexOf(flipped[i])]), 0) / probs.length;
    expect(handLoss).toBeCloseTo(r.history.valLoss[best], 5);
    const epochEvents = events.filter((e) => e.type === 'epoch');
    expect(epochEvents).toHaveLength(r.epochsCompleted);
    expect(epochEvents[0].valLoss).toBe(r.history.valLoss[0]);
    expect(epochEvents.at(-1)!.etaSeconds).toBe(0);
  });

  it('keeps the explicit class order (never alphabetical)', async () => {
    const r = await trainHead(features, labels, { classes: ['normal', 'covid'], head: { ...HEAD, dropout: 0 }, epochs: 15, learningRate: 1e-2 });
    const probs = (r.head.predict(features) as tf.Tensor).arraySync() as number[][];
    const meanCovidCol = (name: string) => {
      const rows = probs.filter((_, i) => labels[i] === name);
      return rows.reduce((s, p) => s + p[1], 0) / rows.length;
    };
    expect(meanCovidCol('covid')).toBeGreaterThan(meanCovidCol('normal') + 0.05);
  });

  it('leaves no tensors behind but the returned head (also after validation, class weights and an abort)', async () => {
    const before = tf.memory().numTensors;
    const r = await trainHead(features, labels, { classes: CLASSES, head: HEAD, epochs: 2, validationSplit: 0.25, classWeight: 'balanced' });
    expect(tf.memory().numTensors).toBe(before + r.head.weights.length);
    r.head.dispose();
    const controller = new AbortController();
    controller.abort();
    const a = await trainHead(features, labels, { classes: CLASSES, head: HEAD, signal: controller.signal });
    expect(a.aborted).toBe(true);
    a.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves no tensors behind when it throws after building its tensors (bad validation set, a failing callback)', async () => {
    const validation = { features: tf.slice(features, 0, 4), labels: labels.slice(0, 3) };
    const before = tf.memory().numTensors;
    await expect(trainHead(features, labels, { classes: CLASSES, head: HEAD, validation })).rejects.toThrow(/4 validation feature maps but 3 labels/);
    expect(tf.memory().numTensors).toBe(before);
    const onProgress = () => {
      throw new Error('progress callback failed');
    };
    await expect(trainHead(features, labels, { classes: CLASSES, head: HEAD, onProgress })).rejects.toThrow(/progress callback failed/);
    expect(tf.memory().numTensors).toBe(before); // the head is disposed as well, since nobody receives it
    validation.features.dispose();
  });

  it('rejects bad input with typed errors', async () => {
    await expect(trainHead(features, ['covid', 'pneumonia'], { classes: CLASSES })).rejects.toThrow(/labels\[1\] is "pneumonia"/);
    await expect(trainHead(features, labels.slice(1), { classes: CLASSES })).rejects.toThrow(/40 feature maps but 39 labels/);
    await expect(trainHead(features, labels, { classes: CLASSES, earlyStopping: { patience: 2 } })).rejects.toThrow(TrainingInputError);
    await expect(trainHead([new Float32Array(3)], ['covid'], { classes: CLASSES, head: { inputShape: [2, 2, 1] } })).rejects.toThrow(/has 3 values, expected 4/);
  });
});
