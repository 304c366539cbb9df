import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { csvMutant, refusalProblems } from '@cxr/testing';
import fc from 'fast-check';
import { DatasetError } from '../errors';
import { sharedDataDir } from './__fixtures__/sharedDataDir';
import { readCovidChestXray } from './readCovidChestXray';
import type { SourceIssue, SourceRecord } from './sourceRecord';

/*
 * Property: every seeded mutant of the real covid-chestxray metadata.csv (its first 60 records, quoted multi-line
 * notes included) either reads as records whose image paths stay inside the source folder (unsafe rows reported as
 * issues), or fails with a DatasetError naming the file and the cause on one line.
 */
describe('readCovidChestXray property: records inside the folder, or a typed refusal that says why', () => {
  let dir: string;
  let base: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cxr-csv-prop-'));
    const text = readFileSync(path.join(sharedDataDir, 'covid-chestxray', 'metadata.csv'), 'utf8');
    // The first 60 records: cut after the 60th record's line, found by reading the original.
    const whole = path.join(dir, 'whole.csv');
    writeFileSync(whole, text);
    let lastLine = 0;
    let n = 0;
    for await (const r of readCovidChestXray(dir, { metadataFile: whole })) if (++n <= 60) lastLine = r.row;
    const lines = text.split('\n');
    // Record 60 starts at lastLine; take lines up to the next record's start (multi-line notes end there).
    let end = lastLine;
    while (end < lines.length && !/^\d+,/.test(lines[end] ?? '')) end++;
    base = lines.slice(0, end).join('\n') + '\n';
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the unmutated base reads as 60 records', async () => {
    writeFileSync(path.join(dir, 'metadata.csv'), base);
    const records: SourceRecord[] = [];
    for await (const r of readCovidChestXray(dir)) records.push(r);
    expect(records).toHaveLength(60);
  });

  it('300 seeded mutants', async () => {
    const file = path.join(dir, 'metadata.csv');
    const outcomes = { read: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(csvMutant(base), async ({ value }) => {
        writeFileSync(file, value);
        const issues: SourceIssue[] = [];
        try {
          for await (const r of readCovidChestXray(dir, { onIssue: (i) => issues.push(i) })) {
            expect(r.imagePath.startsWith(dir + path.sep)).toBe(true);
          }
          for (const i of issues) expect(refusalProblems(i.message, file)).toEqual([]);
          outcomes.read++;
        } catch (error) {
          if (!(error instanceof DatasetError)) throw error;
          expect(refusalProblems(error.message, file)).toEqual([]);
          outcomes.refused++;
        }
      }),
      { seed: 0xc5f, numRuns: 300 },
    );
    expect(outcomes.read + outcomes.refused).toBe(300);
  });
});
