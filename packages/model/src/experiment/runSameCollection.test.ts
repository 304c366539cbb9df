import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatManifest, type ManifestRecord } from '@cxr/dataset';
import sharp from 'sharp';
import { TrainingInputError } from '../errors';
import { hasSharedData, SHARED_MOBILENET } from '../__fixtures__/sharedData';
import { runSameCollection } from './runSameCollection';

/** A one-source build: 12 grey PNGs of 6 patients (covid bright, pneumonia dark), its manifest and summary. */
async function makeBuild(dir: string, sources: (i: number) => string): Promise<void> {
  const records: ManifestRecord[] = [];
  for (let i = 0; i < 12; i++) {
    const label = i % 4 < 2 ? 'covid' : 'pneumonia';
    const rel = `${label}/img${i}.png`;
    await mkdir(path.join(dir, label), { recursive: true });
    const v = label === 'covid' ? 200 - i : 40 + i;
    await sharp(Buffer.alloc(24 * 24, v), { raw: { width: 24, height: 24, channels: 1 } }).png().toFile(path.join(dir, rel));
    records.push({ path: rel, label, source: sources(i), patientId: `p${Math.floor(i / 2)}`, view: 'PA', sex: null, age: null, originalPath: rel, sha256: '0'.repeat(64), finding: '' });
  }
  await writeFile(path.join(dir, 'manifest.csv'), formatManifest(records));
  await writeFile(path.join(dir, 'summary.json'), JSON.stringify({ classes: ['covid', 'pneumonia'], positiveClass: 'covid' }));
}

const backbone = { name: 'vgg16' as const, inputShape: [32, 32, 3] as [number, number, number], blocks: 1, widthMultiplier: 1 / 16 };

describe('runSameCollection', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cxr-same-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('cross-validates by patient inside one source and reports the positive class AUC with its interval', async () => {
    const dir = path.join(root, 'one');
    await makeBuild(dir, () => 'covid-chestxray');
    const r = await runSameCollection({ data: dir, backbone, folds: 3, seeds: [1, 2], epochs: 2, bootstrapIterations: 50, cacheDir: path.join(root, 'cache') });
    expect([r.source, r.classes, r.positiveClass, r.images, r.patients]).toEqual(['covid-chestxray', ['covid', 'pneumonia'], 'covid', 12, 6]);
    expect(r.byLabel).toEqual({ covid: 6, pneumonia: 6 });
    expect(r.runs.map((x) => x.seed)).toEqual([1, 2]);
    for (const run of r.runs) {
      expect(run.perFold.reduce((a, f) => a + f.test, 0)).toBe(12);
      expect(run.auc.value).toBeGreaterThanOrEqual(0);
      expect(run.auc.value).toBeLessThanOrEqual(1);
      expect(run.metrics.aucBootstrap).toMatchObject({ groups: 6, iterations: 50, seed: run.seed });
      expect(run.auc).toEqual(run.metrics.perClass[0].auc);
    }
  });

  (hasSharedData([SHARED_MOBILENET]) ? it : it.skip)('with fineTune trains MobileNet conv_pw_12 in every fold and says so in its settings', async () => {
    const dir = path.join(root, 'ft');
    await makeBuild(dir, () => 'covid-chestxray');
    const r = await runSameCollection({ data: dir, backbone: { name: 'mobilenet_v1', weights: SHARED_MOBILENET }, fineTune: { blocks: 1 }, folds: 2, seeds: [1], epochs: 1, bootstrapIterations: 20, cacheDir: path.join(root, 'cache') });
    expect(r.settings.fineTune).toEqual({ blocks: 1, cutLayer: 'conv_dw_12_relu', learningRate: 1e-4 });
    expect(r.runs[0].perFold.reduce((a, f) => a + f.test, 0)).toBe(12);
    expect(r.runs[0].auc.value).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('refuses a build of several sources, which the test exists to avoid', async () => {
    const dir = path.join(root, 'two');
    await makeBuild(dir, (i) => (i % 4 < 2 ? 'covid-chestxray' : 'nih-cxr14'));
    await expect(runSameCollection({ data: dir, backbone })).rejects.toThrow(TrainingInputError);
    await expect(runSameCollection({ data: dir, backbone })).rejects.toThrow(/holds 2 sources \(covid-chestxray, nih-cxr14\)/);
  });
});
