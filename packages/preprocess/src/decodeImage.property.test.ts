import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { byteMutant, refusalProblems } from '@cxr/testing';
import fc from 'fast-check';
import { describeWithData, SHARED_DATA } from './__fixtures__/sharedData';
import { decodeImage } from './decodeImage';
import { ImageDecodeError, ImageGeometryError, ImageTooLargeError } from './errors';
import { RADIOGRAPH_GEOMETRY } from './radiographGeometry';

/*
 * Property: every seeded mutant of a real PNG and JPEG chest X-ray, written to a file and decoded as at prediction
 * time (with the radiograph geometry check), gives either grey pixels of a plausible size or a typed error naming the
 * file with a cause on one line: never "not found" (the file exists), never an empty "corrupt header:".
 */
const FILES: Array<[string, number]> = [
  ['covid-chestxray/images/ryct.2020003.fig2-a.png', 200], // 8-bit grey PNG, 156 px
  ['covid-chestxray/images/kjr-21-e24-g001-l-a.jpg', 200], // baseline JPEG, 237 px
];

describeWithData('decodeImage property: plausible pixels, or a typed refusal that says why', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cxr-img-prop-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(FILES)('%s: %i seeded mutants', async (relative, numRuns) => {
    const original = new Uint8Array(readFileSync(path.join(SHARED_DATA, relative)));
    const file = path.join(dir, `mutant${path.extname(relative)}`);
    const outcomes = { decoded: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(byteMutant(original, { headerEnd: 700 }), async ({ value }) => {
        writeFileSync(file, value);
        try {
          const { pixels, meta } = await decodeImage(file, { geometry: RADIOGRAPH_GEOMETRY, limitInputPixels: 20_000_000 });
          expect(pixels.data).toHaveLength(pixels.width * pixels.height);
          expect(Math.min(meta.width, meta.height)).toBeGreaterThanOrEqual(RADIOGRAPH_GEOMETRY.minSide);
          outcomes.decoded++;
        } catch (error) {
          if (!(error instanceof ImageDecodeError || error instanceof ImageTooLargeError || error instanceof ImageGeometryError)) throw error;
          expect(refusalProblems(error.message, file)).toEqual([]);
          expect(error.message).not.toMatch(/header:\s*$|header: \(|failOn setting$/);
          outcomes.refused++;
        }
      }),
      { seed: 0x1a6e, numRuns },
    );
    expect(outcomes.decoded + outcomes.refused).toBe(numRuns);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
