import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MetadataSchemaError } from '../errors';
import { readCovidx } from './readCovidx';
import type { SourceIssue, SourceRecord } from './sourceRecord';

// Lines in the layout of COVID-Net's split files (COVIDx up to v8 and COVIDx CXR-2/9A): patient, file, label, source.
const TRAIN = [
  '8 SARS-10.1148rg.242035193-g04mr34g0-Fig8a-day0.jpeg pneumonia cohen',
  'ab5b5ec4-a0bf-4bc3-a1e3-0a8d0bd8d0a4 ab5b5ec4-a0bf-4bc3-a1e3-0a8d0bd8d0a4.png normal rsna',
  'COVID-00003b COVID-00003b.jpg COVID-19 fig1',
  '',
  '42 covid 19 (case 3).png COVID-19 sirm',
].join('\n');
const TEST = ['419639-003251 MIDRC-RICORD-1C-419639-003251-46647-0.png positive ricord', '1 ../../etc/passwd negative rsna'].join('\r\n') + '\r\n';

async function collect(dir: string, onIssue?: (i: SourceIssue) => void): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of readCovidx(dir, { onIssue })) out.push(r);
  return out;
}

describe('readCovidx', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-covidx-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads patient, file (spaces included), label and source of every line; test images from test/', async () => {
    await writeFile(path.join(dir, 'train_COVIDx9A.txt'), TRAIN);
    await writeFile(path.join(dir, 'test_COVIDx9A.txt'), TEST);
    const issues: SourceIssue[] = [];
    const rows = await collect(dir, (i) => issues.push(i));
    // Files in name order: test_ before train_.
    expect(rows.map((r) => [r.patientId, r.finding, r.collection, r.originalPath, r.row])).toEqual([
      ['419639-003251', 'COVID-19', 'ricord', 'test/MIDRC-RICORD-1C-419639-003251-46647-0.png', 1],
      ['8', 'Pneumonia', 'cohen', 'train/SARS-10.1148rg.242035193-g04mr34g0-Fig8a-day0.jpeg', 1],
      ['ab5b5ec4-a0bf-4bc3-a1e3-0a8d0bd8d0a4', 'No Finding', 'rsna', 'train/ab5b5ec4-a0bf-4bc3-a1e3-0a8d0bd8d0a4.png', 2],
      ['COVID-00003b', 'COVID-19', 'fig1', 'train/COVID-00003b.jpg', 3],
      ['42', 'COVID-19', 'sirm', 'train/covid 19 (case 3).png', 5],
    ]);
    expect(rows[0]!.imagePath).toBe(path.join(dir, 'test', 'MIDRC-RICORD-1C-419639-003251-46647-0.png'));
    expect(rows[0]).toMatchObject({ source: 'covidx', view: '', sex: null, age: null, modality: 'X-ray', labels: ['COVID-19'] });
    expect(issues).toEqual([expect.objectContaining({ row: 2, reason: 'unsafe-path', originalPath: '../../etc/passwd' })]);
  });

  it('refuses an unknown label and a short line, naming the file and line', async () => {
    await writeFile(path.join(dir, 'train.txt'), '1 a.png tuberculosis shenzhen\n');
    await expect(collect(dir)).rejects.toThrow(/train\.txt: line 1: unknown label "tuberculosis"/);
    await writeFile(path.join(dir, 'train.txt'), '1 a.png normal\n');
    await expect(collect(dir)).rejects.toThrow(MetadataSchemaError);
  });

  it('says when the folder has no split file', async () => {
    await expect(collect(dir)).rejects.toThrow(/No COVIDx split file/);
  });
});
