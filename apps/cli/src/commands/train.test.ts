import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkpointFileFor, loadModel, scoreImages, type DemoResult, type TrainFromDatasetOptions as TrainOptions } from '@cxr/model/node';
import { formatSplitCsv, parseSplitCsv } from '@cxr/dataset/node';
import { abortOnSigint } from '../pipeline/abortOnSigint';
import { createProgress, type Progress } from '../pipeline/progress';
import { runCli } from '../__fixtures__/cliHarness';
import { demoTrainOptions, useDemoModel } from '../__fixtures__/useDemoModel';
import { parseNonNegative, parseThreshold, runTrain } from './train';

const silent: Progress = createProgress({ stdout: process.stdout, stderr: process.stderr, cwd: '.' }, { quiet: true });

describe('cxr train', () => {
  const fx = useDemoModel('train', 11);
  let tmp: string;
  let demo: DemoResult;
  let base: TrainOptions;
  beforeAll(() => {
    ({ tmp, demo } = fx);
    base = demoTrainOptions(fx, 11, { cacheDir: path.join(tmp, 'demo', '.cache', 'features'), progress: silent });
  });

  it('an abort leaves a checkpoint; --resume continues to the same result as an uninterrupted run', async () => {
    const whole = await runTrain({ ...base, out: 'whole' });
    expect(whole.aborted).toBe(false);

    const controller = new AbortController();
    const aborting: Progress = {
      ...silent,
      bar(label, done) {
        if (label.startsWith('epoch 2/') && done === 2) controller.abort();
      },
    };
    const cut = await runTrain({ ...base, out: 'resumed', signal: controller.signal, progress: aborting });
    expect(cut.aborted).toBe(true);
    expect(cut.model).toBeNull();
    expect(cut.checkpoint).toBe(checkpointFileFor(path.join(tmp, 'resumed')));
    expect((await stat(cut.checkpoint as string)).size).toBeGreaterThan(0);
    expect(cut.epochsCompleted).toBe(1);
    await expect(stat(path.join(tmp, 'resumed'))).rejects.toThrow();

    const resumed = await runTrain({ ...base, out: 'resumed', resume: true });
    expect(resumed.resumed).toBe(true);
    expect(resumed.epochsCompleted).toBe(4);
    await expect(stat(cut.checkpoint as string)).rejects.toThrow(); // removed once the model is saved
    expect(resumed.history.loss).toHaveLength(4);
    resumed.history.loss.forEach((l, i) => expect(l).toBeCloseTo(whole.history.loss[i], 4));
    resumed.history.valLoss.forEach((l, i) => expect(l).toBeCloseTo(whole.history.valLoss[i], 4));
  });

  it('a crash mid-epoch (no abort, no Ctrl-C checkpoint) resumes from the last epoch-end checkpoint to the same result', async () => {
    const whole = await runTrain({ ...base, out: 'whole2' });
    const crashing: Progress = {
      ...silent,
      bar(label, done) {
        if (label.startsWith('epoch 3/') && done === 1) throw new Error('simulated crash');
      },
    };
    await expect(runTrain({ ...base, out: 'crashed', progress: crashing })).rejects.toThrow('simulated crash');
    await expect(stat(path.join(tmp, 'crashed'))).rejects.toThrow(); // no model
    const resumed = await runTrain({ ...base, out: 'crashed', resume: true });
    expect(resumed.resumed).toBe(true);
    expect(resumed.epochsCompleted).toBe(4);
    resumed.history.loss.forEach((l, i) => expect(l).toBeCloseTo(whole.history.loss[i], 4));
    resumed.history.valLoss.forEach((l, i) => expect(l).toBeCloseTo(whole.history.valLoss[i], 4));
  });

  it('a Ctrl-C (SIGINT) raised while the head trains stops it at the next batch', async () => {
    let scheduled = false;
    const progress: Progress = {
      ...silent,
      bar(label) {
        // A timer, not a direct call: the handler must get an event-loop turn while training runs.
        if (!scheduled && label.startsWith('epoch 1/')) {
          scheduled = true;
          setTimeout(() => process.emit('SIGINT'), 0);
        }
      },
    };
    const r = await abortOnSigint((signal) => runTrain({ ...base, out: 'sigint', epochs: 40, signal, progress }));
    expect(scheduled).toBe(true);
    expect(r.aborted).toBe(true);
    expect(r.epochsCompleted).toBe(0);
    await rm(r.checkpoint as string);
  });

  it('--augment adds seeded rotated copies of the training images, cached once', async () => {
    const cacheDir = path.join(tmp, 'aug-cache');
    const countF32 = async (): Promise<number> => {
      const entries = await readdir(cacheDir, { recursive: true }).catch(() => [] as string[]);
      return entries.filter((e) => String(e).endsWith('.f32')).length;
    };
    const plain = await runTrain({ ...base, cacheDir, out: 'plain-aug' });
    const before = await countF32();
    expect(before).toBe(plain.split.train + plain.split.val);
    const r = await runTrain({ ...base, cacheDir, out: 'aug', augment: 2 });
    expect(await countF32()).toBe(before + 2 * r.split.train);
    const config = JSON.parse(await readFile(path.join(tmp, 'aug', 'cxr.json'), 'utf8'));
    expect(config.trainingMetrics.augment).toEqual({ copies: 2, rotate: 15, fill: 'nearest' });
    expect(r.history.loss).not.toEqual(plain.history.loss);
    await runTrain({ ...base, cacheDir, out: 'aug', augment: 2 }); // same seed: the same copies, all from the cache
    expect(await countF32()).toBe(before + 2 * r.split.train);
  }, 180_000);

  it('--clahe, --lung-crop and the source mitigations are recorded in cxr.json; prediction applies the saved CLAHE and crop', async () => {
    const r = await runTrain({ ...base, out: 'mitigated', clahe: true, lungCrop: true, spectralDecoupling: 0.1, sourceBalanced: true, sourceAdversarial: 1 });
    const config = JSON.parse(await readFile(path.join(tmp, 'mitigated', 'cxr.json'), 'utf8'));
    expect(config.preprocessing.clahe).toEqual({ tileGridSize: 8, clipLimit: 2 });
    expect(config.preprocessing.lungCrop).toEqual({ x: 0.1, y: 0.08, width: 0.8, height: 0.8 });
    const lungCrop = { x: 0.1, y: 0.08, width: 0.8, height: 0.8 };
    expect(config.trainingMetrics.mitigations).toEqual({ clahe: true, lungCrop, spectralDecoupling: 0.1, sourceBalanced: true, sourceAdversarial: 1 });
    // the first test's model, trained without them: no lungCrop key in its preprocessing (as models saved before it)
    const plain = JSON.parse(await readFile(path.join(tmp, 'whole', 'cxr.json'), 'utf8'));
    expect(plain.preprocessing.clahe).toBeNull();
    expect('lungCrop' in plain.preprocessing).toBe(false);
    expect(plain.trainingMetrics.mitigations).toEqual({ clahe: false, lungCrop: null, spectralDecoupling: 0, sourceBalanced: false, sourceAdversarial: 0 });
    // The saved model reads images through its own spec: the same file scores differently once CLAHE is switched off.
    const cxr = await loadModel(path.join(tmp, 'mitigated'));
    const split = parseSplitCsv(await readFile(path.join(demo.dataset, 'split.csv'), 'utf8'), 'split.csv').filter((x) => x.split === 'val');
    const files = split.slice(0, 4).map((x) => path.join(demo.dataset, x.path));
    const withClahe = await scoreImages(cxr, files);
    const without = await scoreImages({ ...cxr, config: { ...cxr.config, preprocessing: { ...cxr.config.preprocessing, clahe: null } } }, files);
    const uncropped = await scoreImages({ ...cxr, config: { ...cxr.config, preprocessing: { ...cxr.config.preprocessing, lungCrop: null } } }, files);
    cxr.model.dispose();
    expect(Math.max(...withClahe.map((v, i) => Math.abs(v - without[i])))).toBeGreaterThan(1e-4);
    expect(Math.max(...withClahe.map((v, i) => Math.abs(v - uncropped[i])))).toBeGreaterThan(1e-4);
    expect(r.aborted).toBe(false);
  });

  it('--resume without a checkpoint is bad input naming the file', async () => {
    await expect(runTrain({ ...base, out: 'never', resume: true })).rejects.toThrow(/never\.checkpoint\.json: cannot resume/);
  });

  it('saves cxr.json with the split, the manifest hash and a Youden threshold chosen on validation', async () => {
    const r = await runTrain({ ...base, out: 'youden', threshold: parseThreshold('youden') });
    const config = JSON.parse(await readFile(path.join(tmp, 'youden', 'cxr.json'), 'utf8'));
    expect(config.threshold).toBe(r.threshold.value);
    expect(r.threshold.method).toBe('youden on validation');
    expect(config.trainingMetrics.split).toMatchObject({ train: r.split.train, val: r.split.val, test: r.split.test });
    const { createHash } = await import('node:crypto');
    expect(config.datasetManifestHash).toBe(createHash('sha256').update(await readFile(path.join(demo.dataset, 'manifest.csv'))).digest('hex'));
    const curves = JSON.parse(await readFile(path.join(tmp, 'youden', 'training-history.json'), 'utf8'));
    expect(curves.epochs).toHaveLength(4);
    // Hand check: score the validation images with the saved model; no threshold gives a higher Youden J.
    const split = parseSplitCsv(await readFile(path.join(demo.dataset, 'split.csv'), 'utf8'), 'split.csv').filter((x) => x.split === 'val');
    const cxr = await loadModel(path.join(tmp, 'youden'));
    const scores = await scoreImages(cxr, split.map((x) => path.join(demo.dataset, x.path)));
    cxr.model.dispose();
    const j = (t: number): number => {
      const pos = split.map((x, i) => [x.label, scores[i]] as const);
      const sens = pos.filter(([l, sc]) => l === 'covid' && sc >= t).length / pos.filter(([l]) => l === 'covid').length;
      const spec = pos.filter(([l, sc]) => l === 'normal' && sc < t).length / pos.filter(([l]) => l === 'normal').length;
      return sens + spec - 1;
    };
    const best = Math.max(...scores.map(j));
    expect(j(r.threshold.value)).toBeCloseTo(best, 6);
    expect((r.threshold.sensitivity ?? NaN) + (r.threshold.specificity ?? NaN) - 1).toBeCloseTo(best, 6);
  });

  it('refuses a split file that puts one patient on both sides', async () => {
    const split = parseSplitCsv(await readFile(path.join(demo.dataset, 'split.csv'), 'utf8'), 'split.csv');
    const a = split.find((s) => s.split === 'train') as (typeof split)[number];
    // A test-side image now claims the patient of a train-side image.
    const other = split.find((s) => s.split === 'test') as (typeof split)[number];
    const bad = split.map((s) => (s === other ? { ...s, patientId: a.patientId } : s));
    const file = path.join(tmp, 'leak.csv');
    await writeFile(file, formatSplitCsv(bad));
    const r = await runCli(tmp, ['train', '--data', demo.dataset, '--random-weights', '--out', 'leak', '--split', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(String(a.patientId));
  });

  it('without --weights: exit 2 telling how to get weights; bad flags exit 2', async () => {
    const r = await runCli(tmp, ['train', '--data', demo.dataset, '--out', 'm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cxr weights fetch vgg16');
    expect(r.stderr).toContain('--random-weights');
    expect((await runCli(tmp, ['train', '--data', demo.dataset, '--out', 'm', '--random-weights', '--epochs', '0'])).code).toBe(2);
    expect((await runCli(tmp, ['train', '--data', demo.dataset, '--out', 'm', '--random-weights', '--backbone', 'resnet'])).code).toBe(2);
    expect((await runCli(tmp, ['train', '--data', demo.dataset, '--out', 'm', '--random-weights', '--threshold', 'sens:2'])).code).toBe(2);

    // Bad usage is found before any data is touched: no split.csv appears in a dataset folder without one.
    const fresh = path.join(tmp, 'fresh');
    for (const label of ['covid', 'normal']) {
      await mkdir(path.join(fresh, label), { recursive: true });
      const [first] = await readdir(path.join(demo.dataset, label));
      await copyFile(path.join(demo.dataset, label, first), path.join(fresh, label, first));
    }
    const usage = await runCli(tmp, ['train', '--data', fresh, '--out', 'm', '--random-weights', '--backbone', 'mobilenet_v1']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('cxr: --random-weights builds only a vgg16-like base (MobileNet v1 needs its weights: cxr weights fetch mobilenet_v1)\n');
    expect(await readdir(fresh)).toEqual(['covid', 'normal']);
  });

  it('refuses a confounded design with exit 2 saying what, why and what to do; --allow-confounded trains and saves the warning', async () => {
    // The demo data: covid only from covid-chestxray, 26 of the 30 normals from NIH and RSNA, which have no covid.
    const refused = await runCli(tmp, ['train', '--data', demo.dataset, '--random-weights', '--out', 'confounded', '--epochs', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('CONFOUNDED: normal: 87% (26 of 30) from nih-cxr14, rsna-pneumonia, which have no other class.');
    expect(refused.stderr).toContain('Why it matters:');
    expect(refused.stderr).toContain('What to do: add images of the other classes from the same sources');
    expect(refused.stderr).toContain('--allow-confounded');
    await expect(stat(path.join(tmp, 'confounded'))).rejects.toThrow(); // nothing written

    const r = await runTrain({ ...base, out: 'allowed', epochs: 2 });
    const config = JSON.parse(await readFile(path.join(tmp, 'allowed', 'cxr.json'), 'utf8'));
    expect(config.dataDesign).toMatchObject({ confounded: true, allowedConfounded: true, findings: ['normal: 87% (26 of 30) from nih-cxr14, rsna-pneumonia, which have no other class'] });
    expect(config.dataDesign.warning).toMatch(/^WARNING: confounded training data \(normal: 87%/);
    expect(r.dataDesign?.warning).toBe(config.dataDesign.warning);
    // the other safeguards: temperature on the validation split, the training inputs' description
    expect(config.calibration).toMatchObject({ method: 'temperature-scaling', fittedOn: `validation split (${r.split.val} images)` });
    expect(config.inputDistribution).toMatchObject({ method: 'knn-cosine', count: r.split.train, heldOut: 'leave-one-patient-out', falseRefusalRate: 0.025 });
    expect(config.trainingMetrics.validationOperatingPoint).toMatchObject({ threshold: 0.5 });
  });

  it('parses --spectral-decoupling and --source-adversarial as numbers >= 0', () => {
    expect(parseNonNegative('0.1')).toBe(0.1);
    expect(parseNonNegative('0')).toBe(0);
    for (const bad of ['-1', 'abc', '', 'Infinity']) expect(() => parseNonNegative(bad)).toThrow(/number >= 0/);
  });

  it('parses --threshold', () => {
    expect(parseThreshold('0.3')).toEqual({ kind: 'fixed', value: 0.3 });
    expect(parseThreshold('youden')).toEqual({ kind: 'youden' });
    expect(parseThreshold('sens:0.95')).toEqual({ kind: 'sensitivity', target: 0.95 });
    expect(parseThreshold('spec:.9')).toEqual({ kind: 'specificity', target: 0.9 });
    expect(() => parseThreshold('1.5')).toThrow();
  });
});
