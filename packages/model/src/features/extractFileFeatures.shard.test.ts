/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createBackbone } from '../backbones/createBackbone';
import { extractFileFeatures } from './extractFileFeatures';
import { FeatureCache } from './FeatureCache';
import { SHARED_DATA } from '../__fixtures__/sharedData';

const IMAGES = path.join(SHARED_DATA, 'nih-cxr14/images');

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-fshard-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('extractFileFeatures in shards over one shared cache', () => {
  it.each(['fp32', 'int8'] as const)('%s: three shards fill the cache a later full run reads, with the features of one process', async (precision) => {
    const files = (await readdir(IMAGES)).sort().slice(0, 3).map((f) => path.join(IMAGES, f));
    const backbone = createBackbone({ name: 'vgg16', seed: 1, blocks: 2, widthMultiplier: 1 / 16 });
    const options = { engine: 'onnx' as const, threads: 1, precision, calibrationFiles: files.slice(0, 2) };
    const single = await extractFileFeatures(backbone, files, { ...options, cache: new FeatureCache(path.join(dir, `${precision}-one`)) });

    const shared = path.join(dir, `${precision}-shared`);
    // Three "processes" at once, each with its own FeatureCache object over the same folder and its share of files.
    // collect: false, as a shard warming the cache does: nothing held, nothing returned.
    const parts = await Promise.all(
      [0, 1, 2].map((i) => extractFileFeatures(backbone, files.filter((_, k) => k % 3 === i), { ...options, cache: new FeatureCache(shared), collect: false })),
    );
    expect(parts).toEqual([[], [], []]);
    const cache = new FeatureCache(shared);
    const merged = await extractFileFeatures(backbone, files, { ...options, cache });
    expect(cache.stats()).toMatchObject({ hits: files.length, misses: 0, writes: 0 }); // no merge step: content keys
    for (let i = 0; i < files.length; i++) expect(Array.from(merged[i])).toEqual(Array.from(single[i]));
    backbone.model.dispose();
  });

  it('keys int8 features apart from float32 ones of the same images', async () => {
    const files = (await readdir(IMAGES)).sort().slice(0, 2).map((f) => path.join(IMAGES, f));
    const backbone = createBackbone({ name: 'vgg16', seed: 1, blocks: 2, widthMultiplier: 1 / 16 });
    const cache = new FeatureCache(path.join(dir, 'mixed'));
    const fp32 = await extractFileFeatures(backbone, files, { cache, engine: 'onnx', threads: 1 });
    const int8 = await extractFileFeatures(backbone, files, { cache, engine: 'onnx', threads: 1, precision: 'int8' });
    expect(cache.stats()).toMatchObject({ hits: 0, writes: 4 });
    expect(Array.from(int8[0])).not.toEqual(Array.from(fp32[0]));
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let k = 0; k < fp32[0].length; k++) {
      dot += fp32[0][k] * int8[0][k];
      a += fp32[0][k] ** 2;
      b += int8[0][k] ** 2;
    }
    expect(dot / Math.sqrt(a * b)).toBeGreaterThan(0.99);
    backbone.model.dispose();
  });
});
