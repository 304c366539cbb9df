import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildDataset } from '../build/buildDataset';
import { parse } from 'csv-parse/sync';
import * as dicomParser from 'dicom-parser';
import sharp from 'sharp';
import { itRequiredOnCi, itWithSharedFile, sharedDataDir } from '@cxr/testing';
import { DatasetConfigError } from '../errors';
import { builtInRecipe } from '../recipe/builtInRecipes';
import type { Recipe } from '../recipe/recipe';
import { makeSyntheticDataset, syntheticBuildSources, type SyntheticDataset } from './syntheticDataset';

const sharedData = sharedDataDir;
const realMetadata = path.join(sharedData, 'covid-chestxray/metadata.csv');
const realNih = path.join(sharedData, 'nih-cxr14/Data_Entry_2017_v2020.csv.gz');
const hasDcmtk = spawnSync('dcmdump', ['--version']).status === 0;

const SIZE = 128;
let tmp: string;
let a: SyntheticDataset;
let b: SyntheticDataset;
let c: SyntheticDataset;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-synth-'));
  a = await makeSyntheticDataset(path.join(tmp, 'a'), { seed: 7, covidCount: 12, normalCount: 12, size: SIZE });
  b = await makeSyntheticDataset(path.join(tmp, 'b'), { seed: 7, covidCount: 12, normalCount: 12, size: SIZE });
  c = await makeSyntheticDataset(path.join(tmp, 'c'), { seed: 8, covidCount: 12, normalCount: 12, size: SIZE });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function hashes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listFiles(root)) out[f] = createHash('sha256').update(await readFile(path.join(root, f))).digest('hex');
  return out;
}

type Row = Record<string, string>;
const metadata = (ds: SyntheticDataset): Row[] =>
  parse(readFileSync(path.join(ds.sources['covid-chestxray'], 'metadata.csv')), { columns: true }) as Row[];

/** The notebook's recipe, written out here independently of the generator: which images are covid and normal. */
function recipe(ds: SyntheticDataset): { covid: string[]; normal: string[] } {
  const cxr = ds.sources['covid-chestxray'];
  const present = (f: string) => existsSync(f);
  const rows = metadata(ds);
  const covid = rows
    .filter((r) => r.finding.split('/').includes('COVID-19') && r.view === 'PA' && r.modality === 'X-ray')
    .map((r) => path.join(cxr, r.folder, r.filename))
    .filter(present);
  const normal = rows
    .filter((r) => r.finding === 'No Finding' && r.view === 'PA' && r.modality === 'X-ray' && (r.age === '' || Number(r.age) >= 18))
    .map((r) => path.join(cxr, r.folder, r.filename))
    .filter(present);
  // NIH: the header names 9 columns but rows have 11 fields (OriginalImage[Width,Height] holds two).
  const nihRows = (parse(gunzipSync(readFileSync(path.join(ds.sources.nih, 'Data_Entry_2017_v2020.csv.gz'))), { from_line: 2 }) as string[][]);
  for (const r of nihRows) {
    if (r[1] === 'No Finding' && r[6] === 'PA' && Number(r[4]) >= 18) normal.push(path.join(ds.sources.nih, 'images', r[0]));
  }
  const labels = parse(readFileSync(path.join(ds.sources.rsna, 'stage_2_train_labels.csv')), { columns: true }) as Row[];
  const classes = parse(readFileSync(path.join(ds.sources.rsna, 'stage_2_detailed_class_info.csv')), { columns: true }) as Row[];
  const normalIds = new Set(classes.filter((r) => r.class === 'Normal').map((r) => r.patientId));
  for (const id of new Set(labels.filter((r) => r.Target === '0' && normalIds.has(r.patientId)).map((r) => r.patientId))) {
    normal.push(path.join(ds.sources.rsna, 'stage_2_train_images', `${id}.dcm`));
  }
  return { covid, normal: normal.filter(present) };
}

