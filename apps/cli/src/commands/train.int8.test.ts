/**
 * @jest-environment ../../packages/model/src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
// int8 needs onnxruntime, which under Jest runs only in the node-realm environment (the other train tests run tfjs).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainFromDatasetOptions as TrainOptions } from '@cxr/model/node';
import { createProgress, type Progress } from '../pipeline/progress';
import { demoTrainOptions, useDemoModel } from '../__fixtures__/useDemoModel';
import { runTrain } from './train';

const silent: Progress = createProgress({ stdout: process.stdout, stderr: process.stderr, cwd: '.' }, { quiet: true });

describe('cxr train --precision int8', () => {
  const fx = useDemoModel('train-int8', 11);
  let tmp: string;
  let base: TrainOptions;
  beforeAll(() => {
    tmp = fx.tmp;
    base = demoTrainOptions(fx, 11, { engine: 'onnx', progress: silent });
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
    expect(config.trainingMetrics.quantization).toEqual({ calibration: expect.stringMatching(/^[0-9a-f]{64}$/), images: Math.min(32, r.split.train), method: 'minmax', biasCorrection: true, quantizer: 3 });
    expect(JSON.parse(await readFile(path.join(tmp, 'fp32-model', 'cxr.json'), 'utf8')).trainingMetrics.precision).toBe('fp32');
    expect(r.history.loss).not.toEqual(fp32.history.loss);
    await expect(runTrain({ ...base, cacheDir, out: 'int8-tfjs', precision: 'int8', engine: 'tfjs' })).rejects.toThrow(/onnxruntime only/);
  });

});
