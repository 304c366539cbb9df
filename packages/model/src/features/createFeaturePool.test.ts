import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createBackbone } from '../backbones/createBackbone';
import { loadBackbone } from '../backbones/loadBackbone';
import { FeatureExtractionError } from '../errors';
import { createFeaturePool } from './createFeaturePool';
import { extractFileFeatures } from './extractFileFeatures';
import { FeatureCache } from './FeatureCache';
import { SHARED_DATA } from '../__fixtures__/sharedData';

const SHARED = SHARED_DATA;
const NIH = ['00001281_000.png', '00001299_000.png', '00001300_000.png'].map((f) => path.join(SHARED, 'nih-cxr14/images', f));
const COVID = ['0a7faa2a.jpg', '01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg'].map((f) => path.join(SHARED, 'covid-chestxray/images', f));
const FILES = [NIH[0], COVID[0], NIH[1], COVID[1], NIH[2]];
const TINY = { name: 'vgg16' as const, seed: 5, blocks: 2, widthMultiplier: 1 / 16 };

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-pool-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectClose(a: Float32Array, b: Float32Array) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  expect(worst).toBeLessThan(1e-4);
}

describe('createFeaturePool', () => {
  it('extracts in input order on 2 wasm workers, as the main thread computes on cpu, and uses the cache', async () => {
    const pool = await createFeaturePool({ backbone: TINY, workers: 2, backend: 'wasm', chunkSize: 2 });
    try {
      expect(pool.workers).toBe(2);
      expect(pool.backend).toMatchObject({ name: 'wasm', threads: 1 });
      expect(pool.backbone.outputShape).toEqual([56, 56, 8]);
      const cache = new FeatureCache(path.join(dir, 'cache'));
      const progress: number[] = [];
      const features = await pool.extract(FILES, { cache, onProgress: (p) => progress.push(p.done) });
      // reference: the same seeded weights on the main thread's cpu backend, one file at a time
      const local = createBackbone(TINY);
      expect(local.weightsHash).toBe(pool.backbone.weightsHash);
      for (let i = 0; i < FILES.length; i++) expectClose(features[i], (await extractFileFeatures(local, [FILES[i]]))[0]);
      local.model.dispose();
      expect(progress[0]).toBe(0);
      expect(progress.at(-1)).toBe(5);
      expect(cache.stats()).toMatchObject({ misses: 5, writes: 5, hits: 0 });
      const again = await pool.extract([FILES[4], FILES[0]], { cache });
      expect(again).toEqual([features[4], features[0]]);
      expect(cache.stats()).toMatchObject({ hits: 2, writes: 5 });
      // preprocessed inputs work too
      const raw = await pool.extract([new Float32Array(224 * 224 * 3)]);
      expect(raw[0].every((v) => v === 0)).toBe(true); // zero image, zero biases: ReLU(0) = 0
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('runs the shared MobileNet weights in a worker', async () => {
    const weights = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
    const pool = await createFeaturePool({ backbone: { name: 'mobilenet_v1', weights }, workers: 1, backend: 'wasm' });
    try {
      const [f] = await pool.extract([NIH[0]]);
      expect(f.length).toBe(7 * 7 * 1024);
      const local = await loadBackbone({ name: 'mobilenet_v1', weights });
      expect(pool.backbone.weightsHash).toBe(local.weightsHash);
      await tf.setBackend('wasm'); // the cpu backend is slow on a full MobileNet; VGG above checks cpu vs wasm
      try {
        expectClose(f, (await extractFileFeatures(local, [NIH[0]]))[0]);
      } finally {
        local.model.dispose();
        await tf.setBackend('cpu');
      }
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('rejects an extract still running when the pool is closed (it used to wait forever), and a bad chunkSize', async () => {
    await expect(createFeaturePool({ backbone: TINY, workers: 1, chunkSize: 0 })).rejects.toThrow(/chunkSize must be a positive integer, got 0/);
    const pool = await createFeaturePool({ backbone: { ...TINY, blocks: 1 }, workers: 1, backend: 'cpu', chunkSize: 1 });
    const running = pool.extract(Array.from({ length: 8 }, () => new Float32Array(224 * 224 * 3)));
    await pool.close();
    await expect(running).rejects.toThrow(/closed during extraction/);
    await expect(pool.extract([new Float32Array(3)])).rejects.toThrow(/closed/);
  }, 120_000);

  it('reports a worker that cannot load its backbone, and a file it cannot read', async () => {
    const missing = path.join(dir, 'nope.h5');
    await expect(createFeaturePool({ backbone: { name: 'vgg16', weights: missing }, workers: 1, backend: 'cpu' })).rejects.toThrow(
      new RegExp(`Feature worker 0 could not start: WeightsFormatError: Cannot read weights from ${missing}`),
    );
    const pool = await createFeaturePool({ backbone: { ...TINY, blocks: 1 }, workers: 1, backend: 'cpu' });
    try {
      const bad = path.join(dir, 'bad.png');
      await writeFile(bad, 'not a png');
      const err = await pool.extract([NIH[0], bad]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FeatureExtractionError);
      expect((err as Error).message).toContain(bad);
    } finally {
      await pool.close();
    }
  }, 120_000);
});