describe('makeSyntheticDataset: formats', () => {
  itWithSharedFile(realMetadata)('writes metadata.csv with exactly the real covid-chestxray column names', () => {
    const realHeader = (parse(readFileSync(realMetadata), { to_line: 1 }) as string[][])[0];
    const header = (parse(readFileSync(path.join(a.sources['covid-chestxray'], 'metadata.csv')), { to_line: 1 }) as string[][])[0];
    expect(header).toEqual(realHeader);
    expect(header).toHaveLength(29);
  });

  it('writes metadata that a strict CSV parser reads, with quoted commas and line breaks like the real notes', () => {
    const rows = metadata(a);
    expect(rows.length).toBeGreaterThan(12);
    expect(rows.some((r) => r.clinical_notes.includes('\n') && r.clinical_notes.includes(','))).toBe(true);
    expect(rows.some((r) => r.clinical_notes.includes('"ground glass"'))).toBe(true);
    const findings = new Set(rows.map((r) => r.finding));
    expect(findings).toEqual(new Set(['Pneumonia/Viral/COVID-19', 'COVID-19', 'Pneumonia/Viral/SARS', 'No Finding']));
    expect(new Set(rows.map((r) => r.view))).toEqual(new Set(['PA', 'AP', 'AP Supine', 'L', 'Axial']));
    expect(new Set(rows.map((r) => r.folder))).toEqual(new Set(['images']));
    const perPatient = new Map<string, number>();
    for (const r of rows) perPatient.set(r.patientid, (perPatient.get(r.patientid) ?? 0) + 1);
    expect(Math.max(...perPatient.values())).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => /^[A-Z][a-z]+ \d{1,2}, 2020$/.test(r.date))).toBe(true);
  });

  itWithSharedFile(realNih)('writes the NIH table with the real header line, gzipped like the real file', () => {
    const realHeader = gunzipSync(readFileSync(realNih)).subarray(0, 400).toString('latin1').split('\n')[0];
    const text = gunzipSync(readFileSync(path.join(a.sources.nih, 'Data_Entry_2017_v2020.csv.gz'))).toString('utf8');
    const [header, ...lines] = text.trimEnd().split('\n');
    expect(header).toBe(realHeader);
    expect(lines.every((l) => l.split(',').length === 11)).toBe(true);
    expect(lines.some((l) => l.split(',')[1] === 'Cardiomegaly|Effusion')).toBe(true);
  });

  it('selects exactly the announced counts with the recipe, leaving out other views, CT, other findings and a child', () => {
    const { covid, normal } = recipe(a);
    expect(covid).toHaveLength(a.counts.covid);
    expect(a.counts.covid).toBe(12);
    expect(normal).toHaveLength(a.counts.normal);
    expect(a.counts.normal).toBe(12);
    const count = (dir: string) => readdirSync(dir).length;
    const imagesOnDisk =
      count(path.join(a.sources['covid-chestxray'], 'images')) + count(path.join(a.sources.nih, 'images')) + count(path.join(a.sources.rsna, 'stage_2_train_images'));
    expect(imagesOnDisk).toBe(a.counts.covid + a.counts.normal + a.counts.distractorImages);
    expect(a.counts.distractorImages).toBeGreaterThanOrEqual(6);
  });

  it('writes images that decode with sharp at the asked size, in 8-bit grey PNG, 16-bit PNG, grey and RGB JPEG', async () => {
    const kinds = new Set<string>();
    for (const dir of [path.join(a.sources['covid-chestxray'], 'images'), path.join(a.sources.nih, 'images')]) {
      for (const f of await readdir(dir)) {
        const meta = await sharp(path.join(dir, f)).metadata();
        expect([meta.width, meta.height]).toEqual([SIZE, SIZE]);
        kinds.add(`${meta.format}/${meta.channels}/${meta.depth}`);
      }
    }
    expect(kinds).toEqual(new Set(['png/1/uchar', 'png/1/ushort', 'jpeg/1/uchar', 'jpeg/3/uchar']));
  });

  it('writes DICOM files that dicom-parser reads: CR, PA, age 0nnY, one 12-bit MONOCHROME1 with a window', async () => {
    const dir = path.join(a.sources.rsna, 'stage_2_train_images');
    const photometric: string[] = [];
    for (const f of await readdir(dir)) {
      const ds = dicomParser.parseDicom(new Uint8Array(await readFile(path.join(dir, f))));
      expect(ds.string('x00100020')).toBe(f.replace(/\.dcm$/, ''));
      expect(ds.string('x00080060')).toBe('CR');
      expect(ds.string('x00101010')).toMatch(/^0\d\dY$/);
      expect([ds.uint16('x00280010'), ds.uint16('x00280011')]).toEqual([SIZE, SIZE]);
      photometric.push(`${ds.string('x00280004')}/${ds.uint16('x00280101')}/${ds.string('x00281050') ?? '-'}`);
    }
    expect(photometric.filter((p) => p === 'MONOCHROME1/12/1800')).toHaveLength(1);
    expect(photometric.filter((p) => p === 'MONOCHROME2/8/-').length).toBeGreaterThanOrEqual(1);
  });

  itRequiredOnCi(hasDcmtk, 'dcmtk (dcmdump; apt-get install dcmtk)')('writes DICOM files dcmtk reads, and the MONOCHROME1 one displays with dark lungs in a bright body', async () => {
    const dir = path.join(a.sources.rsna, 'stage_2_train_images');
    for (const f of await readdir(dir)) {
      const file = path.join(dir, f);
      const dump = spawnSync('dcmdump', [file], { encoding: 'utf8' });
      expect([dump.status, dump.stderr]).toEqual([0, '']);
      if (!dump.stdout.includes('MONOCHROME1')) continue;
      const png = path.join(tmp, 'mono1.png');
      const run = spawnSync('dcm2pnm', ['+on', '+Wi', '1', file, png], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      const mean = (x0: number, x1: number, y0: number, y1: number) => {
        let s = 0;
        let n = 0;
        for (let y = Math.round(y0 * SIZE); y < y1 * SIZE; y++) for (let x = Math.round(x0 * SIZE); x < x1 * SIZE; x++, n++) s += data[y * SIZE + x];
        return s / n;
      };
      // Right lung field (image left, upper half) against the body wall beside it and the empty corner.
      const lung = mean(0.26, 0.36, 0.35, 0.5);
      const body = mean(0.06, 0.1, 0.55, 0.7);
      const air = mean(0, 0.03, 0.95, 1);
      expect(lung).toBeLessThan(body - 60);
      expect(air).toBeLessThan(40);
    }
  });
});

