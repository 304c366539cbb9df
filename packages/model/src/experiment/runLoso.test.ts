import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PipelineInputError } from '../errors';
import { formatLosoReport } from './formatLosoReport';
import { makeShortcutDataset, SHORTCUT_DATASET_COUNTS } from '@cxr/dataset/synthetic';
import { runLoso, type LosoOptions } from './runLoso';

// A tiny random VGG-like base (2 blocks, 1/16 width, 32 px): its features keep mean brightness, which is the
// planted source cue. Random weights: the point is the alarm, not the disease.
const TINY = { name: 'vgg16' as const, seed: 1, inputShape: [32, 32, 3] as [number, number, number], blocks: 2, widthMultiplier: 1 / 16 };

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cxr-loso-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const options = (data: string): LosoOptions => ({
  data,
  backbone: TINY,
  cacheDir: path.join(root, 'cache'),
  engine: 'tfjs',
  epochs: 4,
  folds: 4,
  bootstrapIterations: 200,
  seed: 7,
});

describe('runLoso', () => {
  it('raises the shortcut alarm when the source is planted in the pixels, not in a control without it', async () => {
    const planted = path.join(root, 'planted');
    const control = path.join(root, 'control');
    await makeShortcutDataset(planted, { sourceOffset: 70 });
    await makeShortcutDataset(control, { sourceOffset: 0 });
    const r = await runLoso(options(planted));
    const c = await runLoso(options(control));

    // The data allow one whole-source hold-out (NIH: normals only) and one normals hold-out (covid-chestxray has every covid).
    expect(r.plans.map((p) => `${p.kind}:${p.source}`)).toEqual(['normals:covid-chestxray', 'source:nih-cxr14']);
    expect(r.skipped).toEqual([]);
    expect(r.featureEngine).toBe('tfjs (forced)');
    const arm = r.arms[0];
    expect(arm.mitigation.name).toBe('none');

    // Normals only: the planted offset makes the two hospitals separable; without it they are not.
    const planted0 = arm.probe.featureSourceNegatives;
    const control0 = c.arms[0].probe.featureSourceNegatives;
    expect(planted0?.auc).toBeGreaterThan(0.9);
    expect(control0?.auc).toBeLessThan(0.8);
    expect(arm.flags.some((f) => f.startsWith('SHORTCUT ALARM: frozen features'))).toBe(true);
    expect(c.arms[0].flags.some((f) => f.startsWith('SHORTCUT ALARM: frozen features'))).toBe(false);
    expect(planted0?.nPositive).toBe(SHORTCUT_DATASET_COUNTS['covid-chestxray'].normal.images);
    expect(planted0?.nNegative).toBe(SHORTCUT_DATASET_COUNTS['nih-cxr14'].normal.images);

    // The disease with the source fixed: covid-chestxray covid vs covid-chestxray normals only.
    const within = arm.probe.featureDiseaseWithinSource;
    expect([within?.nPositive, within?.nNegative]).toEqual([
      SHORTCUT_DATASET_COUNTS['covid-chestxray'].covid.images,
      SHORTCUT_DATASET_COUNTS['covid-chestxray'].normal.images,
    ]);
    expect(arm.probe.scoreDiseaseWithinSource?.n).toBe(SHORTCUT_DATASET_COUNTS['covid-chestxray'].covid.images + SHORTCUT_DATASET_COUNTS['covid-chestxray'].normal.images);

    // Holding out NIH: nothing of NIH in training, all of it tested.
    const nih = arm.evaluations.find((e) => e.id === 'hold-out:nih-cxr14');
    expect(nih?.counts.train['nih-cxr14']).toBeUndefined();
    expect(nih?.counts.val['nih-cxr14']).toBeUndefined();
    expect(nih?.heldOutTest?.negatives).toBe(SHORTCUT_DATASET_COUNTS['nih-cxr14'].normal.images);
    expect(nih?.heldOutTest?.positives).toBe(0);
    expect(nih?.heldOutTest?.sensitivity).toBeNull();
    // Holding out covid-chestxray's normals: its covid images still train, its normals are all tested.
    const cc = arm.evaluations.find((e) => e.id === 'hold-out-normals:covid-chestxray');
    expect(cc?.counts.train['covid-chestxray']?.normal).toBeUndefined();
    expect(cc?.counts.train['covid-chestxray']?.covid).toBeGreaterThan(0);
    expect(cc?.heldOutTest?.negatives).toBe(SHORTCUT_DATASET_COUNTS['covid-chestxray'].normal.images);
    // With the source cue planted, held-out covid-chestxray normals look like the covid source: specificity on them is low.
    expect(cc?.heldOutTest?.specificity?.value).toBeLessThan(0.5);

    const md = formatLosoReport(r);
    expect(md).toContain('| mitigation | internal AUC |');
    expect(md).toContain('SHORTCUT ALARM');
    expect(md).toContain('NOT FOR CLINICAL USE');
  }, 120_000);

  it('refuses a split.csv that puts one patient in train and test, naming the file and patient', async () => {
    const data = path.join(root, 'leak');
    const records = await makeShortcutDataset(data, { sourceOffset: 0 });
    const rows = records.map((r, i) => {
      // covid patient covid-0 has two images: the first in train, the second in test.
      const split = r.patientId === 'covid-0' ? (r.path.endsWith('_0.png') ? 'train' : 'test') : ['train', 'val', 'test'][i % 3];
      return `${r.path},${r.patientId},${r.label},${r.source},${split}`;
    });
    await writeFile(path.join(data, 'split.csv'), `path,patientId,label,source,split\n${rows.join('\n')}\n`);
    const error = await runLoso(options(data)).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineInputError);
    expect((error as Error).message).toContain(path.join(data, 'split.csv'));
    expect((error as Error).message).toMatch(/"covid-0".*train and test|"covid-0".*test and train/);
  }, 60_000);

  it('refuses a folder without manifest.csv with a message saying how to build one', async () => {
    await expect(runLoso(options(path.join(root, 'nothing')))).rejects.toThrow(/no manifest\.csv; build the dataset first/);
  });
});
