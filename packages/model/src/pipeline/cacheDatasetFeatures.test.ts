/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
// onnxruntime extracts the features (the realm environment lets it run under Jest); the head and block train on tfjs cpu.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatManifest, type ManifestRecord } from '@cxr/dataset';
import sharp from 'sharp';
import { describeWithData, SHARED_MOBILENET } from '../__fixtures__/sharedData';
import { initBackend } from '../backend/initBackend';
import { FineTuneError } from '../errors';
import { loadModel } from '../io/loadModel';
import { cacheDatasetFeatures } from './cacheDatasetFeatures';
import type { PipelineProgress } from './pipelineProgress';
import { trainFromDataset, type TrainFromDatasetOptions } from './trainFromDataset';

/** 16 grey PNGs of 16 patients (covid bright, normal dark, each a value of its own) and their manifest. */
async function makeDataset(dir: string): Promise<void> {
  const records: ManifestRecord[] = [];
  for (let i = 0; i < 16; i++) {
    const label = i % 2 === 0 ? 'covid' : 'normal';
    const rel = `${label}/img${i}.png`;
    await mkdir(path.join(dir, label), { recursive: true });
    const v = label === 'covid' ? 200 - i : 40 + i;
    await sharp(Buffer.alloc(24 * 24, v), { raw: { width: 24, height: 24, channels: 1 } }).png().toFile(path.join(dir, rel));
    records.push({ path: rel, label, source: label === 'covid' ? 'covid-chestxray' : 'nih-cxr14', patientId: `p${i}`, view: 'PA', sex: null, age: null, originalPath: rel, sha256: '0'.repeat(64), finding: '' });
  }
  await writeFile(path.join(dir, 'manifest.csv'), formatManifest(records));
}

/** Every cached feature file under `dir` (relative path -> bytes). */
async function cacheFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith('.f32')).sort();
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f))] as const)));
}

/** A progress that keeps the lines (where trainFromDataset says how many features it read from the cache). */
function recordLines(lines: string[]): PipelineProgress {
  return { line: (text) => lines.push(text), bar: () => undefined, end: () => undefined };
}

