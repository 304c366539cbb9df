import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatasetConfigError } from '../errors';
import { parseSourceSpec } from './openSource';
import { readClassFolders } from './readClassFolders';
import type { SourceRecord } from './sourceRecord';

describe('readClassFolders', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-folders-'));
    for (const [dir, names] of [
      ['covid', ['b.png', 'a.JPG', '.hidden.png', 'notes.txt']],
      ['normal', ['n1.dcm']],
      ['Pneumonia', ['p.png']],
    ] as const) {
      await mkdir(path.join(tmp, dir));
      for (const n of names) await writeFile(path.join(tmp, dir, n), '');
    }
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('yields images in name order with findings from the folder names', async () => {
    const rs: SourceRecord[] = [];
    for await (const r of readClassFolders(tmp)) rs.push(r);
    expect(rs.map((r) => [r.originalPath, r.finding, r.labels, r.patientId, r.row])).toEqual([
      ['Pneumonia/p.png', 'Pneumonia', ['Pneumonia'], 'p', 1],
      ['covid/a.JPG', 'COVID-19', ['COVID-19', 'covid'], 'a', 1],
      ['covid/b.png', 'COVID-19', ['COVID-19', 'covid'], 'b', 2],
      ['normal/n1.dcm', 'No Finding', ['No Finding', 'normal'], 'n1', 1],
    ]);
    expect(rs[1]?.imagePath).toBe(path.join(tmp, 'covid', 'a.JPG'));
  });

  it('refuses a missing folder; parseSourceSpec knows the kinds and their short names', async () => {
    await expect(readClassFolders(path.join(tmp, 'nope')).next()).rejects.toThrow(DatasetConfigError);
    expect(parseSourceSpec('nih=/d')).toEqual({ kind: 'nih-cxr14', dir: '/d' });
    expect(parseSourceSpec('RSNA=a=b')).toEqual({ kind: 'rsna-pneumonia', dir: 'a=b' });
    expect(() => parseSourceSpec('covid-chestxray')).toThrow(DatasetConfigError);
    expect(() => parseSourceSpec('mnist=/d')).toThrow('Unknown source kind "mnist"');
  });
});
