import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { formatManifest, type ManifestRecord } from '@cxr/dataset';
import { DEFAULT_PREPROCESS_SPEC } from '@cxr/preprocess';
import sharp from 'sharp';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { saveModel } from '../io/saveModel';
import { EVALUATE_GROUP_BY, evaluateModel, type BinaryEvaluateResult, type MulticlassEvaluateResult } from './evaluateModel';

/**
 * A model whose score is known by hand: the mean of the (grey, [0, 1]) input x, then softmax over 2 logits with
 * kernel [[1, -1] x 3 channels] and bias [-1.5, 1.5]: logit(covid) - logit(normal) = 6x - 3, so
 * p(covid) = 1 / (1 + exp(3 - 6x)); on a uniform grey image of value v, x = v / 255 and p(covid) >= 0.5 iff v >= 127.5.
 * With 3 classes (covid, pneumonia, normal) pneumonia's logit is 0 (kernel and bias 0).
 */
function meanGreyModel(classes: number): tfl.LayersModel {
  const input = tfl.input({ shape: [32, 32, 3] });
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(input) as tfl.SymbolicTensor;
  const dense = tfl.layers.dense({ units: classes, activation: 'softmax' });
  const model = tfl.model({ inputs: input, outputs: dense.apply(pooled) as tfl.SymbolicTensor });
  // Classes in the model's order: covid, normal; or covid, pneumonia, normal.
  const row = classes === 2 ? [1, -1] : [1, 0, -1];
  tf.tidy(() => dense.setWeights([tf.tensor2d([row, row, row]), tf.tensor1d(classes === 2 ? [-1.5, 1.5] : [-1.5, 0, 1.5])]));
  return model;
}

const score = (v: number): number => 1 / (1 + Math.exp(3 - (6 * v) / 255));

/** One image of the fixture: its grey value, label and the finding as its source wrote it. */
type Item = { v: number; label: string; finding: string; source: string };

async function writeDataset(dir: string, items: readonly Item[]): Promise<void> {
  const records: ManifestRecord[] = [];
  for (const [k, it] of items.entries()) {
    await mkdir(path.join(dir, it.label), { recursive: true });
    const rel = `${it.label}/img${k}.png`;
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: it.v, g: it.v, b: it.v } } }).greyscale().png().toBuffer();
    await writeFile(path.join(dir, rel), png);
    const sha256 = createHash('sha256').update(png).digest('hex');
    records.push({ path: rel, label: it.label, source: it.source, patientId: `p${k}`, view: 'PA', sex: null, age: null, originalPath: rel, sha256, finding: it.finding });
  }
  await writeFile(path.join(dir, 'manifest.csv'), formatManifest(records));
}

async function saveMeanGreyModel(dir: string, classes: string[], positiveClass: string | null): Promise<void> {
  const classifier = meanGreyModel(classes.length);
  const preprocessing = { ...DEFAULT_PREPROCESS_SPEC, height: 32, width: 32 };
  await saveModel(dir, { classifier, backbone: { name: 'mean-grey', model: classifier, outputShape: [1, 1, 3], preprocessing, weightsHash: 'hand' }, classes, positiveClass });
  classifier.dispose();
}

