/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
// extractFileFeatures (src/features) on the onnxruntime engine: same features as on tfjs, graph cached
// beside the feature cache, and no engine started when every feature is cached.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createBackbone } from '../backbones/createBackbone';
import { extractFileFeatures } from '../features/extractFileFeatures';
import { FeatureCache } from '../features/FeatureCache';
import { SHARED_DATA } from '../__fixtures__/sharedData';

const SHARED = SHARED_DATA;
const FILES = ['00001281_000.png', '00001299_000.png', '00001300_000.png'].map((f) => path.join(SHARED, 'nih-cxr14/images', f));

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-onnx-ffeat-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("engine 'auto' runs onnxruntime with the tfjs features (1e-4), caches the graph, and starts nothing on full cache hits", async () => {
  const backbone = createBackbone({ name: 'vgg16', seed: 3, blocks: 2, widthMultiplier: 1 / 16 });
  const warnings: string[] = [];
  const cache = new FeatureCache(path.join(dir, 'features'));
  const onnx = await extractFileFeatures(backbone, FILES, { cache, batchSize: 2, threads: 1, onWarning: (m) => warnings.push(m) });
  expect(warnings).toEqual([]); // no fallback: onnxruntime ran
  const graphs = await readdir(path.join(cache.dir, 'onnx'));
  expect(graphs).toHaveLength(1);
  expect(graphs[0]).toContain(backbone.weightsHash.replace(/[^A-Za-z0-9._-]+/g, '_'));

  const reference = await extractFileFeatures(backbone, FILES, { engine: 'tfjs', batchSize: 2 });
  for (let i = 0; i < FILES.length; i++) {
    let diff = 0;
    let scale = 0;
    reference[i].forEach((v, k) => {
      diff = Math.max(diff, Math.abs(onnx[i][k] - v));
      scale = Math.max(scale, Math.abs(v));
    });
    expect(scale).toBeGreaterThan(0);
    expect(diff / scale).toBeLessThan(1e-4);
    expect(onnx[i]).not.toEqual(reference[i]); // two engines, really: not bit-identical
  }

  // Everything cached: no engine is created, so a missing onnxruntime would not even be noticed.
  await rm(path.join(cache.dir, 'onnx'), { recursive: true });
  const again = await extractFileFeatures(backbone, FILES, { cache, engine: 'onnx' });
  expect(again).toEqual(onnx);
  await expect(readdir(path.join(cache.dir, 'onnx'))).rejects.toThrow(/ENOENT/);
  backbone.model.dispose();
});
