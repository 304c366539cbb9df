import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PREPROCESS_SPEC } from '@cxr/preprocess';
import { tinyBackbone, useCpu } from '../__fixtures__/tinyBackbone';
import { createHead } from '../head/createHead';
import { loadModel, readModelConfig } from './loadModel';
import { recoverModelFolder } from './recoverModelFolder';
import { saveModel } from './saveModel';

/*
 * saveModel's steps: write <out>.tmp-<pid>-<id> (cxr.json last) -> rename <out> to <out>.old-<pid>-<id> -> rename the tmp
 * folder to <out> -> remove the old one. Each test lays the folders out as a kill after one of those steps leaves them
 * (with the pid of a process that has exited), then opens or saves again.
 */

const SPEC = { ...DEFAULT_PREPROCESS_SPEC, height: 32, width: 32 };
let tmp: string;
let deadPid: number;

async function save(dir: string, threshold: number, overwrite = false): Promise<void> {
  const backbone = { ...tinyBackbone(), preprocessing: SPEC, info: { weightsSource: 'random', cutLayer: 'pool2' } };
  const head = createHead({ inputShape: [8, 8, 8], poolSize: 4, units: 6, seed: 4 });
  await saveModel(dir, { backbone, head, classes: ['covid', 'normal'], positiveClass: 'covid', threshold, overwrite });
}
const thresholdOf = async (dir: string) => (await readModelConfig(dir)).threshold;

beforeAll(async () => {
  await useCpu();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-recover-'));
  deadPid = spawnSync(process.execPath, ['-e', '']).pid ?? 999_999_999; // has exited: its folders are leftovers
  await save(path.join(tmp, 'old-model'), 0.3);
  await save(path.join(tmp, 'new-model'), 0.7);
});
afterAll(async () => rm(tmp, { recursive: true, force: true }));

/** A fresh case folder with `out` = the old model. */
async function caseDir(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir);
  await cp(path.join(tmp, 'old-model'), path.join(dir, 'out'), { recursive: true });
  return path.join(dir, 'out');
}
const leftovers = async (out: string) => (await readdir(path.dirname(out))).filter((n) => n !== 'out');

describe('recoverModelFolder: a kill at each step of saveModel leaves the old or the new model', () => {
  it('killed while writing the new folder (no cxr.json yet): the old model stays, the partial folder goes', async () => {
    const out = await caseDir('writing');
    const partial = `${out}.tmp-${deadPid}-aa11`;
    await cp(path.join(tmp, 'new-model'), partial, { recursive: true });
    await rm(path.join(partial, 'cxr.json'));
    await expect(thresholdOf(out)).resolves.toBe(0.3);
    expect(await leftovers(out)).toEqual([]);
  });

  it('killed between the two renames (no <out>): loading puts the complete new model in place and removes the old', async () => {
    const out = await caseDir('between');
    await cp(path.join(tmp, 'new-model'), `${out}.tmp-${deadPid}-bb22`, { recursive: true });
    await rename(out, `${out}.old-${deadPid}-bb22`);
    const loaded = await loadModel(out);
    expect(loaded.config.threshold).toBe(0.7);
    expect(await leftovers(out)).toEqual([]);
  });

  it('killed between the renames with an incomplete new folder: the old model is put back', async () => {
    const out = await caseDir('between-incomplete');
    await cp(path.join(tmp, 'new-model'), `${out}.tmp-${deadPid}-cc33`, { recursive: true });
    await rm(path.join(`${out}.tmp-${deadPid}-cc33`, 'cxr.json'));
    await rename(out, `${out}.old-${deadPid}-cc33`);
    expect(await recoverModelFolder(out)).toMatchObject({ restored: 'old', removed: [`${out}.tmp-${deadPid}-cc33`] });
    await expect(thresholdOf(out)).resolves.toBe(0.3);
    expect(await leftovers(out)).toEqual([]);
  });

  it('killed before removing the old folder: the next save cleans it up', async () => {
    const out = await caseDir('after');
    await cp(path.join(tmp, 'old-model'), `${out}.old-${deadPid}-dd44`, { recursive: true });
    await save(out, 0.55, true);
    await expect(thresholdOf(out)).resolves.toBe(0.55);
    expect(await leftovers(out)).toEqual([]);
  });

  it('keeps the folders of a process that is still running (a save in progress) and of other models', async () => {
    const out = await caseDir('live');
    const live = `${out}.tmp-${process.pid}-ee55`;
    await mkdir(live);
    await writeFile(path.join(path.dirname(out), 'out2.tmp-1-ff'), 'another model');
    expect(await recoverModelFolder(out)).toEqual({ restored: 'none', removed: [] });
    expect((await leftovers(out)).sort()).toEqual(['out.tmp-' + `${process.pid}-ee55`, 'out2.tmp-1-ff']);
    expect(JSON.parse(await readFile(path.join(out, 'cxr.json'), 'utf8')).threshold).toBe(0.3);
  });
});