describeWithData([SHARED_MOBILENET])('cacheDatasetFeatures({ fineTune }) on the ImageNet MobileNet v1', () => {
  let tmp: string;
  let data: string;
  const backbone = { backbone: 'mobilenet_v1', weights: SHARED_MOBILENET, engine: 'onnx' as const };
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-cache-ft-'));
    data = path.join(tmp, 'data');
    await makeDataset(data);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('two shards pre-fill every feature a fine-tuning run reads; without fineTune the run misses; the models are equal', async () => {
    const cut = path.join(tmp, 'cache-cut');
    const uncut = path.join(tmp, 'cache-uncut');
    const shards = [];
    for (const index of [0, 1]) {
      shards.push(await cacheDatasetFeatures({ ...backbone, data, fineTune: { blocks: 1 }, shard: { index, count: 2 }, cacheDir: cut, threads: 1, cwd: tmp }));
    }
    for (const r of shards) expect(r).toMatchObject({ images: 16, cached: 0, extracted: r.shardImages, cutLayer: 'conv_dw_12_relu' });
    expect(shards[0].shardImages + shards[1].shardImages).toBe(16);
    expect(Math.min(shards[0].shardImages, shards[1].shardImages)).toBeGreaterThan(0);
    const prefilled = await cacheFiles(cut);
    expect(prefilled.size).toBe(16);
    // the uncut backbone's features (ends at conv_pw_12_relu): another key
    const plain = await cacheDatasetFeatures({ ...backbone, data, cacheDir: uncut, threads: 1, cwd: tmp });
    expect(plain).toMatchObject({ images: 16, extracted: 16, cutLayer: null });
    const uncutBefore = new Set((await cacheFiles(uncut)).keys());
    expect([...uncutBefore].filter((f) => prefilled.has(f))).toEqual([]);

    const train = (cacheDir: string, out: string, lines: string[]): TrainFromDatasetOptions => ({
      ...backbone, data, out, cacheDir, fineTune: { blocks: 1 }, epochs: 2, seed: 3, backend: 'cpu', allowConfounded: true, cwd: tmp, progress: recordLines(lines),
    });
    const fromCacheLines: string[] = [];
    const fromCache = await trainFromDataset(train(cut, 'from-cache', fromCacheLines));
    const n = fromCache.split.train + fromCache.split.val;
    expect(n).toBeGreaterThan(8);
    // every feature read from the pre-filled cache: none extracted
    expect(fromCache.engine).toBe('cache');
    expect(fromCacheLines).toContain(`features: ${n} images (${n} from cache ${cut}); engine cache`);
    expect([...(await cacheFiles(cut)).keys()]).toEqual([...prefilled.keys()]);

    // the uncut pre-fill does not serve the fine-tuning run: it extracts every feature itself
    const missLines: string[] = [];
    const extracted = await trainFromDataset(train(uncut, 'extracted', missLines));
    expect(extracted.engine).toBe('onnxruntime-node');
    expect(missLines).toContainEqual(expect.stringMatching(new RegExp(`^features: ${n} images \\(0 from cache `)));
    // what it wrote are the pre-filled entries, byte for byte (same keys: the same cut, preprocessing and weights)
    const written = [...(await cacheFiles(uncut))].filter(([f]) => !uncutBefore.has(f));
    expect(written).toHaveLength(n);
    for (const [f, bytes] of written) expect(prefilled.get(f)?.equals(bytes)).toBe(true);

    // the same seed on the same features: the same model (every weight, block included) and the same saved numbers
    const a = await loadModel(path.join(tmp, 'from-cache'));
    const b = await loadModel(path.join(tmp, 'extracted'));
    try {
      expect(a.config.fineTune).toMatchObject({ blocks: 1, backboneCut: 'conv_dw_12_relu' });
      const wa = a.model.getWeights();
      const wb = b.model.getWeights();
      expect(wa.map((w) => w.shape)).toEqual(wb.map((w) => w.shape));
      let diff = 0;
      wa.forEach((w, i) => {
        const x = w.dataSync();
        const y = wb[i].dataSync();
        for (let k = 0; k < x.length; k++) diff = Math.max(diff, Math.abs(x[k] - y[k]));
      });
      expect(diff).toBeLessThanOrEqual(1e-6);
      expect(fromCache.history).toEqual(extracted.history);
      expect(fromCache.temperature).toBe(extracted.temperature);
    } finally {
      a.model.dispose();
      b.model.dispose();
    }
  }, 300_000);

  it("refuses what training refuses, with training's FineTuneError, before writing anything", async () => {
    const cacheDir = path.join(tmp, 'cache-refused');
    const two: unknown = await cacheDatasetFeatures({ ...backbone, data, fineTune: { blocks: 2 }, cacheDir, cwd: tmp }).then(() => null, (error: unknown) => error);
    expect(two).toBeInstanceOf(FineTuneError);
    const message = (two as FineTuneError).message;
    expect(message).toMatch(/cannot fine-tune 2 blocks: block 2 from the top ends at conv_dw_12_relu and is a depthwise 3x3 convolution/);
    await expect(trainFromDataset({ ...backbone, data, out: 'refused', fineTune: { blocks: 2 }, cacheDir, backend: 'cpu', allowConfounded: true, cwd: tmp })).rejects.toThrow(message);
    await expect(cacheDatasetFeatures({ ...backbone, data, fineTune: { blocks: 0 }, cacheDir, cwd: tmp })).rejects.toThrow(/fine-tune blocks must be a positive integer, got 0/);
    // VGG16 (a random one here: the same layers) ends with max pooling over 3x3 convolutions
    const vgg = cacheDatasetFeatures({ data, randomWeights: true, fineTune: { blocks: 1 }, cacheDir, cwd: tmp });
    await expect(vgg).rejects.toThrow(FineTuneError);
    await expect(vgg).rejects.toThrow(/cannot fine-tune 1 block: block 1 from the top ends at block5_pool and is a MaxPooling2D layer/);
    await expect(stat(cacheDir)).rejects.toThrow(/ENOENT/);
  }, 120_000);
});
