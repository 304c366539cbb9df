import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../__fixtures__/cliHarness';
import { makeShortcutDataset, makeSyntheticDataset } from '@cxr/dataset/synthetic';
import { runDatasetBuild } from './dataset';
import { runExperimentLoso, runExperimentRank } from './experiment';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-experiment-'));
  await makeShortcutDataset(path.join(dir, 'data'), { sourceOffset: 70 });
  // covid, other pneumonia (covid-chestxray only) and normals from three sources, built with the three-class recipe
  const synthetic = await makeSyntheticDataset(path.join(dir, 'sources'), { seed: 5, covidCount: 12, normalCount: 12, pneumoniaCount: 8, size: 64 });
  const s = synthetic.sources;
  await runDatasetBuild({ sources: [`covid-chestxray=${s['covid-chestxray']}`, `nih=${s.nih}`, `rsna=${s.rsna}`], out: 'three', recipe: 'three-class', cwd: dir });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cxr experiment loso', () => {
  it('writes report.md and report.json with one arm per mitigation (none first)', async () => {
    const result = await runExperimentLoso({
      data: 'data',
      backbone: 'vgg16',
      backboneSpec: { name: 'vgg16', seed: 1, inputShape: [32, 32, 3], blocks: 2, widthMultiplier: 1 / 16 },
      mitigations: ['source-balanced', 'val-threshold', 'multi-source-normals'],
      out: 'out',
      epochs: 3,
      folds: 3,
      bootstrapIterations: 100,
      cwd: dir,
    });
    expect(result.files.json).toBe(path.join(dir, 'out/report.json'));
    const json = JSON.parse(await readFile(result.files.json, 'utf8'));
    expect(json.arms.map((a: { mitigation: { name: string } }) => a.mitigation.name)).toEqual(['none', 'source-balanced', 'val-threshold', 'multi-source-normals']);
    expect(json.notice).toBe('NOT FOR CLINICAL USE');
    const md = await readFile(result.files.markdown, 'utf8');
    expect(md).toBe(result.markdown);
    expect(md.match(/^## Mitigation: /gm)).toHaveLength(4);
    // val-threshold picks its threshold on the validation split; the others keep 0.5.
    expect(json.arms[2].evaluations[0].threshold.chosenOn).toBe("validation (Youden's J)");
    expect(json.arms[0].evaluations[0].threshold).toEqual({ value: 0.5, chosenOn: 'fixed 0.5' });
    // multi-source-normals: 8 of the 16 NIH patients (one image each) train, validate or test internally; 8 are held out.
    const nih = json.arms[3].evaluations.find((e: { id: string }) => e.id === 'hold-out:nih-cxr14');
    const seen = ['train', 'val', 'test'].reduce((n, k) => n + (nih.counts[k]['nih-cxr14']?.normal ?? 0), 0);
    expect([seen, nih.heldOutTest.negatives]).toEqual([8, 8]);
    expect(nih.description).toMatch(/half of its patients \(8 of 16\) train/);
  }, 120_000);

  it('refuses an unknown mitigation and an unknown backbone as usage errors (exit 2)', async () => {
    const bad = await runCli(dir, ['experiment', 'loso', '--data', 'data', '--backbone', 'vgg16', '--weights', 'w', '--mitigation', 'magic']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--mitigation "magic": expected one of none, clahe/);
    const backbone = await runCli(dir, ['experiment', 'loso', '--data', 'data', '--backbone', 'resnet']);
    expect(backbone.code).toBe(2);
    expect(backbone.stderr).toMatch(/--backbone "resnet"/);
  });

  it('shows a worked example in --help', async () => {
    const help = await runCli(dir, ['experiment', 'loso', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('cxr experiment loso --data data --backbone mobilenet_v1');
    expect(help.stdout).toContain('SHORTCUT ALARM');
  });
});

describe('cxr experiment rank', () => {
  const tiny = { name: 'vgg16' as const, seed: 1, inputShape: [32, 32, 3] as [number, number, number], blocks: 2, widthMultiplier: 1 / 16 };
  const span = (v: number[]) => ({ mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) });

  it('ranks recipe x configuration over seeds by the worst held-out specificity, as the counts give by hand', async () => {
    const { report, markdown } = await runExperimentRank({
      data: 'three',
      backbone: 'vgg16',
      backboneSpec: tiny,
      recipes: ['notebook', 'three-class'],
      configurations: ['none', 'clahe+source-balanced'],
      seeds: [1, 2],
      folds: 3,
      epochs: 2,
      bootstrapIterations: 50,
      cwd: dir,
    });
    expect(report.rows.map((r) => `${r.recipe}/${r.configuration}`).sort()).toEqual(
      ['notebook/none', 'notebook/clahe+source-balanced', 'three-class/none', 'three-class/clahe+source-balanced'].sort(),
    );
    expect(report.baseline).toEqual({ recipe: 'notebook', configuration: 'none' });
    // By hand from the counts: per seed the worst source's TN/N, then the mean over seeds; best first, ties by the AUC mean.
    const byHand = report.rows.map((r) => {
      expect(r.runs.map((run) => run.seed)).toEqual([1, 2]);
      for (const run of r.runs) {
        // every source with normals is held out: covid-chestxray (its normals: it has the covid images), nih and rsna whole
        expect(run.heldOut.map((h) => h.source)).toEqual(['covid-chestxray', 'nih-cxr14', 'rsna-pneumonia']);
        expect(run.positiveVsOther).not.toBeNull();
      }
      const worst = span(r.runs.map((run) => Math.min(...run.heldOut.map((h) => h.trueNegatives / h.negatives))));
      expect(r.worstSpecificity.mean).toBeCloseTo(worst.mean, 12);
      return { name: `${r.recipe}/${r.configuration}`, worst, auc: span(r.runs.map((run) => run.positiveVsOther?.value as number)) };
    });
    const order = [...byHand].sort((a, b) => b.worst.mean - a.worst.mean || b.auc.mean - a.auc.mean).map((r) => r.name);
    expect(report.rows.map((r) => `${r.recipe}/${r.configuration}`)).toEqual(order);
    // the printed table lists the rows in that order, ranks 1..4
    const printed = markdown.split('\n').filter((l) => /^\| \d \|/.test(l)).map((l) => l.split(' | ').slice(1, 3).join('/'));
    expect(printed).toEqual(order);
    // beats = worst-specificity range over seeds wholly above the baseline's, AUC range not wholly below
    const base = byHand.find((r) => r.name === 'notebook/none') as (typeof byHand)[number];
    for (const [i, r] of byHand.entries()) {
      const beats = r.name !== base.name && r.worst.min > base.worst.max && !(r.auc.max < base.auc.min);
      expect(report.rows[i].versusBaseline.beats).toBe(beats);
    }
    const winner = report.rows.find((r) => r.versusBaseline.beats);
    expect(report.winner).toEqual(winner ? { recipe: winner.recipe, configuration: winner.configuration } : null);
    expect(markdown).toContain(`Winner: ${winner ? `${winner.recipe} + ${winner.configuration}` : 'none (the baseline stays)'}.`);
  }, 300_000);

  it('refuses an unknown configuration, recipe or a dataset without pneumonia as usage or input errors', async () => {
    const bad = await runCli(dir, ['experiment', 'rank', '--data', 'three', '--backbone', 'vgg16', '--weights', 'w', '--configuration', 'none', 'clahe+magic']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/configuration "clahe\+magic": unknown train option "magic"/);
    const recipe = await runCli(dir, ['experiment', 'rank', '--data', 'three', '--backbone', 'vgg16', '--weights', 'w', '--recipe', 'fancy']);
    expect(recipe.code).toBe(2);
    expect(recipe.stderr).toMatch(/--recipe "fancy": expected one of notebook, three-class/);
    const seeds = await runCli(dir, ['experiment', 'rank', '--data', 'three', '--backbone', 'vgg16', '--seeds', '1,x']);
    expect(seeds.code).toBe(2);
    // the shortcut dataset has covid and normal only: the three-class recipe cannot train
    await expect(runExperimentRank({ data: 'data', backbone: 'vgg16', backboneSpec: tiny, recipes: ['three-class'], cwd: dir })).rejects.toThrow(
      /manifest\.csv: no pneumonia images, which recipe three-class trains on/,
    );
  });

  it('shows a worked example and the configuration syntax in --help', async () => {
    const help = await runCli(dir, ['experiment', 'rank', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('cxr experiment rank --data data3 --backbone mobilenet_v1');
    expect(help.stdout).toContain('none, clahe, lung-crop, spectral-decoupling, source-balanced, source-adversarial, fine-tune-blocks');
  });
});
