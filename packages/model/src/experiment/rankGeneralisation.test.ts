import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { createRng } from '@cxr/metrics';
import { TrainingInputError } from '../errors';
import { rankGeneralisation, thresholdAtSensitivity, type GeneralisationItem } from './rankGeneralisation';

describe('thresholdAtSensitivity', () => {
  it('is the highest threshold keeping at least the target share of positives at or above it (by hand)', () => {
    // 4 positives: 0.75 needs 3 of them -> the third highest score
    expect(thresholdAtSensitivity([0.6, 0.9, 0.7, 0.8], 0.75)).toBe(0.7);
    // 20 positives, 0.95 -> 19 of them: the 19th highest, so exactly one may fall below
    const scores = Array.from({ length: 20 }, (_, i) => i / 20);
    const t = thresholdAtSensitivity(scores, 0.95);
    expect(t).toBe(0.05);
    expect(scores.filter((s) => s >= t).length).toBe(19);
    // 10 positives at 0.95 -> ceil(9.5) = 10: all of them
    expect(thresholdAtSensitivity([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 0.95)).toBe(0.1);
  });

  it('refuses an empty list', () => {
    expect(() => thresholdAtSensitivity([], 0.95)).toThrow(TrainingInputError);
  });
});

describe('rankGeneralisation', () => {
  let root: string;
  beforeAll(async () => {
    await useCpu();
    root = await mkdtemp(path.join(os.tmpdir(), 'cxr-rank-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  // Hospital A gives every positive, the other disease and 8 normals; hospital B 12 normals, brighter (a planted cue).
  async function dataset(): Promise<GeneralisationItem[]> {
    const rng = createRng(3);
    const items: GeneralisationItem[] = [];
    const cells: [string, string, number][] = [['A', 'pos', 16], ['A', 'other', 10], ['A', 'normal', 8], ['B', 'normal', 12]];
    for (const [source, label, n] of cells) {
      for (let i = 0; i < n; i++) {
        const base = (source === 'B' ? 150 : 80) + (label === 'pos' ? 20 : 0);
        const px = Uint8Array.from({ length: 32 * 32 }, () => Math.min(255, base + Math.floor(rng.next() * 40)));
        const file = path.join(root, `${source}-${label}-${i}.png`);
        await writeFile(file, await sharp(Buffer.from(px), { raw: { width: 32, height: 32, channels: 1 } }).png().toBuffer());
        items.push({ file, label, source, patient: `${source}:${label}:${i}` });
      }
    }
    return items;
  }

  it('holds out each hospital, counts its normals, ranks the rows and says where the source mitigations cannot act', async () => {
    const items = await dataset();
    const before = tf.memory().numTensors;
    const off = { clahe: false, spectralDecoupling: 0, sourceBalanced: false, sourceAdversarial: 0 };
    const report = await rankGeneralisation({
      items,
      recipes: [
        { name: 'two', classes: ['pos', 'normal'], classOf: { pos: 'pos', normal: 'normal' } },
        { name: 'three', classes: ['pos', 'other', 'normal'], classOf: { pos: 'pos', other: 'other', normal: 'normal' } },
      ],
      mitigations: [{ name: 'none', ...off }, { name: 'adversarial', ...off, sourceAdversarial: 1, sourceBalanced: true }],
      labels: { positive: 'pos', normal: 'normal', other: 'other' },
      backbone: { name: 'vgg16', seed: 1, inputShape: [32, 32, 3], blocks: 2, widthMultiplier: 1 / 16 },
      cacheDir: path.join(root, 'cache'),
      engine: 'tfjs',
      seeds: [1],
      folds: 3,
      epochs: 2,
      bootstrapIterations: 50,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.counts).toEqual({ A: { pos: 16, other: 10, normal: 8 }, B: { normal: 12 } });
    expect(report.rows).toHaveLength(4);
    // best first by the worst held-out specificity
    const worst = report.rows.map((r) => r.worstSpecificity.mean);
    expect([...worst].sort((a, b) => b - a)).toEqual(worst);
    for (const row of report.rows) {
      expect(row.runs.map((r) => r.seed)).toEqual([1]);
      for (const run of row.runs) {
        // A's 8 normals (A has the positives, so only its normals are held out) and all 12 of B
        expect(run.heldOut.map((h) => [h.source, h.negatives])).toEqual([['A', 8], ['B', 12]]);
        expect(run.worstSpecificity).toBe(Math.min(...run.heldOut.map((h) => h.trueNegatives / h.negatives)));
        // the other disease lives in A only, beside the positives: the same-collection AUC exists
        expect(run.positiveVsOther?.value).toBeGreaterThanOrEqual(0);
      }
      // one seed: the pooled interval is that of the worst source's count
      expect(row.worstSpecificityPooled.value).toBeCloseTo(row.runs[0].worstSpecificity, 12);
    }
    // Holding out either hospital leaves every class with one source: said, not hidden.
    expect(report.notes).toHaveLength(2);
    expect(report.notes[0]).toMatch(/Holding out A's normals leaves no class with images from two sources/);
    expect(report.notes[1]).toMatch(/Holding out B leaves no class with images from two sources/);
  });
});
