import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseSplitCsv } from '@cxr/dataset/node';
import type { DemoResult } from '@cxr/model/node';
import { formatDemoResult, runDemo } from './demo';

/**
 * `cxr demo --size small --random-weights` end to end in a temp folder: synthetic sources, dataset build, training,
 * evaluation with the report, prediction with a heatmap. The synthetic task is designed to be easy, so even a random
 * frozen base must learn it (held-out patient-level test split).
 */
describe('runDemo (small, random base)', () => {
  let tmp: string;
  let result: DemoResult;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-demo-'));
    result = await runDemo({ out: path.join(tmp, 'demo'), size: 'small', randomWeights: true, seed: 42, cwd: tmp });
  }, 240_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('writes the dataset, split, model, report and heatmap where it says', async () => {
    for (const f of [
      path.join(result.dataset, 'manifest.csv'),
      path.join(result.dataset, 'split.csv'),
      path.join(result.model, 'cxr.json'),
      path.join(result.model, 'model.json'),
      path.join(result.model, 'model-float16.json'),
      path.join(result.model, 'training-history.json'),
      result.report,
      path.join(path.dirname(result.report), 'metrics.json'),
      path.join(path.dirname(result.report), 'report.md'),
    ]) {
      expect((await stat(f)).size).toBeGreaterThan(0);
    }
    expect(result.heatmap).not.toBeNull();
    const png = await readFile(result.heatmap as string);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('says the base is random, not ImageNet, and saves that in cxr.json', async () => {
    expect(result.weights.pretrained).toBe(false);
    expect(result.weights.description).toMatch(/random weights.*NOT ImageNet/);
    const config = JSON.parse(await readFile(path.join(result.model, 'cxr.json'), 'utf8'));
    expect(config.classes).toEqual(['covid', 'normal']);
    expect(config.positiveClass).toBe('covid');
    expect(config.threshold).toBe(0.5);
    expect(config.backbone.info.pretrained).toBe(false);
    expect(config.trainingMetrics.history.loss).toHaveLength(20);
    expect(config.datasetManifestHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('evaluates on a patient-level test split disjoint from training', async () => {
    const split = parseSplitCsv(await readFile(path.join(result.dataset, 'split.csv'), 'utf8'), 'split.csv');
    const sides = new Map<string, Set<string>>();
    for (const a of split) sides.set(a.patientId ?? a.path, (sides.get(a.patientId ?? a.path) ?? new Set()).add(a.split));
    expect([...sides.values()].every((s) => s.size === 1)).toBe(true);
    const test = split.filter((a) => a.split === 'test');
    const e = result.evaluation;
    if (e.kind !== 'binary') throw new Error(`expected a binary evaluation, got ${e.kind}`);
    expect(e.n).toBe(test.length);
    // confusion matrix counts add up to the test split, per label
    const cm = e.confusionMatrix;
    expect(cm.tp + cm.fn).toBe(test.filter((a) => a.label === 'covid').length);
    expect(cm.tn + cm.fp).toBe(test.filter((a) => a.label === 'normal').length);
  });

  it('learns the synthetic task (held-out AUC > 0.8) and the metrics JSON is sane', async () => {
    const metrics = JSON.parse(await readFile(path.join(path.dirname(result.report), 'metrics.json'), 'utf8'));
    const auc = metrics.metrics.auc;
    expect(auc.value).toBeGreaterThan(0.8);
    expect(auc.lower).toBeLessThanOrEqual(auc.value);
    expect(auc.upper).toBeGreaterThanOrEqual(auc.value);
    const { tp, fn, tn, fp } = metrics.metrics.confusionMatrix;
    expect(metrics.metrics.sensitivity.value).toBeCloseTo(tp / (tp + fn), 10);
    expect(metrics.metrics.specificity.value).toBeCloseTo(tn / (tn + fp), 10);
  });
});

/** `cxr demo --recipe three-class`: covid / other pneumonia / normal through the N-class path (small, random base). */
describe('runDemo --recipe three-class (small, random base)', () => {
  let tmp: string;
  let result: DemoResult;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-demo3-'));
    result = await runDemo({ out: path.join(tmp, 'demo'), size: 'small', randomWeights: true, seed: 42, cwd: tmp, recipe: 'three-class' });
  }, 240_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('saves three classes in cxr.json, decided by argmax', async () => {
    const config = JSON.parse(await readFile(path.join(result.model, 'cxr.json'), 'utf8'));
    expect(config.classes).toEqual(['covid', 'pneumonia', 'normal']);
    expect(config.positiveClass ?? null).toBeNull();
  });

  it('evaluates the test split with a 3x3 confusion matrix whose rows are the split\'s labels', async () => {
    const e = result.evaluation;
    if (e.kind !== 'multiclass') throw new Error(`expected a multiclass evaluation, got ${e.kind}`);
    expect(e.decision.rule).toBe('argmax');
    const { matrix, labels } = e.metrics.confusionMatrix;
    expect(labels).toEqual(['covid', 'pneumonia', 'normal']);
    expect(matrix).toHaveLength(3);
    for (const row of matrix) expect(row).toHaveLength(3);
    const split = parseSplitCsv(await readFile(path.join(result.dataset, 'split.csv'), 'utf8'), 'split.csv');
    const test = split.filter((a) => a.split === 'test');
    expect(e.metrics.n).toBe(test.length);
    labels.forEach((label, i) => expect(matrix[i].reduce((a, b) => a + b, 0)).toBe(test.filter((a) => a.label === label).length));
    // every class is in the test split, so each row has images
    expect(matrix.every((row) => row.reduce((a, b) => a + b, 0) > 0)).toBe(true);
    expect(formatDemoResult(result)).toMatch(/confusion matrix \(rows actual, columns decided: covid, pneumonia, normal\)/);
  });

  it('writes the N-class report and predicts one image with a heatmap', async () => {
    for (const f of [result.report, path.join(path.dirname(result.report), 'metrics.json'), path.join(path.dirname(result.report), 'report.md')]) {
      expect((await stat(f)).size).toBeGreaterThan(0);
    }
    const md = await readFile(path.join(path.dirname(result.report), 'report.md'), 'utf8');
    expect(md).toMatch(/pneumonia/);
    const p = result.prediction.predictions[0];
    if (!p?.ok) throw new Error('prediction failed');
    expect(Object.keys(p.probabilities).sort()).toEqual(['covid', 'normal', 'pneumonia']);
    expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(result.heatmap).not.toBeNull();
  });
});
