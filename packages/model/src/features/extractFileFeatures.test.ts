import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { preprocessImage } from '@cxr/preprocess/node';
import { createBackbone } from '../backbones/createBackbone';
import { ModelError } from '../errors';
import { extractFeatures } from './extractFeatures';
import { extractFileFeatures } from './extractFileFeatures';
import { FeatureCache } from './FeatureCache';
import { SHARED_DATA } from '../__fixtures__/sharedData';

const SHARED = SHARED_DATA;
const FILES = ['00001281_000.png', '00001299_000.png', '00001300_000.png'].map((f) => path.join(SHARED, 'nih-cxr14/images', f));

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-ffeat-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('extractFileFeatures', () => {
  it('preprocesses real X-rays with the backbone spec, computes each once, then reads the cache', async () => {
    const backbone = createBackbone({ name: 'vgg16', seed: 1, blocks: 2, widthMultiplier: 1 / 16 });
    const cache = new FeatureCache(path.join(dir, 'cache'));
    const first = await extractFileFeatures(backbone, FILES, { cache, batchSize: 2 });
    expect(cache.stats()).toEqual({ hits: 0, misses: 3, writes: 3, corrupt: 0 });
    expect(first.map((f) => f.length)).toEqual([56 * 56 * 8, 56 * 56 * 8, 56 * 56 * 8]);
    // same as preprocessing by hand with the backbone's spec (vgg16-caffe) and running the model
    const { data } = await preprocessImage(FILES[1], backbone.preprocessing);
    const [direct] = await extractFeatures(backbone, [data]);
    expect(first[1]).toEqual(direct);
    expect(first[0]).not.toEqual(first[1]);
    const progress: number[] = [];
    const second = await extractFileFeatures(backbone, [FILES[2], FILES[0], FILES[1]], { cache, onProgress: (p) => progress.push(p.done) });
    expect(cache.stats()).toMatchObject({ hits: 3, misses: 3, writes: 3 });
    expect(second).toEqual([first[2], first[0], first[1]]);
    expect(progress).toEqual([3]);
    // another spec is another key: a miss
    await extractFileFeatures(backbone, [FILES[0]], { cache, preprocessing: { ...backbone.preprocessing, normalization: 'unit' } });
    expect(cache.stats()).toMatchObject({ hits: 3, misses: 4, writes: 4 });
    backbone.model.dispose();
  });

  it('names a file that is not an image', async () => {
    const backbone = createBackbone({ name: 'vgg16', blocks: 1, widthMultiplier: 1 / 64 });
    const bad = path.join(dir, 'bad.png');
    await writeFile(bad, 'not a png');
    const err = await extractFileFeatures(backbone, [FILES[0], bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(bad);
    await expect(extractFileFeatures(backbone, [path.join(dir, 'none.png')], { cache: new FeatureCache(dir) })).rejects.toThrow(ModelError);
    backbone.model.dispose();
  });
});
