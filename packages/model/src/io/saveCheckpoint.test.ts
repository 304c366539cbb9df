import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { tinyBackbone, tinyImages, useCpu } from '../__fixtures__/tinyBackbone';
import { CheckpointError } from '../errors';
import { resumeTrainHead, trainHead } from '../train/trainHead';
import { loadCheckpoint, saveCheckpoint } from './saveCheckpoint';

let tmp: string;
beforeAll(async () => {
  await useCpu();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-ckpt-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips an aborted run through disk; resuming gives the uninterrupted result', async () => {
    const data = tinyImages(24, 5);
    const images = tf.tensor4d(Float32Array.from(data.images.flatMap((i) => Array.from(i))), [24, 32, 32, 3]);
    const features = tinyBackbone().model.predict(images) as tf.Tensor4D;
    const opts = { classes: ['covid', 'normal'], head: { poolSize: 4, units: 5 }, epochs: 2, seed: 3, validationSplit: 0.25, earlyStopping: { patience: 5 } };
    const full = await trainHead(features, data.labels, opts);
    const controller = new AbortController();
    const aborted = await trainHead(features, data.labels, {
      ...opts,
      signal: controller.signal,
      onProgress: (e) => e.type === 'batch' && e.epoch === 0 && e.batch === 1 && controller.abort(),
    });
    const file = path.join(tmp, 'run', 'checkpoint.json');
    await saveCheckpoint(file, aborted.checkpoint!);
    expect(await readdir(path.dirname(file))).toEqual(['checkpoint.json']); // no temp file left
    const loaded = await loadCheckpoint(file);
    expect(loaded.weights[0].data).toBeInstanceOf(Float32Array);
    expect(loaded.weights.map((w) => Array.from(w.data))).toEqual(aborted.checkpoint!.weights.map((w) => Array.from(w.data)));
    const resumed = await resumeTrainHead(loaded, features, data.labels);
    expect(resumed.epochsCompleted).toBe(2);
    // equal up to float32 rounding: tfjs recomputes Adam's beta^t on restore instead of its running product
    expect(resumed.history.valLoss).toHaveLength(2);
    resumed.history.loss.forEach((l, i) => expect(l).toBeCloseTo(full.history.loss[i], 6));
    resumed.history.valLoss.forEach((l, i) => expect(l).toBeCloseTo(full.history.valLoss[i], 6));
    const a = resumed.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    const b = full.head.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-6);
    tf.dispose([images, features]);
  });

  it('names the file when it cannot read a checkpoint', async () => {
    const bad = path.join(tmp, 'bad.json');
    await writeFile(bad, '{"version": 2}');
    await expect(loadCheckpoint(bad)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(bad)).rejects.toThrow(bad);
    await expect(loadCheckpoint(path.join(tmp, 'none.json'))).rejects.toThrow(/Cannot read checkpoint/);
  });
});
