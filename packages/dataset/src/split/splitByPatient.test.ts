import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithData, SHARED_DATA } from '../__fixtures__/sharedData';
import { parseCsvRecords } from '../csv/parseCsv';
import { CsvFormatError, PatientLeakError, SplitOptionsError } from '../errors';
import { splitByPatient, type ImageRecord, type SplitAssignment } from './splitByPatient';
import { readSplitFile, writeSplitFile } from './splitFile';
import { splitReport } from './splitReport';
import { validateSplit } from './validateSplit';

const fractions = { train: 0.7, val: 0.15, test: 0.15 };

/** 60 patients: covid patients have 1-4 images, normal patients 1. */
function synthetic(): ImageRecord[] {
  const out: ImageRecord[] = [];
  for (let p = 0; p < 40; p++) for (let k = 0; k <= p % 4; k++) out.push({ path: `c/${p}-${k}.png`, label: 'covid', patientId: `C${p}`, source: 'covid-chestxray' });
  for (let p = 0; p < 60; p++) out.push({ path: `n/${p}.png`, label: 'normal', patientId: `N${p}`, source: p % 2 ? 'nih' : 'covid-chestxray' });
  return out;
}

/** Independent leak check: the set of splits of each patient. */
function splitsPerPatient(a: SplitAssignment[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of a) m.set(String(r.patientId), (m.get(String(r.patientId)) ?? new Set()).add(r.split));
  return m;
}

describe('splitByPatient', () => {
  it('keeps every patient in one split and follows the fractions per label', () => {
    const records = synthetic();
    const a = splitByPatient(records, { fractions, seed: 1 });
    expect(a.map((r) => r.path)).toEqual(records.map((r) => r.path)); // input order kept
    for (const s of splitsPerPatient(a).values()) expect(s.size).toBe(1);
    for (const label of ['covid', 'normal']) {
      const all = a.filter((r) => r.label === label);
      for (const split of ['train', 'val', 'test'] as const) {
        const frac = all.filter((r) => r.split === split).length / all.length;
        expect(Math.abs(frac - fractions[split])).toBeLessThan(0.05);
      }
    }
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const records = synthetic();
    const s1 = splitByPatient(records, { fractions, seed: 7 }).map((r) => r.split);
    expect(splitByPatient(records, { fractions, seed: 7 }).map((r) => r.split)).toEqual(s1);
    expect(splitByPatient(records, { fractions, seed: 8 }).map((r) => r.split)).not.toEqual(s1);
  });

  it('treats records without patientId as their own patient', () => {
    const a = splitByPatient([{ path: 'a', label: 'x' }, { path: 'b', label: 'x' }, { path: 'c', label: 'x' }], { fractions: { train: 1 / 3, val: 1 / 3, test: 1 / 3 }, seed: 0 });
    expect(new Set(a.map((r) => r.split))).toEqual(new Set(['train', 'val', 'test']));
  });

  it('refuses fractions that do not sum to 1', () => {
    expect(() => splitByPatient(synthetic(), { fractions: { train: 0.8, val: 0.15, test: 0.15 }, seed: 1 })).toThrow(SplitOptionsError);
    expect(() => splitByPatient(synthetic(), { fractions: { train: 0.8, val: 0.15, test: 0.15 }, seed: 1 })).toThrow(/sum to 1.1/);
  });
});

describe('validateSplit, splitReport', () => {
  it('refuses a patient on both sides, naming the patient', () => {
    const a: SplitAssignment[] = [
      { path: 'x/1.png', label: 'covid', patientId: '17', split: 'train' },
      { path: 'x/2.png', label: 'covid', patientId: '18', split: 'test' },
      { path: 'x/3.png', label: 'covid', patientId: '17', split: 'test' },
    ];
    expect(() => validateSplit(a)).toThrow(PatientLeakError);
    expect(() => validateSplit(a)).toThrow('Patient "17" appears in splits train and test (e.g. x/1.png in train, x/3.png in test)');
    expect(() => validateSplit(a.slice(0, 2))).not.toThrow();
  });

  it('counts images, patients, labels and sources per split (by hand)', () => {
    const a: SplitAssignment[] = [
      { path: '1', label: 'covid', patientId: 'A', source: 's1', split: 'train' },
      { path: '2', label: 'covid', patientId: 'A', source: 's1', split: 'train' },
      { path: '3', label: 'normal', patientId: 'B', source: 's2', split: 'train' },
      { path: '4', label: 'normal', patientId: 'C', split: 'test' },
    ];
    const r = splitReport(a);
    expect(r.splits.train).toEqual({ images: 3, patients: 2, byLabel: { covid: 2, normal: 1 }, bySource: { s1: 2, s2: 1 } });
    expect(r.splits.val).toEqual({ images: 0, patients: 0, byLabel: {}, bySource: {} });
    expect(r.splits.test).toEqual({ images: 1, patients: 1, byLabel: { normal: 1 }, bySource: { unknown: 1 } });
    expect(r.total.patients).toBe(3);
  });
});

