import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../__fixtures__/cliHarness';
import { makeShortcutDataset } from '@cxr/dataset/synthetic';
import { runExperimentLoso } from './experiment';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-experiment-'));
  await makeShortcutDataset(path.join(dir, 'data'), { sourceOffset: 70 });
});
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
