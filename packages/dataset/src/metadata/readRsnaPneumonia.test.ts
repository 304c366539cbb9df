import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readDicomHeader } from '../dicom/readDicomHeader';
import { DatasetConfigError } from '../errors';
import { sharedDataDir } from './__fixtures__/sharedDataDir';
import { readRsnaPneumonia } from './readRsnaPneumonia';
import type { SourceRecord } from './sourceRecord';

const dir = path.join(sharedDataDir, 'rsna-pneumonia');

async function collect(it: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('readRsnaPneumonia on the real challenge metadata', () => {
  it('yields one record per patient (26,684 from 30,227 box rows), with view, age and sex from the header CSV', async () => {
    const rs = await collect(readRsnaPneumonia(dir));
    // Reference counts from Python's csv module over the same two files.
    expect(rs).toHaveLength(26684);
    expect(rs.filter((r) => r.finding === 'Lung Opacity')).toHaveLength(6012);
    expect(rs.filter((r) => r.view === 'PA')).toHaveLength(14511);
    expect(rs.filter((r) => r.sex === 'F')).toHaveLength(11518);
    expect(rs.every((r) => r.modality === 'X-ray')).toBe(true); // CR in the headers
    expect(rs[0]).toMatchObject({ patientId: '0004cfab-14fd-4e49-80ba-63a80b6bddd6', view: 'PA', age: 51, sex: 'F', row: 2 });
    expect(rs[0]?.originalPath).toBe('0004cfab-14fd-4e49-80ba-63a80b6bddd6.dcm');
    // Without stage_2_detailed_class_info.csv, Target 0 is not "No Finding": it mixes normals with other findings.
    expect(rs.some((r) => r.finding === 'No Finding')).toBe(false);
  });
});

describe('readRsnaPneumonia on a fixture folder with DICOM images', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-rsna-'));
    const images = path.join(tmp, 'stage_2_train_images');
    await mkdir(images);
    await writeFile(
      path.join(tmp, 'stage_2_train_labels.csv'),
      ['patientId,x,y,width,height,Target', 'p-siim,,,,,0', 'p-nih,264,152,213,379,1', 'p-nih,562,152,256,453,1', 'p-absent,,,,,0'].join('\n'),
    );
    await writeFile(
      path.join(tmp, 'stage_2_detailed_class_info.csv'),
      ['patientId,class', 'p-siim,Normal', 'p-nih,Lung Opacity', 'p-nih,Lung Opacity', 'p-absent,No Lung Opacity / Not Normal'].join('\n'),
    );
    // Real DICOM files under RSNA-style names, copied to a temp folder (never into the repo): links out of the source are refused.
    await copyFile(path.join(sharedDataDir, 'dicom/original/siim_cr_pa_jpegbaseline_mono2.dcm'), path.join(images, 'p-siim.dcm'));
    await copyFile(path.join(sharedDataDir, 'dicom/original/nih_cxr14_nofinding_dx_uncompressed.dcm'), path.join(images, 'p-nih.dcm'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads view, age and sex from each DICOM header when no header CSV is given', async () => {
    const rs = await collect(readRsnaPneumonia(tmp, { readHeader: readDicomHeader }));
    expect(rs.map((r) => [r.patientId, r.finding, r.row])).toEqual([
      ['p-siim', 'No Finding', 2],
      ['p-nih', 'Lung Opacity', 3],
      ['p-absent', 'No Lung Opacity / Not Normal', 5],
    ]);
    // dcmdump of the files (shared dicom/README.md): SIIM is CR, ViewPosition PA; the NIH one is DX, M, 81Y.
    expect(rs[0]).toMatchObject({ view: 'PA', modality: 'X-ray' });
    expect(rs[1]).toMatchObject({ sex: 'M', age: 81, modality: 'X-ray' });
    expect(rs[2]).toMatchObject({ view: '', sex: null, age: null });
    expect(rs[0]?.imagePath).toBe(path.join(tmp, 'stage_2_train_images', 'p-siim.dcm'));
  });

  it('refuses a folder without stage_2_train_labels.csv', async () => {
    await expect(readRsnaPneumonia(path.join(tmp, 'stage_2_train_images')).next()).rejects.toThrow(DatasetConfigError);
  });
});
