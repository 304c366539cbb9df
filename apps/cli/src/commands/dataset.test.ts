import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readManifest, type BuildSummary } from '@cxr/dataset/node';
import { runCli, sharedDataDir } from '../__fixtures__/cliHarness';
import type { DatasetStatsResult } from './dataset';

const shared = sharedDataDir;

let dir: string;
const cli = (...args: string[]) => runCli(dir, args);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-cli-dataset-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cxr dataset build (the real shared data; the only build of this file)', () => {
  it('builds 163 covid and 110 normal images (99 NIH, 11 covid-chestxray) and reports the README counts', async () => {
    const r = await cli(
      'dataset',
      'build',
      '--source',
      `covid-chestxray=${path.join(shared, 'covid-chestxray')}`,
      '--source',
      `nih=${path.join(shared, 'nih-cxr14')}`,
      '--out',
      'built',
      '--json',
    );
    expect(r.stderr.split('\n').filter((l) => l.startsWith('cxr:'))).toEqual([]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as BuildSummary;
    expect(summary.images.byLabelAndSource).toEqual({ covid: { 'covid-chestxray': 163 }, normal: { 'covid-chestxray': 11, 'nih-cxr14': 99 } });
    expect(summary.sources[0]?.classes['covid']).toMatchObject({ kept: 217, present: 163, missing: 54 });
    expect(summary.sources[1]?.classes['normal']?.kept).toBe(37414);
    // Relative --out resolves against the CLI's working directory.
    const manifest = await readManifest(path.join(dir, 'built', 'manifest.csv'));
    expect(manifest).toHaveLength(273);
    expect(manifest.every((m) => m.patientId !== '' && (m.source === 'covid-chestxray' || m.source === 'nih-cxr14'))).toBe(true);
    expect(manifest.every((m) => existsSync(path.join(dir, 'built', m.path)))).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, 'built', 'summary.json'), 'utf8')).images.total).toBe(273);

    // The text report names each filter step's count.
    const { formatBuildSummary } = await import('./dataset');
    const text = formatBuildSummary(summary);
    expect(text).toContain('covid: finding COVID-19: 538 -> modality X-ray: 458 -> view PA: 217');
    expect(text).toContain('covid: 163 images present, 54 listed but absent');
    expect(text).toContain('Images: 163 covid (163 covid-chestxray); 110 normal (11 covid-chestxray, 99 nih-cxr14)');
    // The data-design audit: 99 of the 110 normals come from NIH, which has no covid.
    expect(text).toMatch(/normal\s+11\s+99\s+110\s+90% CONFOUNDED/);
    expect(text).toContain('CONFOUNDED: normal: 90% (99 of 110) from nih-cxr14, which has no other class.');
  }, 300_000);
});

