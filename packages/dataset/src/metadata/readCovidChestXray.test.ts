import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MetadataSchemaError, UnsafePathError } from '../errors';
import { sharedDataDir } from './__fixtures__/sharedDataDir';
import { matchesFinding } from './matchesFinding';
import { readCovidChestXray } from './readCovidChestXray';
import type { SourceIssue, SourceRecord } from './sourceRecord';

const dir = path.join(sharedDataDir, 'covid-chestxray');
// The real header of metadata.csv (29 fields, the last one empty).
const HEADER =
  'patientid,offset,sex,age,finding,survival,intubated,intubation_present,went_icu,in_icu,needed_supplemental_O2,extubated,temperature,pO2_saturation,leukocyte_count,neutrophil_count,lymphocyte_count,view,modality,date,location,folder,filename,doi,url,license,clinical_notes,other_notes,';

function row(o: { id: string; sex?: string; age?: string; finding: string; view: string; modality?: string; folder?: string; file: string; notes?: string }): string {
  const f = new Array<string>(29).fill('');
  f[0] = o.id;
  f[2] = o.sex ?? '';
  f[3] = o.age ?? '';
  f[4] = o.finding;
  f[17] = o.view;
  f[18] = o.modality ?? 'X-ray';
  f[21] = o.folder ?? 'images';
  f[22] = o.file;
  f[26] = o.notes ?? '';
  return f.join(',');
}

async function collect(it: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('readCovidChestXray on the real metadata.csv (upstream 584034aa)', () => {
  let records: SourceRecord[];
  beforeAll(async () => {
    records = await collect(readCovidChestXray(dir));
  });

  it('reads the 751 rows with their line numbers', () => {
    expect(records).toHaveLength(751);
    // First data row of the file (checked with a text editor): patient 2, 65 years, male, PA, line 2.
    expect(records[0]).toMatchObject({ patientId: '2', sex: 'M', age: 65, view: 'PA', modality: 'X-ray', finding: 'COVID-19', row: 2 });
    expect(records[0]?.imagePath).toBe(path.join(dir, 'images', 'auntminnie-a-2020_01_28_23_51_6665_2020_01_28_Vietnam_coronavirus.jpeg'));
    expect(records[0]?.originalPath).toBe('images/auntminnie-a-2020_01_28_23_51_6665_2020_01_28_Vietnam_coronavirus.jpeg');
    expect(records[750]?.row).toBe(752);
  });

  it('gives the counts of the shared data README: 217 COVID-19 PA X-rays (163 present), 19 No Finding X-rays (14 present, 11 PA)', () => {
    const covid = records.filter((r) => matchesFinding(r.labels, 'COVID-19') && r.view === 'PA' && r.modality === 'X-ray');
    expect(covid).toHaveLength(217);
    expect(covid.filter((r) => existsSync(r.imagePath))).toHaveLength(163);
    // 12 rows read "COVID-19, ARDS": an exact-string match would miss 11 of the 217.
    expect(covid.filter((r) => r.finding === 'COVID-19')).toHaveLength(206);
    const normal = records.filter((r) => matchesFinding(r.labels, 'No Finding') && r.modality === 'X-ray');
    expect(normal).toHaveLength(19);
    const present = normal.filter((r) => existsSync(r.imagePath));
    expect(present).toHaveLength(14);
    expect(present.filter((r) => r.view === 'PA')).toHaveLength(11);
  });

  it('normalises sex and age: 429 M, 253 F, 69 unknown; 151 unknown ages', () => {
    expect(records.filter((r) => r.sex === 'M')).toHaveLength(429);
    expect(records.filter((r) => r.sex === 'F')).toHaveLength(253);
    expect(records.filter((r) => r.sex === null)).toHaveLength(69);
    expect(records.filter((r) => r.age === null)).toHaveLength(151);
  });
});

describe('readCovidChestXray on fixtures', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-covid-meta-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads quoted notes with commas and newlines and numbers rows by their first line', async () => {
    const lines = [
      HEADER,
      row({ id: '1', finding: 'Pneumonia/Viral/COVID-19', view: 'AP Supine', file: 'a.png', notes: '"Fever, cough.\nDay 2:\n""worse"""' }),
      row({ id: '2', finding: 'COVID-19', view: 'PA', file: 'b.png', age: '006M' }),
    ];
    await writeFile(path.join(tmp, 'metadata.csv'), lines.join('\n') + '\n');
    const rs = await collect(readCovidChestXray(tmp));
    expect(rs.map((r) => [r.patientId, r.row, r.view])).toEqual([
      ['1', 2, 'AP Supine'],
      ['2', 5, 'PA'], // record 1 spans lines 2-4
    ]);
    expect(matchesFinding(rs[0]?.labels, 'COVID-19')).toBe(true);
    expect(rs[1]?.age).toBe(0.5);
  });

  it('refuses a missing required column with a MetadataSchemaError naming the file and column', async () => {
    const file = path.join(tmp, 'metadata.csv');
    await writeFile(file, HEADER.replace(',filename,', ',file_name,') + '\n' + row({ id: '1', finding: 'COVID-19', view: 'PA', file: 'a.png' }) + '\n');
    const error = await collect(readCovidChestXray(tmp)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataSchemaError);
    expect((error as MetadataSchemaError).column).toBe('filename');
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('"filename"');
  });

  it('refuses absolute and climbing file names, reporting them, and keeps reading', async () => {
    const lines = [
      HEADER,
      row({ id: '1', finding: 'COVID-19', view: 'PA', file: '../../etc/passwd' }),
      row({ id: '2', finding: 'COVID-19', view: 'PA', file: '/etc/passwd' }),
      row({ id: '3', finding: 'COVID-19', view: 'PA', folder: '..', file: 'x.png' }),
      row({ id: '4', finding: 'COVID-19', view: 'PA', file: 'ok.png' }),
    ];
    await writeFile(path.join(tmp, 'metadata.csv'), lines.join('\n'));
    const issues: SourceIssue[] = [];
    const rs = await collect(readCovidChestXray(tmp, { onIssue: (i) => issues.push(i) }));
    expect(rs.map((r) => r.patientId)).toEqual(['4']);
    expect(issues.map((i) => [i.row, i.reason, i.originalPath])).toEqual([
      [2, 'unsafe-path', 'images/../../etc/passwd'],
      [3, 'unsafe-path', 'images//etc/passwd'],
      [4, 'unsafe-path', '../x.png'],
    ]);
    // Without a handler the typed error is thrown.
    await expect(collect(readCovidChestXray(tmp))).rejects.toBeInstanceOf(UnsafePathError);
  });
});
