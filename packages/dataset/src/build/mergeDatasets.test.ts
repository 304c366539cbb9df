import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatasetConfigError } from '../errors';
import { sharedDataDir } from '../metadata/__fixtures__/sharedDataDir';
import { BUILD_FILES, buildDataset } from './buildDataset';
import { mergeDatasets } from './mergeDatasets';
import { shardOfPatient } from './shard';

const covidImages = path.join(sharedDataDir, 'covid-chestxray', 'images');
const HEADER =
  'patientid,offset,sex,age,finding,survival,intubated,intubation_present,went_icu,in_icu,needed_supplemental_O2,extubated,temperature,pO2_saturation,leukocyte_count,neutrophil_count,lymphocyte_count,view,modality,date,location,folder,filename,doi,url,license,clinical_notes,other_notes,';
function row(id: string, finding: string, view: string, file: string, age = ''): string {
  const f = new Array<string>(29).fill('');
  [f[0], f[2], f[3], f[4], f[17], f[18], f[21], f[22]] = [id, 'F', age, finding, view, 'X-ray', 'images', file];
  return f.join(',');
}

/** A covid-chestxray-style source over small real images: duplicates across patients, a corrupt and an absent file. */
async function makeSource(root: string): Promise<string> {
  const dir = path.join(root, 'src');
  await mkdir(path.join(dir, 'images'), { recursive: true });
  const names = (await readdir(covidImages)).filter((n) => /\.(png|jpe?g)$/i.test(n)).sort().slice(0, 12);
  for (const n of names) await symlink(path.join(covidImages, n), path.join(dir, 'images', n));
  await writeFile(path.join(dir, 'images', 'cut.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]));
  const rows = names.map((n, i) => row(`p${i % 9}`, i % 3 === 0 ? 'No Finding' : 'COVID-19', 'PA', n, '40'));
  rows.push(row('p20', 'COVID-19', 'PA', names[1]!), row('p21', 'COVID-19', 'PA', 'cut.jpg'), row('p22', 'COVID-19', 'PA', 'absent.jpg'));
  await writeFile(path.join(dir, 'metadata.csv'), [HEADER, ...rows].join('\n') + '\n');
  return dir;
}

describe('sharded buildDataset + mergeDatasets', () => {
  let root: string;
  let source: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cxr-shard-'));
    source = await makeSource(root);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('three concurrent shards + merge give the manifest of one process, byte for byte', async () => {
    const sources = [{ kind: 'covid-chestxray' as const, dir: source }];
    const one = await buildDataset({ sources, outDir: path.join(root, 'one') });
    const out = path.join(root, 'sharded');
    const parts = await Promise.all([0, 1, 2].map((index) => buildDataset({ sources, outDir: out, shard: { index, count: 3 } })));
    // Disjoint: each shard converted only its own patients' images, and together all of them.
    const manifest = (await readFile(one.manifestFile, 'utf8')).trim().split('\n').slice(1);
    expect(parts.map((p) => p.images.total).reduce((a, b) => a + b, 0)).toBe(manifest.length);
    for (const p of parts) {
      const text = await readFile(p.manifestFile, 'utf8');
      for (const line of text.trim().split('\n').slice(1)) {
        const [, , , , , source2, patient] = line.split(',');
        expect(shardOfPatient(source2!, patient!, 3)).toBe(p.shard?.index);
      }
    }
    await expect(readFile(path.join(out, BUILD_FILES.manifest))).rejects.toThrow(/ENOENT/);

    const merged = await mergeDatasets(out);
    expect(await readFile(merged.manifestFile, 'utf8')).toBe(await readFile(one.manifestFile, 'utf8'));
    expect(merged.images).toEqual(one.images);
    expect([merged.written, merged.failed]).toEqual([one.written, one.failed]);
    expect(merged.sources).toEqual(one.sources);
    expect(merged.skipped.map((s) => `${s.reason}:${s.row}`).sort()).toEqual(one.skipped.map((s) => `${s.reason}:${s.row}`).sort());
    expect(merged.mergedShards).toBe(3);
    // Same PNG files, nothing else left beside them.
    for (const label of ['covid', 'normal']) {
      expect((await readdir(path.join(out, label))).sort()).toEqual((await readdir(path.join(root, 'one', label))).sort());
    }
    expect((await readdir(out)).sort()).toEqual(['covid', 'manifest.csv', 'normal', 'summary.json']);
    // A second sharded run reuses every PNG.
    const again = await buildDataset({ sources, outDir: out, shard: { index: 1, count: 3 } });
    expect(again.written).toBe(0);
    expect(again.reused).toBe(parts[1]!.images.total);
  });

  it('refuses to merge while a shard is missing, or shards of two counts', async () => {
    const sources = [{ kind: 'covid-chestxray' as const, dir: source }];
    const out = path.join(root, 'partial');
    await buildDataset({ sources, outDir: out, shard: { index: 0, count: 2 } });
    await expect(mergeDatasets(out)).rejects.toThrow(/Shards 1\/2 .* have not finished/);
    await buildDataset({ sources, outDir: out, shard: { index: 0, count: 3 } });
    await expect(mergeDatasets(out)).rejects.toThrow(DatasetConfigError);
    await expect(mergeDatasets(path.join(root, 'nothing'))).rejects.toThrow(/No shards to merge/);
  });
});
