import { readFileSync } from 'node:fs';
import { byteMutant, refusalProblems } from '@cxr/testing';
import fc from 'fast-check';
import { DatasetError } from '../errors';
import { sharedDicom } from '../__fixtures__/dicom/sharedDicom';
import { decodeDicom } from './decodeDicom';
import { readDicomHeader } from './readDicomHeader';

/*
 * Property: every seeded mutant of a real DICOM file, through readDicomHeader and decodeDicom, gives either a
 * consistent image or a DatasetError whose message names the file and says why on one line (never "[object
 * Object]"). decodeDicomFuzz.test.ts covers more files and memory; this is the fast-check, shrinking form.
 */
const FILES: Array<[string, number]> = [
  ['original/CR-MONO1-10-chest.dcm', 250], // raw Implicit VR LE data set, 16/10 bits
  ['original/siim_cr_pa_jpegbaseline_mono2.dcm', 150], // Part 10, JPEG baseline
];

describe('decodeDicom property: valid image or a typed refusal that says why', () => {
  it.each(FILES)('%s: %i seeded mutants', async (relative, numRuns) => {
    const original = new Uint8Array(readFileSync(sharedDicom(relative)));
    const file = `mutant-of-${relative.split('/').pop()}`;
    const outcomes = { decoded: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(byteMutant(original, { headerEnd: 1200 }), async ({ value }) => {
        try {
          readDicomHeader(value, { fileName: file });
        } catch (error) {
          if (!(error instanceof DatasetError)) throw error;
          expect(refusalProblems(error.message, file)).toEqual([]);
        }
        try {
          const image = await decodeDicom(value, { fileName: file });
          expect(image.width).toBeGreaterThan(0);
          expect(image.pixels).toHaveLength(image.width * image.height);
          outcomes.decoded++;
        } catch (error) {
          if (!(error instanceof DatasetError)) throw error;
          expect(refusalProblems(error.message, file)).toEqual([]);
          outcomes.refused++;
        }
      }),
      { seed: 0x5eed, numRuns },
    );
    expect(outcomes.decoded + outcomes.refused).toBe(numRuns);
    expect(outcomes.refused).toBeGreaterThan(0); // the mutants do break things
  });
});
