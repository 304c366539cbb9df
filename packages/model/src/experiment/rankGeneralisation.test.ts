import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { hasSharedData, SHARED_MOBILENET } from '../__fixtures__/sharedData';
import { createRng } from '@cxr/metrics';
import { initBackend } from '../backend/initBackend';
import { TrainingInputError } from '../errors';
import { compareGeneralisationRows, compareSeedRanges, rankGeneralisation, rankGeneralisationRows, thresholdAtSensitivity, type GeneralisationItem, type GeneralisationRow } from './rankGeneralisation';
import { parseTrainConfiguration } from './trainConfiguration';

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

describe('compareSeedRanges and compareGeneralisationRows', () => {
  const s = (mean: number, min: number, max: number) => ({ mean, min, max });
  it('says above or below only when the ranges over seeds do not overlap (touching counts as overlapping)', () => {
    expect(compareSeedRanges(s(0.3, 0.2, 0.4), s(0.05, 0, 0.1))).toBe('above');
    expect(compareSeedRanges(s(0.05, 0, 0.1), s(0.3, 0.2, 0.4))).toBe('below');
    expect(compareSeedRanges(s(0.2, 0.1, 0.3), s(0.05, 0, 0.1))).toBe('overlapping');
  });

  it('ranks by the mean worst held-out specificity, then the same-collection AUC, a missing AUC last (by hand)', () => {
    const rows = [
      { id: 'a', worstSpecificity: s(0.1, 0, 0.2), positiveVsOther: s(0.9, 0.9, 0.9) },
      { id: 'b', worstSpecificity: s(0.3, 0.3, 0.3), positiveVsOther: null },
      { id: 'c', worstSpecificity: s(0.3, 0.2, 0.4), positiveVsOther: s(0.6, 0.5, 0.7) },
      { id: 'd', worstSpecificity: s(0.5, 0.5, 0.5), positiveVsOther: s(0.5, 0.5, 0.5) },
    ];
    expect(rows.sort(compareGeneralisationRows).map((r) => r.id)).toEqual(['d', 'c', 'b', 'a']);
  });
});

