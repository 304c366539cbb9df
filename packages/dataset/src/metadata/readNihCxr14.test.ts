import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetConfigError, MetadataSchemaError } from '../errors';
import { sharedDataDir } from './__fixtures__/sharedDataDir';
import { nihHeaderColumns, readNihCxr14 } from './readNihCxr14';
import { createRecordFilter } from './recordFilter';
import type { SourceRecord } from './sourceRecord';

const dir = path.join(sharedDataDir, 'nih-cxr14');

describe('nihHeaderColumns', () => {
  it('gives one name per data column whether the bracketed names were split by the comma or quoted', () => {
    const split = ['Image Index', 'OriginalImage[Width', 'Height]', 'OriginalImagePixelSpacing[x', 'y]', ''];
    const quoted = ['Image Index', 'OriginalImage[Width,Height]', 'OriginalImagePixelSpacing[x,y]', ''];
    const expected = ['Image Index', 'OriginalImage[Width]', 'OriginalImage[Height]', 'OriginalImagePixelSpacing[x]', 'OriginalImagePixelSpacing[y]', ''];
    expect(nihHeaderColumns(split)).toEqual(expected);
    expect(nihHeaderColumns(quoted)).toEqual(expected);
  });
});

describe('readNihCxr14 on the real Data_Entry_2017_v2020.csv.gz (112,120 rows)', () => {
  it('streams every row and counts 37,414 No Finding PA adults, 99 of them present', async () => {
    const f = createRecordFilter({ finding: 'No Finding', views: ['PA'], minAge: 18 });
    let n = 0;
    let first: SourceRecord | undefined;
    let last: SourceRecord | undefined;
    let present = 0;
    let males = 0;
    for await (const r of readNihCxr14(dir)) {
      n++;
      first ??= r;
      last = r;
      if (r.sex === 'M') males++;
      if (f.test(r) === null && existsSync(r.imagePath)) present++;
    }
    expect(n).toBe(112120);
    // Reference: the first and last lines of the file (zcat | sed -n '2p;112121p').
    expect(first).toMatchObject({ originalPath: '00000001_000.png', finding: 'Cardiomegaly', patientId: '1', age: 57, sex: 'M', view: 'PA', row: 2 });
    expect(first?.imagePath).toBe(path.join(dir, 'images', '00000001_000.png'));
    expect(last).toMatchObject({ originalPath: '00030805_000.png', finding: 'No Finding', patientId: '30805', age: 26, row: 112121 });
    // Reference counts computed with Python's csv module.
    expect(males).toBe(63340);
    expect(f.steps().map((s) => s.kept)).toEqual([60361, 39302, 37414]);
    expect(present).toBe(99);
  });
});

describe('readNihCxr14 on fixtures', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-nih-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads the original Data_Entry_2017.csv layout (DICOM-style ages, trailing comma, images_NNN/images folders)', async () => {
    const csv = [
      'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],',
      '00000001_000.png,Cardiomegaly|Emphysema,0,1,058Y,M,PA,2682,2749,0.143,0.143,',
      '00000002_000.png,No Finding,0,2,081Y,M,PA,2500,2048,0.171,0.171,',
    ].join('\n');
    await writeFile(path.join(tmp, 'Data_Entry_2017.csv.gz'), gzipSync(csv));
    await mkdir(path.join(tmp, 'images_002', 'images'), { recursive: true });
    await writeFile(path.join(tmp, 'images_002', 'images', '00000002_000.png'), '');
    const rs: SourceRecord[] = [];
    for await (const r of readNihCxr14(tmp)) rs.push(r);
    expect(rs.map((r) => [r.age, r.labels])).toEqual([
      [58, ['Cardiomegaly', 'Emphysema']],
      [81, ['No Finding']],
    ]);
    expect(rs[1]?.imagePath).toBe(path.join(tmp, 'images_002', 'images', '00000002_000.png'));
  });

  it('names the file and the column when a required column is missing, and the folder when no metadata exists', async () => {
    await writeFile(path.join(tmp, 'Data_Entry_2017.csv'), 'Image Index,Finding Labels,Patient ID,Patient Age,Patient Gender\na.png,No Finding,1,30,M\n');
    const error = await (async () => {
      for await (const _ of readNihCxr14(tmp)) void _;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataSchemaError);
    expect((error as Error).message).toContain(path.join(tmp, 'Data_Entry_2017.csv'));
    expect((error as MetadataSchemaError).column).toBe('View Position');
    const empty = await mkdtemp(path.join(os.tmpdir(), 'cxr-nih-empty-'));
    try {
      await expect(readNihCxr14(empty).next()).rejects.toThrow(DatasetConfigError);
    } finally {
      await rm(empty, { recursive: true });
    }
  });
});
