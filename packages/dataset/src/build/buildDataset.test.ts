import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { convertDicomToPng } from '../dicom/convertDicomToPng';
import { DatasetConfigError } from '../errors';
import { sharedDataDir } from '../metadata/__fixtures__/sharedDataDir';
import { BUILD_FILES, buildDataset } from './buildDataset';
import { readManifest } from './readManifest';

const covidImages = path.join(sharedDataDir, 'covid-chestxray', 'images');
const HEADER =
  'patientid,offset,sex,age,finding,survival,intubated,intubation_present,went_icu,in_icu,needed_supplemental_O2,extubated,temperature,pO2_saturation,leukocyte_count,neutrophil_count,lymphocyte_count,view,modality,date,location,folder,filename,doi,url,license,clinical_notes,other_notes,';
function row(id: string, finding: string, view: string, file: string, age = ''): string {
  const f = new Array<string>(29).fill('');
  [f[0], f[2], f[3], f[4], f[17], f[18], f[21], f[22]] = [id, 'F', age, finding, view, 'X-ray', 'images', file];
  return f.join(',');
}

/** A small covid-chestxray-style source (in a temp folder): copies of 4 real images, one corrupt JPEG, one unsafe and one absent row. */
async function makeSource(root: string): Promise<string> {
  const dir = path.join(root, 'src');
  await mkdir(path.join(dir, 'images'), { recursive: true });
  const real = ['0a7faa2a.jpg', '16745_2_1.PNG', '23E99E2E-447C-46E5-8EB2-D35D12473C39.png', 'auntminnie-a-2020_01_28_23_51_6665_2020_01_28_Vietnam_coronavirus.jpeg'];
  for (const n of [...real, '01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg']) await copyFile(path.join(covidImages, n), path.join(dir, 'images', n));
  // A JPEG cut after 2 kB, as a failed download leaves it.
  await writeFile(path.join(dir, 'images', 'cut.jpg'), (await readFile(path.join(covidImages, real[3]!))).subarray(0, 2048));
  await writeFile(
    path.join(dir, 'metadata.csv'),
    [
      HEADER,
      row('p1', 'Pneumonia/Viral/COVID-19', 'PA', real[0]!, '50'),
      row('p2', 'No Finding', 'PA', real[1]!, '27'),
      row('p3', 'COVID-19', 'PA', real[2]!),
      row('p4', 'COVID-19', 'PA', real[3]!, '65'),
      row('p5', 'COVID-19', 'PA', 'cut.jpg'),
      row('p6', 'COVID-19', 'PA', '../../../etc/passwd'),
      row('p7', 'COVID-19', 'PA', 'absent.jpg'),
      row('p8', 'No Finding', 'PA', real[1]!, '8'), // a child: the normal recipe is adults only
      row('p9', 'COVID-19', 'AP Supine', real[0]!), // the same file as p1's
      row('p3', 'COVID-19', 'L', '01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg'), // a second image of p3
    ].join('\n') + '\n',
  );
  return dir;
}