describe('rankGeneralisationRows', () => {
  // Rows made by hand: only the fields the ranking reads are filled in.
  const row = (recipe: string, configuration: string, worst: [number, number, number], auc: [number, number, number] | null, ci: [number, number] | null, seeds = 3) =>
    ({
      recipe,
      configuration,
      runs: Array.from({ length: seeds }, (_, i) => ({ seed: i + 1 })),
      worstSpecificity: { mean: worst[0], min: worst[1], max: worst[2] },
      positiveVsOther: auc && { mean: auc[0], min: auc[1], max: auc[2] },
      positiveVsOtherInterval: ci && { lower: ci[0], upper: ci[1] },
    }) as unknown as GeneralisationRow;

  it('sorts, compares with the baseline by seed ranges and names the best row that beats it (by hand)', () => {
    const rows = [
      row('nb', 'none', [0.05, 0, 0.1], [0.55, 0.5, 0.6], [0.45, 0.7]),
      // above the baseline's range (0.2 > 0.1) but its AUC range lies below the baseline's (0.45 < 0.5): does not beat
      row('nb', 'sd', [0.4, 0.3, 0.5], [0.4, 0.35, 0.45], [0.3, 0.55]),
      // above (0.15 > 0.1), AUC overlapping: beats
      row('nb', 'clahe', [0.25, 0.15, 0.35], [0.56, 0.52, 0.6], [0.51, 0.65]),
      // mean higher than the baseline's but the ranges touch (0.1 = 0.1): overlapping, does not beat
      row('3c', 'none', [0.2, 0.1, 0.3], [0.7, 0.65, 0.8], [0.55, 0.9]),
    ];
    const { rows: ranked, winner, notes } = rankGeneralisationRows(rows, { recipe: 'nb', configuration: 'none' });
    expect(ranked.map((r) => `${r.recipe}/${r.configuration}`)).toEqual(['nb/sd', 'nb/clahe', '3c/none', 'nb/none']);
    expect(ranked.map((r) => r.versusBaseline)).toEqual([
      { worstSpecificity: 'above', positiveVsOther: 'below', beats: false },
      { worstSpecificity: 'above', positiveVsOther: 'overlapping', beats: true },
      { worstSpecificity: 'overlapping', positiveVsOther: 'above', beats: false },
      { worstSpecificity: 'overlapping', positiveVsOther: 'overlapping', beats: false },
    ]);
    expect(winner).toEqual({ recipe: 'nb', configuration: 'clahe' });
    expect(notes[0]).toBe(
      "nb + clahe beats the baseline nb + none: its worst held-out specificity over seeds (0.15-0.35) lies above the baseline's (0.00-0.10), and its same-collection AUC does not lie below.",
    );
    // the AUC intervals of nb/none and nb/sd reach 0.5 or below: said by name
    expect(notes[1]).toBe("The same-collection AUC's 95% interval contains 0.5 in at least one seed for nb + sd; nb + none: no better than chance there.");
    // the input is not changed
    expect(rows[0].versusBaseline).toBeUndefined();
  });

  it('says when no row beats the baseline, when one seed cannot tell, and when every AUC interval reaches 0.5', () => {
    const { winner, notes } = rankGeneralisationRows(
      [row('nb', 'none', [0.1, 0.1, 0.1], [0.5, 0.5, 0.5], [0.4, 0.6], 1), row('nb', 'clahe', [0.1, 0.1, 0.1], [0.52, 0.52, 0.52], [0.45, 0.6], 1)],
      { recipe: 'nb', configuration: 'none' },
    );
    expect(winner).toBeNull();
    expect(notes).toEqual([
      'No row beats the baseline nb + none (worst held-out specificity 0.10-0.10 over seeds) with a range over seeds wholly above it and a same-collection AUC not below it.',
      'One seed: the ranges over seeds are single values and cannot show that one row beats another.',
      'Every row has a same-collection AUC whose 95% interval contains 0.5 in at least one seed: the data cannot show that any of them tells the positives from the other disease better than chance.',
    ]);
    expect(() => rankGeneralisationRows([row('nb', 'clahe', [0, 0, 0], null, null)], { recipe: 'nb', configuration: 'none' })).toThrow(/baseline nb \+ none is not among the rows/);
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
    const report = await rankGeneralisation({
      items,
      recipes: [
        { name: 'two', classes: ['pos', 'normal'], classOf: { pos: 'pos', normal: 'normal' } },
        { name: 'three', classes: ['pos', 'other', 'normal'], classOf: { pos: 'pos', other: 'other', normal: 'normal' } },
      ],
      configurations: ['none', 'source-adversarial+source-balanced'].map(parseTrainConfiguration),
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
    // Against the baseline (first recipe, first configuration) by ranges over seeds; with one seed a range is a value.
    expect(report.baseline).toEqual({ recipe: 'two', configuration: 'none' });
    const base = report.rows.find((r) => r.recipe === 'two' && r.configuration === 'none');
    for (const row of report.rows) {
      const w = row.worstSpecificity.mean;
      const b = base?.worstSpecificity.mean as number;
      expect(row.versusBaseline.worstSpecificity).toBe(w > b ? 'above' : w < b ? 'below' : 'overlapping');
      expect(row.versusBaseline.beats).toBe(row !== base && w > b && (row.positiveVsOther?.mean as number) >= (base?.positiveVsOther?.mean as number));
    }
    expect(report.winner).toEqual(report.rows.find((r) => r.versusBaseline.beats) ? expect.objectContaining({ recipe: expect.any(String) }) : null);
    // Holding out either hospital leaves every class with one source: said, not hidden; so is the single seed.
    expect(report.notes.filter((n) => /leaves no class with images from two sources/.test(n))).toEqual([
      expect.stringMatching(/^Holding out A's normals/),
      expect.stringMatching(/^Holding out B leaves/),
    ]);
    expect(report.notes).toContainEqual(expect.stringMatching(/^One seed: the ranges over seeds are single values/));
  });

  (hasSharedData([SHARED_MOBILENET]) ? it : it.skip)('ranks a fine-tuned configuration: its features come from the cut below the block, as cxr train --fine-tune-blocks reads them', async () => {
    const items = await dataset();
    await initBackend({ backend: 'wasm' }); // cxr's default backend; the cpu one trains the block too slowly
    const before = tf.memory().numTensors;
    const said: string[] = [];
    const report = await rankGeneralisation({
      items,
      recipes: [{ name: 'two', classes: ['pos', 'normal'], classOf: { pos: 'pos', normal: 'normal' } }],
      configurations: ['none', 'fine-tune-blocks'].map(parseTrainConfiguration),
      labels: { positive: 'pos', normal: 'normal', other: 'other' },
      backbone: { name: 'mobilenet_v1', weights: SHARED_MOBILENET },
      cacheDir: path.join(root, 'cache-mobilenet'),
      seeds: [1],
      folds: 3,
      epochs: 1,
      bootstrapIterations: 20,
      onProgress: (m) => said.push(m),
    }).finally(() => initBackend({ backend: 'cpu' }));
    expect(tf.memory().numTensors).toBe(before);
    expect(report.rows.map((r) => r.configuration).sort()).toEqual(['fine-tune-blocks', 'none']);
    // the frozen row reads the backbone's output, the fine-tuned one the depthwise layer below conv_pw_12
    expect(said.filter((m) => m.startsWith('features'))).toEqual([
      `features (cut at the backbone output): ${items.length} images (0 from cache)`,
      `features (cut at conv_dw_12_relu): ${items.length} images (0 from cache)`,
    ]);
    for (const row of report.rows) {
      expect(row.runs[0].heldOut.map((h) => [h.source, h.negatives])).toEqual([['A', 8], ['B', 12]]);
      expect(row.runs[0].positiveVsOther?.value).toBeGreaterThanOrEqual(0);
    }
  }, 300_000);
});