describe('makeSyntheticDataset: determinism and the learnable difference', () => {
  it('gives byte-identical files for the same seed and different ones for another seed', async () => {
    const ha = await hashes(a.root);
    expect(await hashes(b.root)).toEqual(ha);
    const hc = await hashes(c.root);
    expect(hc['covid-chestxray/metadata.csv']).not.toBe(ha['covid-chestxray/metadata.csv']);
    const nihPng = Object.keys(ha).find((f) => f.startsWith('nih-cxr14/images/')) as string;
    expect(hc[nihPng]).not.toBe(ha[nihPng]);
  });

  it('makes covid images brighter in the lower lung fields: a one-number rule separates the classes', async () => {
    // Feature: mean grey in the lower lateral lung zones minus the upper lung zones, from the decoded files.
    const feature = async (file: string): Promise<number> => {
      let data: Buffer;
      if (file.endsWith('.dcm')) {
        const ds = dicomParser.parseDicom(new Uint8Array(await readFile(file)));
        if (ds.string('x00280004') !== 'MONOCHROME2') return NaN;
        const px = ds.elements.x7fe00010;
        data = Buffer.from(ds.byteArray.subarray(px.dataOffset, px.dataOffset + SIZE * SIZE));
      } else {
        data = (await sharp(file).extractChannel(0).resize(SIZE, SIZE).toColourspace('b-w').raw({ depth: 'uchar' }).toBuffer());
      }
      const zone = (x0: number, x1: number, y0: number, y1: number) => {
        let s = 0;
        let n = 0;
        for (let y = Math.round(y0 * SIZE); y < y1 * SIZE; y++) for (let x = Math.round(x0 * SIZE); x < x1 * SIZE; x++, n++) s += data[y * SIZE + x];
        return s / n;
      };
      const lower = (zone(0.12, 0.3, 0.6, 0.76) + zone(0.7, 0.88, 0.6, 0.76)) / 2;
      const upper = (zone(0.22, 0.36, 0.32, 0.46) + zone(0.64, 0.78, 0.32, 0.46)) / 2;
      return lower - upper;
    };
    const { covid, normal } = recipe(a);
    const fc = (await Promise.all(covid.map(feature))).filter(Number.isFinite);
    const fn = (await Promise.all(normal.map(feature))).filter(Number.isFinite);
    // AUC by counting pairs (Mann-Whitney): the share of (covid, normal) pairs the feature orders correctly.
    let wins = 0;
    for (const x of fc) for (const y of fn) wins += x > y ? 1 : x === y ? 0.5 : 0;
    expect(wins / (fc.length * fn.length)).toBeGreaterThan(0.9);
  });
});

describe('makeSyntheticDataset: read by @cxr/dataset', () => {
  it('builds, with the default recipe of buildDataset, exactly the announced covid and normal images', async () => {
    const outDir = path.join(tmp, 'built');
    await buildDataset({
      sources: syntheticBuildSources(a),
      outDir,
      concurrency: 2,
    });
    const manifest = parse(readFileSync(path.join(outDir, 'manifest.csv')), { columns: true }) as Row[];
    const bySourceAndLabel: Record<string, number> = {};
    for (const r of manifest) bySourceAndLabel[`${r.source}/${r.label}`] = (bySourceAndLabel[`${r.source}/${r.label}`] ?? 0) + 1;
    expect(bySourceAndLabel).toEqual({
      'covid-chestxray/covid': a.counts.bySource['covid-chestxray'].covid,
      'covid-chestxray/normal': a.counts.bySource['covid-chestxray'].normal,
      'nih-cxr14/normal': a.counts.bySource.nih.normal,
      'rsna-pneumonia/normal': a.counts.bySource.rsna.normal,
    });
  });
});

