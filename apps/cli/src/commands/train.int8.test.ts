/**
 * @jest-environment ../../packages/model/src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
// int8 needs onnxruntime, which under Jest runs only in the node-realm environment (the other train tests run tfjs).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PRESETS, type DemoResult, type TrainFromDatasetOptions as TrainOptions } from '@cxr/model/node';
import { createProgress, type Progress } from '../pipeline/progress';
import { runDemo } from './demo';
import { runTrain } from './train';

const silent: Progress = createProgress({ stdout: process.stdout, stderr: process.stderr, cwd: '.' }, { quiet: true });

describe('cxr train --precision int8', () => {
  let tmp: string;
  let demo: DemoResult;
  let base: TrainOptions;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-train-int8-'));
    demo = await runDemo({ out: path.join(tmp, 'demo'), size: 'small', randomWeights: true, seed: 11, cwd: tmp });
    base = {
      data: demo.dataset,
      out: '',
      randomWeights: true,
      randomSize: DEMO_PRESETS.small.random.base,
      learningRate: DEMO_PRESETS.small.random.learningRate,
      epochs: 4,
      seed: 11,
      engine: 'onnx',
      allowConfounded: true, // the demo dataset's sources are confounded on purpose
      cwd: tmp,
      progress: silent,
    };
  }, 240_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('--precision int8 trains on the quantised base, records it in cxr.json and caches its features apart', async () => {
    const cacheDir = path.join(tmp, 'int8-cache');
    const countF32 = async (): Promise<number> =>
      (await readdir(cacheDir, { recursive: true }).catch(() => [] as string[])).filter((e) => String(e).endsWith('.f32')).length;
    const fp32 = await runTrain({ ...base, cacheDir, out: 'fp32-model' });
    const images = fp32.split.train + fp32.split.val;
    expect(await countF32()).toBe(images);
    const r = await runTrain({ ...base, cacheDir, out: 'int8-model', precision: 'int8' });
    expect([r.precision, r.engine]).toEqual(['int8', 'onnxruntime-node']);
    expect(await countF32()).toBe(2 * images); // new keys: no float32 feature is reused as int8
    const config = JSON.parse(await readFile(path.join(tmp, 'int8-model', 'cxr.json'), 'utf8'));
    expect(config.trainingMetrics.precision).toBe('int8');
    expect(config.trainingMetrics.quantization).toEqual({ calibration: expect.stringMatching(/^[0-9a-f]{64}$/), images: Math.min(32, r.split.train), method: 'minmax' });
    expect(JSON.parse(await readFile(path.join(tmp, 'fp32-model', 'cxr.json'), 'utf8')).trainingMetrics.precision).toBe('fp32');
    expect(r.history.loss).not.toEqual(fp32.history.loss);
    await expect(runTrain({ ...base, cacheDir, out: 'int8-tfjs', precision: 'int8', engine: 'tfjs' })).rejects.toThrow(/onnxruntime only/);
  });

});
