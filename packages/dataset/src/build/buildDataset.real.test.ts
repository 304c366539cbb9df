import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { sharedDataDir } from '../metadata/__fixtures__/sharedDataDir';
import { buildDataset, type BuildSummary } from './buildDataset';
import { MANIFEST_COLUMNS, type ManifestRecord } from './manifestRecord';
import { readManifest, resolveManifestPath } from './readManifest';

// One build of the real shared data for the whole file (it converts 273 images).
const covidDir = path.join(sharedDataDir, 'covid-chestxray');
const nihDir = path.join(sharedDataDir, 'nih-cxr14');

describe('buildDataset on the real shared data, default (notebook) recipe', () => {
  let out: string;
  let summary: BuildSummary;
  let manifest: ManifestRecord[];
  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'cxr-build-real-'));
    summary = await buildDataset({
      sources: [
        { kind: 'covid-chestxray', dir: covidDir },
        { kind: 'nih-cxr14', dir: nihDir },
      ],
      outDir: out,
    });
    manifest = await readManifest(path.join(out, 'manifest.csv'));
  }, 300_000);
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('reports the counts of shared/data/README.md exactly', () => {
    const [cxr, nih] = summary.sources;
    expect(cxr?.rowsRead).toBe(751);
    expect(cxr?.classes['covid']).toMatchObject({ kept: 217, present: 163, missing: 54, written: 163, failed: 0 });
    expect(cxr?.classes['normal']).toMatchObject({ present: 11, written: 11 });
    expect(nih?.rowsRead).toBe(112120);
    expect(nih?.classes['normal']?.steps.map((s) => [s.step, s.kept])).toEqual([
      ['finding', 60361],
      ['modality', 60361],
      ['view', 39302],
      ['age', 37414],
    ]);
    expect(nih?.classes['normal']).toMatchObject({ kept: 37414, present: 99, missing: 37315 });
    expect(summary.images).toEqual({
      total: 273,
      byLabel: { covid: 163, normal: 110 },
      byLabelAndSource: { covid: { 'covid-chestxray': 163 }, normal: { 'covid-chestxray': 11, 'nih-cxr14': 99 } },
    });
    const written = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as BuildSummary;
    expect(written.images).toEqual(summary.images);
    // The 54 absent covid images are listed by name.
    expect(summary.skipped.filter((s) => s.source === 'covid-chestxray' && s.label === 'covid' && s.reason === 'missing')).toHaveLength(54);
  });

  it('writes manifest.csv with exactly the agreed columns, one row per image, with patient id and source', async () => {
    const text = await readFile(path.join(out, 'manifest.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('path,label,source,patientId,view,sex,age,originalPath,sha256,finding');
    expect(MANIFEST_COLUMNS.join(',')).toBe('path,label,source,patientId,view,sex,age,originalPath,sha256,finding');
    expect(manifest).toHaveLength(273);
    // Reference: the rows kept, found by an independent parse of metadata.csv with csv-parse.
    const rows = parse(readFileSync(path.join(covidDir, 'metadata.csv')), { columns: true }) as Array<Record<string, string>>;
    const expectedCovid = rows
      .filter((r) => /(^|[,/]\s*)COVID-19(\s*[,/]|$)/.test(r['finding']!) && r['view'] === 'PA' && r['modality'] === 'X-ray')
      .filter((r) => existsSync(path.join(covidDir, r['folder']!, r['filename']!)))
      .map((r) => `${r['patientid']}|images/${r['filename']}|${r['finding']}`)
      .sort();
    expect(expectedCovid).toHaveLength(163);
    const gotCovid = manifest
      .filter((m) => m.label === 'covid')
      .map((m) => `${m.patientId}|${m.originalPath}|${m.finding}`)
      .sort();
    expect(gotCovid).toEqual(expectedCovid);
    for (const m of manifest) {
      expect(m.path).toMatch(new RegExp(`^${m.label}/${m.source}_[^/]+\\.png$`));
      expect(m.patientId).not.toBe('');
    }
    // NIH: patient id is the number in the image name (00001281_000.png -> 1281).
    const nih = manifest.filter((m) => m.source === 'nih-cxr14');
    expect(nih).toHaveLength(99);
    for (const m of nih) expect(String(Number(m.originalPath.slice(0, 8)))).toBe(m.patientId);
    expect(nih.every((m) => m.view === 'PA' && m.age !== null && m.age >= 18 && m.finding === 'No Finding')).toBe(true);
  });

  it('every PNG exists, matches its sha256, is 8-bit single-channel and keeps the original size', async () => {
    for (const m of manifest) {
      const file = resolveManifestPath(path.join(out, 'manifest.csv'), m);
      const bytes = await readFile(file);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(m.sha256);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.channels, meta.depth]).toEqual(['png', 1, 'uchar']);
      const original = m.source === 'nih-cxr14' ? path.join(nihDir, 'images', m.originalPath) : path.join(covidDir, m.originalPath);
      const o = await sharp(original).metadata();
      const [w, h] = (o.orientation ?? 1) >= 5 ? [o.height, o.width] : [o.width, o.height];
      expect([meta.width, meta.height]).toEqual([w, h]);
    }
    // NIH images are 1024x1024 8-bit grey already: the conversion must not change a pixel.
    const m = manifest.find((r) => r.source === 'nih-cxr14')!;
    const a = await sharp(path.join(nihDir, 'images', m.originalPath)).extractChannel(0).raw().toBuffer();
    const b = await sharp(resolveManifestPath(path.join(out, 'manifest.csv'), m)).extractChannel(0).raw().toBuffer();
    expect(b.length).toBe(1024 * 1024);
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it('leaves no temporary or journal files behind', async () => {
    const { readdir } = await import('node:fs/promises');
    const all = [...(await readdir(out)), ...(await readdir(path.join(out, 'covid'))), ...(await readdir(path.join(out, 'normal')))];
    expect(all.filter((n) => n.includes('tmp') || n.includes('journal'))).toEqual([]);
    expect((await readdir(path.join(out, 'covid'))).length).toBe(163);
    expect((await readdir(path.join(out, 'normal'))).length).toBe(110);
  });
});
