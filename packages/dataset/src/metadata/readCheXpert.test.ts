import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readCheXpert, type UncertainPolicy } from './readCheXpert';
import type { SourceRecord } from './sourceRecord';

// The header and first rows of CheXpert-v1.0-small/train.csv as Stanford publishes it.
const CSV = [
  'Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices',
  'CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg,Female,68,Frontal,AP,1.0,,,,,,,,,0.0,,,,1.0',
  'CheXpert-v1.0-small/train/patient00002/study2/view1_frontal.jpg,Female,87,Frontal,AP,,,-1.0,1.0,,-1.0,-1.0,,-1.0,,-1.0,,1.0,',
  'CheXpert-v1.0-small/train/patient00002/study1/view1_frontal.jpg,Female,83,Frontal,AP,,,,1.0,,,-1.0,,,,,,1.0,',
  'CheXpert-v1.0-small/train/patient00002/study1/view2_lateral.jpg,Female,83,Lateral,,,,,1.0,,,-1.0,,,,,,1.0,',
  'CheXpert-v1.0-small/train/patient00003/study1/view1_frontal.jpg,Male,41,Frontal,PA,,,,,,1.0,,,,0.0,,,,',
].join('\n');

describe('readCheXpert', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-chexpert-'));
    await writeFile(path.join(dir, 'train.csv'), CSV + '\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const read = async (uncertain: UncertainPolicy): Promise<SourceRecord[]> => {
    const out: SourceRecord[] = [];
    for await (const r of readCheXpert(dir, { uncertain })) out.push(r);
    return out;
  };

  it('maps positives, views, sex, age and paths (uncertain labels dropped with their record)', async () => {
    const rows = await read('drop');
    expect(rows.map((r) => [r.row, r.patientId, r.view, r.sex, r.age, r.labels])).toEqual([
      [2, 'patient00001', 'AP', 'F', 68, ['No Finding', 'Support Devices']],
      [6, 'patient00003', 'PA', 'M', 41, ['Edema']],
    ]);
    expect(rows[0]!.imagePath).toBe(path.join(dir, 'train', 'patient00001', 'study1', 'view1_frontal.jpg'));
    expect(rows[0]!.finding).toBe('No Finding|Support Devices');
  });

  it('U-Ones counts an uncertain label as present, U-Zeros as absent (hand-read from the rows)', async () => {
    const ones = await read('positive');
    const zeros = await read('negative');
    expect(ones.map((r) => r.labels)[1]).toEqual(['Cardiomegaly', 'Lung Opacity', 'Edema', 'Consolidation', 'Atelectasis', 'Pleural Effusion', 'Fracture']);
    expect(zeros.map((r) => r.labels)[1]).toEqual(['Lung Opacity', 'Fracture']);
    expect(ones.map((r) => r.view)).toEqual(['AP', 'AP', 'AP', 'L', 'PA']);
    expect(zeros[3]!.labels).toEqual(['Lung Opacity', 'Fracture']);
  });

  it('refuses a value that is not 1, 0, -1 or blank, naming the column', async () => {
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, CSV.split('\n')[0] + '\nCheXpert-v1.0-small/train/patient9/s/v.jpg,Male,41,Frontal,PA,,,,,,yes,,,,,,,,\n');
    const it = readCheXpert(dir, { uncertain: 'drop', labelFile: bad });
    await expect(it.next()).rejects.toThrow(/bad\.csv: line 2: Edema is "yes"/);
  });
});
