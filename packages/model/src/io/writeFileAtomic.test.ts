import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './writeFileAtomic';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates the folder, replaces an existing file and leaves no temp file', async () => {
    const file = path.join(dir, 'a', 'b.bin');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, new Uint8Array([116, 119, 111]));
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(path.join(dir, 'a'))).toEqual(['b.bin']);
  });

  it('removes its temp file and keeps the old content when the rename fails', async () => {
    const target = path.join(dir, 'target');
    await writeFile(path.join(dir, 'keep'), 'old');
    // a non-empty folder at the target: the write succeeds, the rename over it fails
    await writeFileAtomic(path.join(target, 'inner'), 'x');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['keep', 'target']);
    expect(await readFile(path.join(target, 'inner'), 'utf8')).toBe('x');
  });
});
