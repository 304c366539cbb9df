import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sharedDataDir } from '../metadata/__fixtures__/sharedDataDir';
import { builtInRecipe } from '../recipe/builtInRecipes';
import { buildDataset } from './buildDataset';
import { readManifest } from './readManifest';
import { loadDataset } from '../load/loadDataset';

const covidDir = path.join(sharedDataDir, 'covid-chestxray');
const HEADER =
  'patientid,offset,sex,age,finding,survival,intubated,intubation_present,went_icu,in_icu,needed_supplemental_O2,extubated,temperature,pO2_saturation,leukocyte_count,neutrophil_count,lymphocyte_count,view,modality,date,location,folder,filename,doi,url,license,clinical_notes,other_notes,';
function row(id: string, finding: string, file: string): string {
  const f = new Array<string>(29).fill('');
  [f[0], f[2], f[3], f[4], f[17], f[18], f[21], f[22]] = [id, 'F', '50', finding, 'PA', 'X-ray', 'images', file];
  return f.join(',');
}

describe('buildDataset with recipes: duplicate images and dry runs', () => {
  let root: string;
  let source: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cxr-recipes-'));
    source = path.join(root, 'src');
    await mkdir(path.join(source, 'images'), { recursive: true });
    const img = (n: string): string => path.join(covidDir, 'images', n);
    await copyFile(img('0a7faa2a.jpg'), path.join(source, 'images', 'a.jpg'));
    await copyFile(img('0a7faa2a.jpg'), path.join(source, 'images', 'a-copy.jpg')); // same bytes, another name
    await copyFile(img('16745_2_1.PNG'), path.join(source, 'images', 'b.png'));
    await copyFile(img('23E99E2E-447C-46E5-8EB2-D35D12473C39.png'), path.join(source, 'images', 'c.png'));
    await writeFile(
      path.join(source, 'metadata.csv'),
      [
        HEADER,
        row('1', 'COVID-19', 'a.jpg'),
        row('2', 'Streptococcus', 'b.png'),
        row('3', 'SARS', 'b.png'), // the same file under another patient (as 285/339 upstream)
        row('4', 'Pneumocystis', 'a-copy.jpg'), // identical bytes to patient 1's covid image: a label conflict
        row('5', 'No Finding', 'c.png'),
      ].join('\n') + '\n',
    );
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps one of identical images (same SHA-256) and reports each dropped row with the kept one', async () => {
    const out = path.join(root, 'out');
    const s = await buildDataset({ sources: [{ kind: 'covid-chestxray', dir: source }], outDir: out, recipe: builtInRecipe('three-class') });
    expect(s.images.byLabel).toEqual({ covid: 1, pneumonia: 1, normal: 1 });
    expect(s.recipeName).toBe('three-class');
    expect(s.classes).toEqual(['covid', 'pneumonia', 'normal']);
    expect(s.positiveClass).toBeNull();
    expect(s.duplicateImages.map((d) => [d.kept.patientId, d.kept.label, d.dropped.patientId, d.dropped.label, d.samePatient])).toEqual([
      ['2', 'pneumonia', '3', 'pneumonia', false],
      ['1', 'covid', '4', 'pneumonia', false],
    ]);
    expect(s.sources[0]!.classes['pneumonia']).toMatchObject({ kept: 3, present: 3, duplicates: 2, written: 1 });
    expect(s.skipped.filter((x) => x.reason === 'duplicate').map((x) => x.message)).toEqual([
      'same image (SHA-256) as covid-chestxray row 3 (images/b.png, patient 2, class pneumonia) under another patient id',
      'same image (SHA-256) as covid-chestxray row 2 (images/a.jpg, patient 1, class covid) under another patient id',
    ]);
    expect((await readManifest(path.join(out, 'manifest.csv'))).map((r) => r.patientId)).toEqual(['1', '2', '5']);
    // The build remembers its classes and decision rule for training: argmax (no positive class) here.
    const loaded = await loadDataset(out);
    expect([loaded.classes, loaded.positiveClass]).toEqual([['covid', 'pneumonia', 'normal'], null]);
    expect(loaded.images.map((i) => [i.view, i.sex])).toEqual([['PA', 'F'], ['PA', 'F'], ['PA', 'F']]);
  });

  it('a dry run counts per class and source, drops the same duplicates, and writes nothing', async () => {
    const out = path.join(root, 'out');
    const s = await buildDataset({ sources: [{ kind: 'covid-chestxray', dir: source }], outDir: out, recipe: builtInRecipe('covid-vs-pneumonia'), dryRun: true });
    expect(s.dryRun).toBe(true);
    expect(s.images).toEqual({ total: 2, byLabel: { covid: 1, pneumonia: 1 }, byLabelAndSource: { covid: { 'covid-chestxray': 1 }, pneumonia: { 'covid-chestxray': 1 } } });
    expect(s.duplicateImages).toHaveLength(2);
    expect(s.positiveClass).toBe('covid');
    expect(await readdir(root)).toEqual(['src']);
  });
});

describe('three-class dry run on the real covid-chestxray (the shared data README counts)', () => {
  it('finds 163 covid, 46 pneumonia PA files (50 rows, four listed under two patient ids) and 11 normals', async () => {
    const s = await buildDataset({
      sources: [{ kind: 'covid-chestxray', dir: covidDir }],
      outDir: path.join(os.tmpdir(), 'cxr-never-written'),
      recipe: builtInRecipe('three-class'),
      dryRun: true,
    });
    expect(s.images.byLabel).toEqual({ covid: 163, pneumonia: 46, normal: 11 });
    expect(s.sources[0]!.classes['pneumonia']).toMatchObject({ present: 50, duplicates: 4 });
    const pairs = s.duplicateImages.map((d) => `${d.kept.patientId}/${d.dropped.patientId}`).sort();
    expect(pairs).toEqual(['285/339', '285/339', '285/339', '287/340']);
  });
});