describe('makeSyntheticDataset: a pneumonia class for the three-class recipe', () => {
  it('writes other-pneumonia PA rows as the real metadata does; three-class selects them, the notebook leaves them out', async () => {
    const d = await makeSyntheticDataset(path.join(tmp, 'three'), { seed: 7, covidCount: 6, normalCount: 6, pneumoniaCount: 5, size: 64 });
    const rows = parse(readFileSync(path.join(d.sources['covid-chestxray'], 'metadata.csv')), { columns: true }) as Row[];
    const other = rows.filter((r) => r.filename.startsWith('synthetic-pneumonia-'));
    expect(other).toHaveLength(5);
    expect(other.every((r) => r.finding.startsWith('Pneumonia/') && !r.finding.includes('COVID') && r.view === 'PA' && r.modality === 'X-ray')).toBe(true);
    expect(other.map((r) => r.finding)).toContain('Pneumonia/Bacterial/Streptococcus');
    // 5 asked for, plus the SARS case: 6 by hand.
    expect(d.counts.pneumonia).toBe(6);
    const count = async (recipe: Recipe, out: string) => {
      await buildDataset({ sources: syntheticBuildSources(d), outDir: path.join(tmp, out), recipe, concurrency: 2 });
      const manifest = parse(readFileSync(path.join(tmp, out, 'manifest.csv')), { columns: true }) as Row[];
      const byLabel: Record<string, number> = {};
      for (const r of manifest) byLabel[r.label] = (byLabel[r.label] ?? 0) + 1;
      return byLabel;
    };
    expect(await count(builtInRecipe('three-class'), 'three-built')).toEqual({ covid: 6, pneumonia: 6, normal: 6 });
    expect(await count(builtInRecipe('notebook'), 'notebook-built')).toEqual({ covid: 6, normal: 6 });
  });

  it('leaves the files of a dataset without pneumonia byte-identical (pneumoniaCount 0 is the default)', async () => {
    const zero = await makeSyntheticDataset(path.join(tmp, 'zero'), { seed: 7, covidCount: 12, normalCount: 12, pneumoniaCount: 0, size: SIZE });
    expect(readFileSync(path.join(zero.sources['covid-chestxray'], 'metadata.csv'))).toEqual(readFileSync(path.join(b.sources['covid-chestxray'], 'metadata.csv')));
    expect(readFileSync(path.join(zero.sources.nih, 'Data_Entry_2017_v2020.csv.gz'))).toEqual(readFileSync(path.join(b.sources.nih, 'Data_Entry_2017_v2020.csv.gz')));
    await expect(makeSyntheticDataset(path.join(tmp, 'bad-p'), { seed: 1, pneumoniaCount: -1 })).rejects.toThrow(/pneumoniaCount must be an integer from 0 to 5000, got -1/);
  });
});

describe('makeSyntheticDataset: errors and replacement', () => {
  it('rejects bad options with an DatasetConfigError naming the directory and value', async () => {
    const dir = path.join(tmp, 'bad');
    await expect(makeSyntheticDataset(dir, { seed: 1, covidCount: 1 })).rejects.toBeInstanceOf(DatasetConfigError);
    await expect(makeSyntheticDataset(dir, { seed: 1, size: 10 })).rejects.toThrow(`Cannot make the synthetic dataset in ${dir}: size must be an integer from 64 to 2048 pixels, got 10`);
  });

  it('replaces a previous synthetic dataset but refuses a directory with other files, leaving it alone', async () => {
    const again = await makeSyntheticDataset(a.root, { seed: 9, covidCount: 2, normalCount: 3, size: 64 });
    expect(again.counts.covid).toBe(2);
    expect(recipe(again).covid).toHaveLength(2);
    const busy = path.join(tmp, 'busy');
    await mkdir(busy);
    await writeFile(path.join(busy, 'thesis.tex'), 'x');
    await expect(makeSyntheticDataset(busy, { seed: 1 })).rejects.toThrow(/is not a synthetic dataset \(it holds thesis\.tex\)/);
    expect(await readdir(busy)).toEqual(['thesis.tex']);
    expect((await readdir(tmp)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('says in its README that the data is synthetic and the task deliberately easy', async () => {
    const readme = await readFile(path.join(a.root, 'README-SYNTHETIC.md'), 'utf8');
    expect(readme).toMatch(/SYNTHETIC/);
    expect(readme).toMatch(/NOT FOR CLINICAL USE/);
    expect(readme).toMatch(/deliberately easy/);
  });
});