describe('split.csv and manifest.csv files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cxr-split-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes split.csv with the documented columns and reads it back, quoting included', async () => {
    const a: SplitAssignment[] = [
      { path: 'images/a,b.png', label: 'covid', patientId: 'p "1"', source: 'covid-chestxray', split: 'train' },
      { path: 'images/c.png', label: 'normal', patientId: '2', source: 'nih', split: 'val' },
    ];
    const file = path.join(dir, 'split.csv');
    await writeSplitFile(file, a);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe('path,patientId,label,source,split\n"images/a,b.png","p ""1""",covid,covid-chestxray,train\nimages/c.png,2,normal,nih,val\n');
    expect(await readSplitFile(file)).toEqual(a);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // written through a renamed temporary file
    expect(readdirSync(dir)).toEqual(['split.csv']); // and no temporary file of any name is left
    // A failed write (the target is a folder) leaves the old state: no temporary file behind.
    await expect(writeSplitFile(dir, a)).rejects.toThrow();
    expect(readdirSync(path.dirname(dir)).filter((f) => f.startsWith(`.${path.basename(dir)}.`))).toEqual([]);
    // write-file-atomic names its temporary file `<target>.<number>`: none is left either.
    expect(readdirSync(path.dirname(dir)).filter((f) => f.startsWith(`${path.basename(dir)}.`))).toEqual([]);
  });

  it('does not write a leaking split, and refuses a bad split value when reading', async () => {
    const file = path.join(dir, 'leak.csv');
    await expect(
      writeSplitFile(file, [
        { path: 'a', label: 'x', patientId: '1', split: 'train' },
        { path: 'b', label: 'x', patientId: '1', split: 'val' },
      ]),
    ).rejects.toThrow(PatientLeakError);
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    writeFileSync(file, 'path,patientId,label,source,split\na,1,x,,holdout\n');
    await expect(readSplitFile(file)).rejects.toThrow(CsvFormatError);
    await expect(readSplitFile(file)).rejects.toThrow(/leak\.csv: row 2 \(a\): split "holdout"/);
    writeFileSync(file, 'path,patientId,label,source,split\na,7,x,,train\nb,7,x,,test\n');
    await expect(readSplitFile(file)).rejects.toThrow(PatientLeakError);
    await expect(readSplitFile(file)).rejects.toThrow(`Patient "7" appears in splits train and test (e.g. a in train, b in test, in ${file})`);
    expect(await readSplitFile(file, { validate: false })).toHaveLength(2);
  });
});

describeWithData('splitByPatient on the real covid-chestxray metadata', () => {
  it('splits its many-images-per-patient rows without any patient leak', () => {
    const text = readFileSync(path.join(SHARED_DATA, 'covid-chestxray/metadata.csv'), 'utf8');
    const rows = parseCsvRecords(text, 'metadata.csv').filter((r) => r.modality === 'X-ray' && (r.finding.includes('COVID-19') || r.finding === 'No Finding'));
    const records: ImageRecord[] = rows.map((r) => ({ path: r.filename, label: r.finding.includes('COVID-19') ? 'covid' : 'normal', patientId: r.patientid, source: 'covid-chestxray' }));
    const patients = new Set(records.map((r) => r.patientId));
    expect(patients.size).toBeLessThan(records.length * 0.8); // really several images per patient
    const a = splitByPatient(records, { fractions, seed: 42 });
    expect(() => validateSplit(a)).not.toThrow();
    for (const s of splitsPerPatient(a).values()) expect(s.size).toBe(1);
    const rep = splitReport(a);
    expect(rep.total.images).toBe(records.length);
    expect(rep.splits.train.images + rep.splits.val.images + rep.splits.test.images).toBe(records.length);
    expect(rep.splits.train.images / records.length).toBeGreaterThan(0.6);
    expect(rep.splits.test.byLabel.covid).toBeGreaterThan(0);
  });
});