describe('cxr dataset stats', () => {
  it('counts the 19 No Finding X-ray rows of covid-chestxray, 14 of them present', async () => {
    const r = await cli('dataset', 'stats', `covid-chestxray=${path.join(shared, 'covid-chestxray')}`, '--finding', 'No Finding', '--modality', 'X-ray', '--json');
    expect(r.code).toBe(0);
    const s = (JSON.parse(r.stdout) as DatasetStatsResult).sources[0];
    expect(s?.filtered).toMatchObject({ kept: 19, present: 14, missing: 5 });
    expect(s?.all.bySex).toEqual({ M: 429, F: 253, unknown: 69 });
  });

  it('counts 37,414 NIH rows No Finding, PA, 18+ (text output, plain progress lines off a TTY)', async () => {
    const r = await cli('dataset', 'stats', `nih=${path.join(shared, 'nih-cxr14')}`, '--finding', 'No Finding', '--view', 'PA', '--min-age', '18');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nih-cxr14');
    expect(r.stdout).toContain('filter: rows read: 112120 -> finding No Finding: 60361 -> view PA: 39302 -> age >= 18 (unknown kept): 37414');
    expect(r.stdout).toContain('kept 37414: 99 images present, 37315 absent');
    expect(r.stdout).toContain('sex: M 63340, F 48780');
    expect(r.stderr).toMatch(/nih-cxr14: \d+ rows read\n/);
  });

  it('rewrites one progress line in place on a TTY', async () => {
    const { code, stdout, stderr } = await runCli(dir, ['dataset', 'stats', `covid-chestxray=${path.join(shared, 'covid-chestxray')}`], true);
    expect(code).toBe(0);
    // CR + ESC[2K (erase line) opens each update; checked as a plain prefix, since a control character in a regex
    // literal is a lint error (no-control-regex).
    const progress = stderr;
    expect(progress.startsWith('\r\u001b[2K')).toBe(true);
    expect(progress.slice('\r\u001b[2K'.length)).toMatch(/^covid-chestxray: \d+ rows read.*\n$/s);
    expect(stdout).toContain('covid-chestxray');
  });

  it('bad usage exits 2; a missing folder or a bad metadata file exits 1 with one line naming it', async () => {
    const bad = await cli('dataset', 'stats', 'mnist=somewhere');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Unknown source kind "mnist"');
    const missing = await cli('dataset', 'stats', 'covid-chestxray=nowhere');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`cxr: Bad metadata in ${path.join(dir, 'nowhere', 'metadata.csv')}: file not found\n`);
    const noSource = await cli('dataset', 'build', '--out', 'x');
    expect(noSource.code).toBe(2);
    const noDir = await cli('dataset', 'build', '--source', 'nih=absent', '--out', 'x');
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toContain(path.join(dir, 'absent'));
  });

  it('--help shows a worked example', async () => {
    const r = await cli('dataset', 'build', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cxr dataset build --source covid-chestxray=');
    expect((await cli('dataset', 'stats', '--help')).stdout).toContain('--min-age 18');
  });

  it('--shard: a bad value exits 2; auto without a job index exits 2 naming the variables; merge without shards exits 1', async () => {
    const bad = await cli('dataset', 'build', '--source', 'nih=absent', '--out', 'x', '--shard', '3/3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected an integer from 0 to 2');
    const auto = await cli('dataset', 'build', '--source', 'nih=absent', '--out', 'x', '--shard', 'auto'); // no job variables set here
    expect(auto.code).toBe(2);
    expect(auto.stderr).toContain('JOB_COMPLETION_INDEX');
    const merge = await cli('dataset', 'merge', '--out', 'never-built');
    expect(merge.code).toBe(1);
    expect(merge.stderr).toContain('No shards to merge');
    expect((await cli('dataset', 'build', '--help')).stdout).toContain('cxr dataset merge --out');
  });
});

describe('cxr dataset recipes and build --recipe / --dry-run', () => {
  it('lists the built-in recipes with their class definitions', async () => {
    const r = await cli('dataset', 'recipes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('three-class: COVID-19 vs other pneumonia vs normal');
    expect(r.stdout).toContain('  pneumonia: source covid-chestxray; any finding; not COVID-19, No Finding, todo; modality X-ray; view PA');
    const json = JSON.parse((await cli('dataset', 'recipes', '--json')).stdout) as { recipes: { name: string; positiveClass?: string }[] };
    expect(json.recipes.map((x) => [x.name, x.positiveClass ?? null])).toEqual([
      ['notebook', 'covid'],
      ['three-class', null],
      ['covid-vs-pneumonia', 'covid'],
    ]);
  });

  it('a three-class dry run counts 163 covid, 46 pneumonia, 11 normal in covid-chestxray and writes nothing', async () => {
    const r = await cli('dataset', 'build', '--recipe', 'three-class', '--dry-run', '--source', `covid-chestxray=${path.join(shared, 'covid-chestxray')}`, '--out', 'dry');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Recipe: three-class');
    expect(r.stdout).toContain('Images a build would keep: 163 covid (163 covid-chestxray); 46 pneumonia (46 covid-chestxray); 11 normal (11 covid-chestxray)');
    expect(r.stdout).toContain('Duplicate images (same SHA-256) dropped: 4, 4 of them under another patient id');
    expect(r.stdout).toContain('images/000001-27.jpg (patient 340, pneumonia) = line 556 images/000001-27.jpg (patient 287, pneumonia)');
    expect(existsSync(path.join(dir, 'dry'))).toBe(false);
  });

  it('refuses a recipe file with an unknown key, naming the file and the key (exit 1)', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'mine.json'), JSON.stringify({ name: 'mine', description: '', classes: [{ label: 'a', filter: { view: 'PA' } }, { label: 'b', filter: {} }] }));
    const r = await cli('dataset', 'build', '--recipe', 'mine.json', '--source', `covid-chestxray=${path.join(shared, 'covid-chestxray')}`, '--out', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Bad recipe .*mine\.json at classes\[0\]\.filter\.view: unknown filter/);
  });

  it('--help lists every source kind with its layout', async () => {
    const r = await cli('dataset', 'build', '--help');
    for (const kind of ['covid-chestxray:', 'nih-cxr14:', 'rsna-pneumonia:', 'covidx:', 'chexpert:', 'folder:']) expect(r.stdout).toContain(`  ${kind}`);
  });
});