describe('buildDataset on fixture sources', () => {
  let root: string;
  let source: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cxr-build-'));
    source = await makeSource(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('records unsafe, absent and corrupt images in the summary and goes on', async () => {
    const out = path.join(root, 'out');
    const s = await buildDataset({ sources: [{ kind: 'covid-chestxray', dir: source }], outDir: out, concurrency: 2 });
    expect(s.images.byLabel).toEqual({ covid: 3, normal: 1 });
    const c = s.sources[0]!;
    expect(c.rowsRead).toBe(10);
    expect(c.refused).toBe(1);
    expect(c.classes['covid']).toMatchObject({ kept: 5, present: 4, missing: 1, written: 3, failed: 1 });
    expect(c.classes['normal']?.steps.map((x) => x.kept)).toEqual([2, 2, 2, 1]);
    const reasons = s.skipped.map((x) => [x.reason, x.row, x.originalPath]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['unsafe-path', 7, 'images/../../../etc/passwd'],
        ['missing', 8, 'images/absent.jpg'],
        ['conversion-failed', 6, 'images/cut.jpg'],
      ]),
    );
    expect(s.skipped.find((x) => x.reason === 'conversion-failed')?.message).toContain('cut.jpg');
    const manifest = await readManifest(path.join(out, 'manifest.csv'));
    // Order: class by recipe, then source, then metadata row.
    expect(manifest.map((m) => [m.label, m.patientId, m.age])).toEqual([
      ['covid', 'p1', 50],
      ['covid', 'p3', null],
      ['covid', 'p4', 65],
      ['normal', 'p2', 27],
    ]);
    expect(manifest[0]?.path).toBe('covid/covid-chestxray_p1_0a7faa2a.png');
    // The finding column: metadata.csv's `finding` as written (rows p1, p3, p4, p2 above).
    expect(manifest.map((m) => m.finding)).toEqual(['Pneumonia/Viral/COVID-19', 'COVID-19', 'COVID-19', 'No Finding']);
    expect(await readdir(path.join(out, 'covid'))).toHaveLength(3);
  });

  it('takes a file listed twice once, and one image per patient when asked (hand-counted)', async () => {
    const s = await buildDataset({
      sources: [{ kind: 'covid-chestxray', dir: source }],
      outDir: path.join(root, 'out'),
      recipe: [{ label: 'covid', filter: { finding: 'COVID-19', onePerPatient: true } }],
    });
    // COVID-19 rows: p1, p3, p4, p5 (cut), p6 (refused), p7 (absent), p9 (p1's file), p3 again (another file).
    expect(s.sources[0]?.classes['covid']).toMatchObject({
      kept: 7,
      present: 6,
      missing: 1,
      duplicates: 1,
      otherImagesOfPatient: 1,
      written: 3,
      failed: 1,
    });
    const manifest = await readManifest(path.join(root, 'out', 'manifest.csv'));
    expect(manifest.map((m) => [m.patientId, m.view])).toEqual([
      ['p1', 'PA'],
      ['p3', 'PA'],
      ['p4', 'PA'],
    ]);
  });

  it('keeps the first copy in metadata order, whether the copies are next to each other or many rows apart (hand-counted)', async () => {
    // 20 rows, each a differently named copy of one of 3 small images: copies 1, 2 and 9+ rows apart.
    const images = path.join(source, 'images');
    const kinds = await Promise.all([40, 120, 200].map((v) => sharp({ create: { width: 64, height: 64, channels: 3, background: { r: v, g: v, b: v } } }).png().toBuffer()));
    const pattern = [0, 0, 1, 2, 1, 2, 2, 0, 0, 0, 0, 0, 0, 1, 2, 0, 1, 1, 2, 0];
    for (const [k, kind] of pattern.entries()) await writeFile(path.join(images, `copy${k}.png`), kinds[kind]!);
    await writeFile(path.join(source, 'metadata.csv'), [HEADER, ...pattern.map((_, k) => row(`q${k}`, 'COVID-19', 'PA', `copy${k}.png`))].join('\n') + '\n');
    const s = await buildDataset({ sources: [{ kind: 'covid-chestxray', dir: source }], outDir: path.join(root, 'out'), recipe: [{ label: 'covid', filter: { finding: 'COVID-19' } }] });
    // By hand: the first row of each image is kept (q0, q2, q3); every later row is dropped naming that first row.
    const firstOf = pattern.map((kind) => pattern.indexOf(kind));
    expect((await readManifest(path.join(root, 'out', 'manifest.csv'))).map((m) => m.patientId)).toEqual(['q0', 'q2', 'q3']);
    expect(s.duplicateImages.map((d) => `${d.kept.patientId}>${d.dropped.patientId}`)).toEqual(
      pattern.flatMap((_, k) => (firstOf[k] === k ? [] : [`q${firstOf[k]}>q${k}`])),
    );
    expect(s.sources[0]!.classes['covid']).toMatchObject({ present: 20, duplicates: 17, written: 3 });
  });

  it('is resumable and idempotent: a rerun converts only missing or altered PNGs and writes the same manifest', async () => {
    const out = path.join(root, 'out');
    const config = { sources: [{ kind: 'covid-chestxray' as const, dir: source }], outDir: out };
    const first = await buildDataset(config);
    expect([first.written, first.reused]).toEqual([4, 0]);
    const manifest1 = await readFile(path.join(out, 'manifest.csv'), 'utf8');

    // Unchanged: nothing converted.
    const second = await buildDataset(config);
    expect([second.written, second.reused]).toEqual([0, 4]);
    expect(await readFile(path.join(out, 'manifest.csv'), 'utf8')).toBe(manifest1);

    // One PNG deleted, one altered, a temporary file left by a crash, a stale PNG of another recipe.
    const [a, b] = (await readManifest(path.join(out, 'manifest.csv'))).map((m) => path.join(out, m.path));
    await rm(a!);
    await writeFile(b!, Buffer.from('not the png that was written'));
    await writeFile(path.join(out, 'covid', '.x.png.cxr-tmp-1-dead'), 'partial');
    await writeFile(path.join(out, 'covid', 'covid-chestxray_old_stale.png'), 'stale');
    const third = await buildDataset(config);
    expect([third.written, third.reused, third.pruned]).toEqual([2, 2, 1]);
    expect(await readFile(path.join(out, 'manifest.csv'), 'utf8')).toBe(manifest1);
    expect((await readdir(path.join(out, 'covid'))).sort()).toEqual(
      (await readManifest(path.join(out, 'manifest.csv'))).filter((m) => m.label === 'covid').map((m) => path.basename(m.path)).sort(),
    );
  });

  it('resumes from the journal of a run that crashed before writing its manifest', async () => {
    const out = path.join(root, 'out');
    const config = { sources: [{ kind: 'covid-chestxray' as const, dir: source }], outDir: out };
    await buildDataset(config);
    const text = await readFile(path.join(out, 'manifest.csv'), 'utf8');
    const lines = text.trimEnd().split('\n').slice(1);
    // As a crash leaves it: no manifest, a journal of 3 finished images and a cut fourth line.
    await rm(path.join(out, 'manifest.csv'));
    await rm(path.join(out, 'summary.json'));
    await writeFile(path.join(out, BUILD_FILES.journal), lines.slice(0, 3).join('\n') + '\n' + lines[3]!.slice(0, 20));
    const resumed = await buildDataset(config);
    expect([resumed.written, resumed.reused]).toEqual([1, 3]);
    expect(await readFile(path.join(out, 'manifest.csv'), 'utf8')).toBe(text);
    expect((await readdir(out)).sort()).toEqual(['covid', 'manifest.csv', 'normal', 'summary.json']);
  });

  it('resumes a build written before the finding column (old manifest or old journal): PNGs reused, the manifest gains the finding', async () => {
    const out = path.join(root, 'out');
    const config = { sources: [{ kind: 'covid-chestxray' as const, dir: source }], outDir: out };
    await buildDataset(config);
    const text = await readFile(path.join(out, 'manifest.csv'), 'utf8');
    // The 9-column form: no finding field (none of the fixture's findings is quoted, so the last field is cut off).
    const old = text.split('\n').map((line) => line.replace(/,[^,]*$/, '')).join('\n');
    expect(old.split('\n').slice(0, 2)).toEqual([expect.stringMatching(/,originalPath,sha256$/), expect.stringMatching(/,[0-9a-f]{64}$/)]);
    await writeFile(path.join(out, 'manifest.csv'), old);
    const fromManifest = await buildDataset(config);
    expect([fromManifest.written, fromManifest.reused]).toEqual([0, 4]);
    expect(await readFile(path.join(out, 'manifest.csv'), 'utf8')).toBe(text);
    // A crash of the old version: no manifest, its journal of 9-field lines.
    await rm(path.join(out, 'manifest.csv'));
    await writeFile(path.join(out, BUILD_FILES.journal), old.split('\n').slice(1, 4).join('\n') + '\n');
    const fromJournal = await buildDataset(config);
    expect([fromJournal.written, fromJournal.reused]).toEqual([1, 3]);
    expect(await readFile(path.join(out, 'manifest.csv'), 'utf8')).toBe(text);
  });

  it('converts RSNA-style DICOM images and folder sources, and bounds the input size', async () => {
    const rsna = path.join(root, 'rsna');
    await mkdir(path.join(rsna, 'stage_2_train_images'), { recursive: true });
    await writeFile(path.join(rsna, 'stage_2_train_labels.csv'), 'patientId,x,y,width,height,Target\np-siim,,,,,0\n');
    await writeFile(path.join(rsna, 'stage_2_detailed_class_info.csv'), 'patientId,class\np-siim,Normal\n');
    await copyFile(path.join(sharedDataDir, 'dicom/original/siim_cr_pa_jpegbaseline_mono2.dcm'), path.join(rsna, 'stage_2_train_images', 'p-siim.dcm'));
    const folder = path.join(root, 'folder');
    await mkdir(path.join(folder, 'covid'), { recursive: true });
    await mkdir(path.join(folder, 'normal'), { recursive: true });
    await copyFile(path.join(covidImages, '0a7faa2a.jpg'), path.join(folder, 'covid', 'x1.jpg'));
    await writeFile(path.join(folder, 'normal', 'notes.txt'), 'not an image');

    const out = path.join(root, 'out');
    const s = await buildDataset({
      sources: [
        { kind: 'rsna-pneumonia', dir: rsna },
        { kind: 'folder', dir: folder },
      ],
      outDir: out,
    });
    expect(s.images.byLabelAndSource).toEqual({ covid: { folder: 1 }, normal: { 'rsna-pneumonia': 1 } });
    const manifest = await readManifest(path.join(out, 'manifest.csv'));
    const dcm = manifest.find((m) => m.source === 'rsna-pneumonia')!;
    // RSNA's class `Normal` is the finding `No Finding`; a class folder has no finding but its name (the label).
    expect(dcm).toMatchObject({ path: 'normal/rsna-pneumonia_p-siim_p-siim.png', view: 'PA', originalPath: 'p-siim.dcm', finding: 'No Finding' });
    expect(manifest.find((m) => m.source === 'folder')).toMatchObject({ label: 'covid', finding: '' });
    // dicom/README.md: 1024x1024, 8 bits, MONOCHROME2.
    const meta = await sharp(path.join(out, dcm.path)).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([1024, 1024, 1, 'uchar']);
    expect(createHash('sha256').update(await readFile(path.join(out, dcm.path))).digest('hex')).toBe(dcm.sha256);
    // The same PNG as the package's own DICOM converter writes.
    await convertDicomToPng(path.join(rsna, 'stage_2_train_images', 'p-siim.dcm'), path.join(root, 'direct.png'), { outputBits: 8 });
    expect(createHash('sha256').update(await readFile(path.join(root, 'direct.png'))).digest('hex')).toBe(dcm.sha256);

    // 1024 x 1024 = 1,048,576 pixels > 1,000,000: refused, recorded, the build goes on.
    const small = await buildDataset({ sources: [{ kind: 'rsna-pneumonia', dir: rsna }], outDir: path.join(root, 'out2'), maxPixels: 1_000_000 });
    expect([small.images.total, small.failed]).toEqual([0, 1]);
    expect(small.skipped[0]).toMatchObject({ reason: 'conversion-failed', originalPath: 'p-siim.dcm' });
  });

  it('never follows a symbolic link out of the source folder (file or folder links), but follows one inside it', async () => {
    // A real image outside the source: were it read, it would be converted and listed.
    const outside = path.join(root, 'outside');
    await mkdir(path.join(outside, 'dir'), { recursive: true });
    await copyFile(path.join(covidImages, '0a7faa2a.jpg'), path.join(outside, 'secret.jpg'));
    await copyFile(path.join(covidImages, '16745_2_1.PNG'), path.join(outside, 'dir', 'b.png'));
    const images = path.join(source, 'images');
    await symlink(path.join(outside, 'secret.jpg'), path.join(images, 'link-out.jpg'));
    await symlink(path.join(outside, 'dir'), path.join(images, 'linked-dir'));
    await symlink('/etc/passwd', path.join(images, 'passwd.jpg'));
    await symlink(path.join(images, '0a7faa2a.jpg'), path.join(images, 'link-in.jpg'));
    await writeFile(
      path.join(source, 'metadata.csv'),
      [
        HEADER,
        row('q1', 'COVID-19', 'PA', 'link-out.jpg'),
        row('q2', 'COVID-19', 'PA', 'linked-dir/b.png'),
        row('q3', 'COVID-19', 'PA', 'passwd.jpg'),
        row('q4', 'COVID-19', 'PA', 'link-in.jpg'),
      ].join('\n') + '\n',
    );
    const folder = path.join(root, 'folder');
    await mkdir(path.join(folder, 'covid'), { recursive: true });
    await symlink(path.join(outside, 'secret.jpg'), path.join(folder, 'covid', 'out.jpg'));
    const s = await buildDataset({
      sources: [
        { kind: 'covid-chestxray', dir: source },
        { kind: 'folder', dir: folder },
      ],
      outDir: path.join(root, 'out'),
    });
    expect(s.images.total).toBe(1);
    const manifest = await readManifest(path.join(root, 'out', 'manifest.csv'));
    expect(manifest.map((m) => m.originalPath)).toEqual(['images/link-in.jpg']);
    const refused = s.skipped.filter((x) => x.reason === 'unsafe-path');
    expect(refused.map((x) => x.originalPath).sort()).toEqual(['covid/out.jpg', 'images/link-out.jpg', 'images/linked-dir/b.png', 'images/passwd.jpg']);
    for (const x of refused) expect(x.message).toMatch(/a symbolic link leads out of its folder \(to \//);
    expect(s.sources[0]?.refused).toBe(3);
  });

  it('says there is nothing to build for a header-only metadata file', async () => {
    await writeFile(path.join(source, 'metadata.csv'), HEADER + '\n');
    await expect(buildDataset({ sources: [{ kind: 'covid-chestxray', dir: source }], outDir: path.join(root, 'out') })).rejects.toThrow(
      new DatasetConfigError(`Nothing to build: source ${source} (covid-chestxray) lists no images (its metadata has no rows)`),
    );
    await expect(readdir(path.join(root, 'out'))).resolves.not.toContain('manifest.csv');
  });

  it('refuses a missing source folder with a typed error naming it', async () => {
    const missing = path.join(root, 'nope');
    await expect(buildDataset({ sources: [{ kind: 'nih-cxr14', dir: missing }], outDir: path.join(root, 'o') })).rejects.toThrow(
      new DatasetConfigError(`Source folder ${missing} (nih-cxr14) does not exist`),
    );
  });
});
