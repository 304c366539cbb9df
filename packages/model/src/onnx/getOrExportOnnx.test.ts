/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createVgg16 } from '../backbones/createVgg16';
import { OnnxExportError } from '../errors';
import { createOnnxExtractor } from './createOnnxExtractor';
import { exportOnnx } from './exportOnnx';
import { getOrExportOnnx } from './getOrExportOnnx';
import { hashModelWeights } from './hashModelWeights';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const tiny = (seed: number) => createVgg16({ inputShape: [32, 32, 3], widthMultiplier: 1 / 16, blocks: 2, seed });

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cxr-onnx-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('getOrExportOnnx', () => {
  it('misses, writes the export atomically, then hits with the same bytes', async () => {
    const model = tiny(1);
    const first = await getOrExportOnnx({ model, weightsHash: 'abc123', cutLayer: 'block1_pool', cacheDir: dir });
    expect(first.hit).toBe(false);
    expect(sha(first.bytes)).toBe(sha(exportOnnx(model, { cutLayer: 'block1_pool' })));
    expect(sha(new Uint8Array(await readFile(first.path)))).toBe(sha(first.bytes));
    expect(await readdir(dir)).toEqual([path.basename(first.path)]); // no temporary file left behind
    expect(path.basename(first.path)).toMatch(/^backbone-abc123-block1_pool-32x32x3-onnx\d+\.onnx$/);

    const second = await getOrExportOnnx({ model, weightsHash: 'abc123', cutLayer: 'block1_pool', cacheDir: dir });
    expect(second).toMatchObject({ hit: true, path: first.path });
    expect(sha(second.bytes)).toBe(sha(first.bytes));
    model.dispose();
  });

  it('keys by weights hash and cut layer; keeps path separators out of file names', async () => {
    const model = tiny(2);
    await getOrExportOnnx({ model, weightsHash: 'h1', cacheDir: dir });
    expect((await getOrExportOnnx({ model, weightsHash: 'h2', cacheDir: dir })).hit).toBe(false);
    expect((await getOrExportOnnx({ model, weightsHash: 'h1', cutLayer: 'block1_pool', cacheDir: dir })).hit).toBe(false);
    expect((await getOrExportOnnx({ model, weightsHash: 'h1', cacheDir: dir })).hit).toBe(true);
    const odd = await getOrExportOnnx({ model, weightsHash: '../../etc/x', cacheDir: dir });
    expect(path.dirname(odd.path)).toBe(dir);
    expect(await readdir(dir)).toHaveLength(4);
    model.dispose();
  });

  it('replaces a corrupt cache file, and two concurrent exports leave one valid file', async () => {
    const model = tiny(3);
    const { path: file, bytes } = await getOrExportOnnx({ model, weightsHash: 'w', cacheDir: dir });
    await writeFile(file, 'not an onnx model at all, just text');
    const again = await getOrExportOnnx({ model, weightsHash: 'w', cacheDir: dir });
    expect(again.hit).toBe(false);
    expect(sha(new Uint8Array(await readFile(file)))).toBe(sha(bytes));

    await rm(file);
    const both = await Promise.all([1, 2].map(() => getOrExportOnnx({ model, weightsHash: 'w', cacheDir: dir })));
    expect(both.map((b) => sha(b.bytes))).toEqual([sha(bytes), sha(bytes)]);
    expect(await readdir(dir)).toEqual([path.basename(file)]);
    model.dispose();
  });

  it('rejects an empty weights hash, naming it', async () => {
    const model = tiny(4);
    await expect(getOrExportOnnx({ model, weightsHash: '', cacheDir: dir })).rejects.toThrow(OnnxExportError);
    await expect(getOrExportOnnx({ model, weightsHash: '', cacheDir: dir })).rejects.toThrow(/weightsHash must be a non-empty string, got ""/);
    model.dispose();
  });

  it('createOnnxExtractor uses the cache (miss, then hit) and the cached graph computes the tfjs features', async () => {
    const model = tiny(5);
    const input = Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i) * 2);
    const reference = (model.predict(tf.tensor4d(input, [2, 32, 32, 3])) as tf.Tensor).dataSync();
    for (const expected of ['miss', 'hit'] as const) {
      const extractor = await createOnnxExtractor({ model, cacheDir: dir, intraOpNumThreads: 1 });
      expect(extractor.info.onnxCache).toBe(expected);
      const features = await extractor.run(input, 2);
      let diff = 0;
      features.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - reference[i]))));
      expect(diff).toBeLessThan(1e-5 * Math.max(...Array.from(reference, Math.abs)));
      await extractor.dispose();
    }
    // Without an explicit hash it keys by hashModelWeights(model).
    expect((await readdir(dir))[0]).toContain(hashModelWeights(model));
    model.dispose();
  });
});

describe('hashModelWeights', () => {
  it('is stable for the same weights and changes with any weight', () => {
    const a = tiny(7);
    const b = tiny(7);
    expect(hashModelWeights(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashModelWeights(b)).toBe(hashModelWeights(a));
    const layer = b.getLayer('block2_conv1');
    const [kernel, bias] = layer.getWeights();
    layer.setWeights([kernel, tf.add(bias, tf.scalar(1e-3))]);
    expect(hashModelWeights(b)).not.toBe(hashModelWeights(a));
    a.dispose();
    b.dispose();
  });
});