let tmp: string;
beforeAll(async () => {
  await useCpu();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-evaluate-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('evaluateModel --group-by finding', () => {
  it('offers finding among the group-by facts', () => {
    expect(EVALUATE_GROUP_BY).toContain('finding');
  });

  it('binary: one table row per finding, counted by hand; one-class groups say what is undefined; report and JSON carry them', async () => {
    const data = path.join(tmp, 'binary');
    // Manifest order: findings appear in this order, so the groups do too. v >= 128 is decided covid.
    const items: Item[] = [
      { v: 230, label: 'covid', finding: 'Pneumonia/Viral/COVID-19', source: 'covid-chestxray' }, // TP
      { v: 200, label: 'covid', finding: 'Pneumonia/Viral/COVID-19', source: 'covid-chestxray' }, // TP
      { v: 100, label: 'covid', finding: 'Pneumonia/Viral/COVID-19', source: 'covid-chestxray' }, // FN
      { v: 180, label: 'covid', finding: 'COVID-19', source: 'covid-chestxray' }, // TP
      { v: 20, label: 'normal', finding: 'No Finding', source: 'nih-cxr14' }, // TN
      { v: 60, label: 'normal', finding: 'No Finding', source: 'nih-cxr14' }, // TN
      { v: 150, label: 'normal', finding: 'No Finding', source: 'nih-cxr14' }, // FP
      { v: 140, label: 'covid', finding: '', source: 'folder' }, // TP (class folder: no finding)
      { v: 120, label: 'normal', finding: '', source: 'folder' }, // TN
    ];
    await writeDataset(data, items);
    await saveMeanGreyModel(path.join(tmp, 'model2'), ['covid', 'normal'], 'covid');
    const r = (await evaluateModel({ model: path.join(tmp, 'model2'), data, split: 'all', groupBy: 'finding', report: path.join(tmp, 'report2'), gradcamPerKind: 0 })) as BinaryEvaluateResult;
    expect(r.kind).toBe('binary');
    // The scores are the hand formula's (float32; the PNG is uniform grey, so resizing keeps v).
    r.scores.forEach((s, k) => expect(s.score).toBeCloseTo(score(items[k].v), 4));
    const g = r.groups;
    expect(g?.by).toBe('finding');
    expect(Object.keys(g?.groups ?? {})).toEqual(['Pneumonia/Viral/COVID-19', 'COVID-19', 'No Finding', 'unknown']);
    const viral = g!.groups['Pneumonia/Viral/COVID-19'];
    expect(viral.confusionMatrix).toMatchObject({ tp: 2, fn: 1, tn: 0, fp: 0 });
    expect(viral.sensitivity.value).toBeCloseTo(2 / 3, 12);
    expect(viral.specificity.value).toBeNaN();
    expect(viral.auc).toBeNull();
    expect(viral.warnings.join(' ')).toMatch(/specificity/i);
    expect(g!.groups['COVID-19']).toMatchObject({ n: 1, confusionMatrix: { tp: 1, fn: 0 } });
    const normal = g!.groups['No Finding'];
    expect(normal.confusionMatrix).toMatchObject({ tp: 0, fn: 0, tn: 2, fp: 1 });
    expect(normal.specificity.value).toBeCloseTo(2 / 3, 12);
    expect(normal.sensitivity.value).toBeNaN();
    expect(normal.warnings.join(' ')).toMatch(/sensitivity/i);
    // Both classes in the folder images: 140 > 120, so the one covid outranks the one normal: AUC 1.
    const unknown = g!.groups['unknown'];
    expect(unknown.confusionMatrix).toMatchObject({ tp: 1, fn: 0, tn: 1, fp: 0 });
    expect(unknown.auc?.value).toBe(1);
    // Whole set: TP 4, FN 1, TN 3, FP 1.
    expect(r.confusionMatrix).toMatchObject({ tp: 4, fn: 1, tn: 3, fp: 1 });

    const md = await readFile(path.join(tmp, 'report2', 'report.md'), 'utf8');
    expect(md).toContain('## By finding');
    expect(md).toMatch(/\| Pneumonia\/Viral\/COVID-19 \| 3 \| 3 covid \/ 0 normal \| 66\.7% \([^)]+\) \| 66\.7% \([^)]+\) \| n\/a \| n\/a \|/);
    expect(md).toMatch(/\| No Finding \| 3 \| 0 covid \/ 3 normal \| 66\.7% \([^)]+\) \| n\/a \| 66\.7% \([^)]+\) \| n\/a \|/);
    for (const w of normal.warnings) expect(md).toContain(`finding No Finding: ${w}`);
    const json = JSON.parse(await readFile(path.join(tmp, 'report2', 'metrics.json'), 'utf8'));
    expect(json.groups.groups.unknown.n).toBe(2);
  }, 60_000);

  it('three classes (argmax): per-finding N-class metrics counted by hand, undefined AUCs said in words', async () => {
    const data = path.join(tmp, 'three');
    // p(covid) > p(normal) iff v > 127.5; pneumonia's logit 0 wins only near v = 127.5, which no image has here
    // (logits covid 3x - 1.5, pneumonia 0, normal 1.5 - 3x; v = 100: -0.32, 0, 0.32 -> normal; v = 200: 0.85, 0, -0.85 -> covid).
    const items: Item[] = [
      { v: 200, label: 'covid', finding: 'COVID-19', source: 'covid-chestxray' }, // -> covid
      { v: 100, label: 'covid', finding: 'COVID-19', source: 'covid-chestxray' }, // -> normal
      { v: 210, label: 'pneumonia', finding: 'Pneumonia/Bacterial/Streptococcus', source: 'covid-chestxray' }, // -> covid
      { v: 30, label: 'normal', finding: 'No Finding', source: 'nih-cxr14' }, // -> normal
      { v: 40, label: 'normal', finding: 'No Finding', source: 'nih-cxr14' }, // -> normal
    ];
    await writeDataset(data, items);
    await writeFile(path.join(data, 'summary.json'), JSON.stringify({ classes: ['covid', 'pneumonia', 'normal'], positiveClass: null }));
    await saveMeanGreyModel(path.join(tmp, 'model3'), ['covid', 'pneumonia', 'normal'], null);
    const r = (await evaluateModel({ model: path.join(tmp, 'model3'), data, split: 'all', groupBy: 'finding', report: path.join(tmp, 'report3') })) as MulticlassEvaluateResult;
    expect(r.kind).toBe('multiclass');
    expect(r.images.map((i) => i.decision)).toEqual(['covid', 'normal', 'covid', 'normal', 'normal']);
    const g = r.groups!;
    expect(Object.keys(g.groups)).toEqual(['COVID-19', 'Pneumonia/Bacterial/Streptococcus', 'No Finding']);
    const covid = g.groups['COVID-19'];
    expect(covid.n).toBe(2);
    expect(covid.accuracy.value).toBeCloseTo(1 / 2, 12);
    expect(covid.confusionMatrix.matrix).toEqual([
      [1, 0, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(covid.perClass.find((c) => c.label === 'covid')?.sensitivity.value).toBeCloseTo(1 / 2, 12);
    expect(g.groups['Pneumonia/Bacterial/Streptococcus'].accuracy.value).toBe(0);
    expect(g.groups['No Finding'].accuracy.value).toBe(1);
    // One class per group: no one-vs-rest AUC anywhere, and the group says so.
    for (const m of Object.values(g.groups)) {
      expect(m.macroAuc.value).toBeNaN();
      expect(m.warnings.length).toBeGreaterThan(0);
    }
    const md = await readFile(path.join(tmp, 'report3', 'report.md'), 'utf8');
    expect(md).toContain('## By finding');
    expect(md).toContain('- finding No Finding: ');
    // Overall, every class has images of its own and of the others: one curve each.
    expect(md).toContain('](plots/roc-one-vs-rest.png)');
    expect(md).not.toContain('No curve for');
  }, 60_000);
});
