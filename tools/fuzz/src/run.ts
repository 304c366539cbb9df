/*
 * `npm run fuzz`: thousands of seeded mutants of the shared DICOM, PNG, JPEG and CSV files through the public decoders
 * and readers, as a prediction or a dataset build would call them, and one table of what came out. A case is a bug
 * when it throws something other than the package's typed errors, or refuses with a message that does not name the
 * file, gives no cause, spans lines, says "[object Object]" or says "not found" of a file that exists.
 * Exit code 1 when there is any bug. Options (environment): CXR_FUZZ_CASES (per format, default 1000), CXR_FUZZ_SEED.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { crc32 } from 'node:zlib';
import path from 'node:path';
import { checkJpegFrameSize, DatasetError, decodeDicom } from '@cxr/dataset';
import { readCovidChestXray } from '@cxr/dataset/node';
import { checkRadiographGeometry, decodeImage, PreprocessError, RADIOGRAPH_GEOMETRY } from '@cxr/preprocess/node';
import { byteMutant, csvMutant, refusalProblems, type Mutant } from '@cxr/testing';
import fc from 'fast-check';

const CASES = Number(process.env['CXR_FUZZ_CASES'] ?? 1000);
const SEED = Number(process.env['CXR_FUZZ_SEED'] ?? 20261206);
const DATA = process.env['CXR_SHARED_DATA'] ?? path.resolve(import.meta.dirname, '../../../../shared/data');

/** A decoder accepted a header whose size was damaged and decoded a picture of the wrong size: a bug. */
class DamagedSizeAccepted extends Error {}

interface Row {
  format: string;
  /** Size rows: decoded although the header's size was changed (the picture cannot be the real one). */
  damagedSizeAccepted: number;
  cases: number;
  accepted: number;
  refused: number;
  /** Refused by the chest radiograph geometry rule (a subset of refused). */
  geometry: number;
  untyped: number;
  badMessage: number;
  objectObject: number;
  notFound: number;
  seconds: number;
  examples: string[];
}

type Outcome = { ok: true } | { ok: false; error: unknown };

async function fuzz<T>(
  format: string,
  sources: Array<{ name: string; arbitrary: fc.Arbitrary<Mutant<T>>; share: number }>,
  file: (source: string) => string,
  run: (value: T, file: string) => Promise<void>,
  isTyped: (error: unknown) => boolean,
): Promise<Row> {
  const row: Row = { format, damagedSizeAccepted: 0, cases: 0, accepted: 0, refused: 0, geometry: 0, untyped: 0, badMessage: 0, objectObject: 0, notFound: 0, seconds: 0, examples: [] };
  const started = performance.now();
  for (const source of sources) {
    const n = Math.round(CASES * source.share);
    for (let i = 0; i < n; i++) {
      const [mutant] = fc.sample(source.arbitrary, { seed: SEED + i * 7919 + source.name.length, numRuns: 1 });
      const target = file(source.name);
      let outcome: Outcome;
      try {
        await run(mutant.value, target);
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error };
      }
      row.cases++;
      if (outcome.ok) {
        row.accepted++;
        continue;
      }
      const error = outcome.error;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof DamagedSizeAccepted) {
        row.damagedSizeAccepted++;
        if (row.examples.length < 5) row.examples.push(`${source.name} (${mutant.how}): decoded as ${error.message}`);
        continue;
      }
      const note = (what: string): void => {
        if (row.examples.length < 5) row.examples.push(`${source.name} (${mutant.how}): ${what}: ${message.slice(0, 200)}`);
      };
      if (!isTyped(error)) {
        row.untyped++;
        note('untyped');
        continue;
      }
      row.refused++;
      if ((error as Error).name === 'ImageGeometryError') row.geometry++;
      const problems = refusalProblems(message, target);
      if (message.includes('[object Object]')) row.objectObject++;
      if (problems.some((p) => p.includes('not found'))) row.notFound++;
      if (problems.length > 0) {
        row.badMessage++;
        note(problems.join(', '));
      }
    }
  }
  row.seconds = (performance.now() - started) / 1000;
  return row;
}

/** Sizes a damaged header may claim (the issue's 440x1 and 60000x1 among them). */
const SIZES = [0, 1, 2, 17, 63, 64, 100, 440, 1000, 1024, 2048, 60000, 65535];

/** Copies of a file with its declared width and height replaced (`write` puts them in the format's header). */
function sizeMutant(original: Uint8Array, write: (bytes: Uint8Array, width: number, height: number) => void): fc.Arbitrary<Mutant<Uint8Array>> {
  return fc.tuple(fc.constantFrom(...SIZES), fc.constantFrom(...SIZES)).map(([width, height]) => {
    const bytes = original.slice();
    write(bytes, width, height);
    return { value: bytes, how: `header size set to ${width}x${height}` };
  });
}

/** PNG: IHDR width and height (big endian), with the chunk's CRC recomputed so that only the size is wrong. */
function writePngSize(bytes: Uint8Array, width: number, height: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(bytes.subarray(12, 29)));
}

/** JPEG: the first SOF0..SOF2 marker's height and width (big endian). */
function writeJpegSize(bytes: Uint8Array, width: number, height: number): void {
  for (let i = 2; i + 9 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] >= 0xc0 && bytes[i + 1] <= 0xc2) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      view.setUint16(i + 5, height & 0xffff);
      view.setUint16(i + 7, width & 0xffff);
      return;
    }
  }
}

/** DICOM (little endian): Rows (0028,0010) and Columns (0028,0011), implicit or explicit VR. */
function writeDicomSize(bytes: Uint8Array, width: number, height: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 12 < bytes.length; i++) {
    if (view.getUint16(i, true) !== 0x0028) continue;
    const element = view.getUint16(i + 2, true);
    if (element !== 0x0010 && element !== 0x0011) continue;
    const explicit = bytes[i + 4] === 0x55 && bytes[i + 5] === 0x53; // "US"
    view.setUint16(i + 8, (element === 0x0010 ? height : width) & 0xffff, true);
    if (!explicit && view.getUint32(i + 4, true) !== 2) continue;
    if (element === 0x0011) return;
  }
}

/**
 * The other side of the size rows: every real JPEG of the shared covid-chestxray images must pass
 * `checkJpegFrameSize` (a refusal there is a false alarm, counted as a bug). Returns the line to print and the count.
 */
function realJpegs(): { line: string; refused: number } {
  const dir = path.join(DATA, 'covid-chestxray', 'images');
  let checked = 0;
  let megabytes = 0;
  const refused: string[] = [];
  const started = performance.now();
  for (const name of readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f))) {
    const bytes = new Uint8Array(readFileSync(path.join(dir, name)));
    if (bytes[0] !== 0xff || bytes[1] !== 0xd8) continue; // some .jpg there are PNGs
    checked++;
    megabytes += bytes.length / 1e6;
    try {
      checkJpegFrameSize(bytes, name);
    } catch (error) {
      refused.push((error as Error).message);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const line = `Real JPEGs (covid-chestxray/images): ${checked} checked (${megabytes.toFixed(0)} MB, ${seconds.toFixed(1)} s), ${refused.length} refused by checkJpegFrameSize${refused.length > 0 ? `: ${refused.slice(0, 3).join('; ')}` : ''}`;
  return { line, refused: refused.length };
}

async function main(): Promise<void> {
  const real = realJpegs();
  console.log(real.line);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cxr-fuzz-'));
  const rows: Row[] = [];
  try {
    const dicom = (name: string) => new Uint8Array(readFileSync(path.join(DATA, 'dicom', name)));
    rows.push(
      await fuzz(
        'DICOM',
        [
          { name: 'original/CR-MONO1-10-chest.dcm', arbitrary: byteMutant(dicom('original/CR-MONO1-10-chest.dcm'), { headerEnd: 1200 }), share: 0.5 },
          { name: 'original/siim_cr_pa_jpegbaseline_mono2.dcm', arbitrary: byteMutant(dicom('original/siim_cr_pa_jpegbaseline_mono2.dcm'), { headerEnd: 1200 }), share: 0.3 },
          {
            name: 'derived/nih_cxr14_nofinding_JPEGLOSSLESS_SV1.dcm',
            arbitrary: byteMutant(dicom('derived/nih_cxr14_nofinding_JPEGLOSSLESS_SV1.dcm'), { headerEnd: 1200 }),
            share: 0.2,
          },
        ],
        (name) => path.join(tmp, path.basename(name)),
        async (bytes, file) => {
          // As `cxr predict` reads a DICOM: decode, then the radiograph geometry rule.
          writeFileSync(file, bytes);
          const image = await decodeDicom(bytes, { fileName: file });
          checkRadiographGeometry(image.width, image.height, file);
        },
        (e) => e instanceof DatasetError || e instanceof PreprocessError,
      ),
    );
    for (const [format, name] of [
      ['PNG', 'covid-chestxray/images/ryct.2020003.fig2-a.png'],
      ['JPEG', 'covid-chestxray/images/kjr-21-e24-g001-l-a.jpg'],
    ] as const) {
      const bytes = new Uint8Array(readFileSync(path.join(DATA, name)));
      rows.push(
        await fuzz(
          format,
          [{ name, arbitrary: byteMutant(bytes, { headerEnd: 700 }), share: 1 }],
          (n) => path.join(tmp, path.basename(n)),
          async (value, file) => {
            writeFileSync(file, value);
            await decodeImage(file, { geometry: RADIOGRAPH_GEOMETRY });
          },
          (e) => e instanceof PreprocessError,
        ),
      );
    }
    // Header sizes damaged on purpose (valid CRCs): each must be refused, never decoded into a picture to classify.
    const image = (name: string) => new Uint8Array(readFileSync(path.join(DATA, name)));
    const sizeSources: Array<[string, Uint8Array, (b: Uint8Array, w: number, h: number) => void, string]> = [
      ['original/CR-MONO1-10-chest.dcm', dicom('original/CR-MONO1-10-chest.dcm'), writeDicomSize, '440x440'],
      ['covid-chestxray/images/ryct.2020003.fig2-a.png', image('covid-chestxray/images/ryct.2020003.fig2-a.png'), writePngSize, '157x156'],
      ['covid-chestxray/images/kjr-21-e24-g001-l-a.jpg', image('covid-chestxray/images/kjr-21-e24-g001-l-a.jpg'), writeJpegSize, '328x237'],
    ];
    for (const [name, bytes, write, originalSize] of sizeSources) {
      const isDicom = name.endsWith('.dcm');
      rows.push(
        await fuzz(
          `${isDicom ? 'DICOM' : name.endsWith('.png') ? 'PNG' : 'JPEG'} size`,
          [{ name, arbitrary: sizeMutant(bytes, write), share: 0.2 }],
          (n) => path.join(tmp, `size-${path.basename(n)}`),
          async (value, file) => {
            writeFileSync(file, value);
            let size: string;
            if (isDicom) {
              const image = await decodeDicom(value, { fileName: file });
              checkRadiographGeometry(image.width, image.height, file);
              size = `${image.width}x${image.height}`;
            } else {
              const { meta } = await decodeImage(file, { geometry: RADIOGRAPH_GEOMETRY });
              size = `${meta.width}x${meta.height}`;
            }
            if (size !== originalSize) throw new DamagedSizeAccepted(size);
          },
          (e) => e instanceof DatasetError || e instanceof PreprocessError,
        ),
      );
    }
    const csvDir = path.join(tmp, 'covid-chestxray');
    mkdirSync(csvDir);
    const csvText = readFileSync(path.join(DATA, 'covid-chestxray', 'metadata.csv'), 'utf8');
    // About the first 100 records: lines up to the last one that starts a record (a quoted note is never cut).
    const lines = csvText.split('\n').slice(0, 200);
    while (lines.length > 1 && !/^\d+,/.test(lines[lines.length - 1])) lines.pop();
    lines.pop();
    const head = lines.join('\n') + '\n';
    writeFileSync(path.join(csvDir, 'metadata.csv'), head);
    let baseRecords = 0;
    for await (const _ of readCovidChestXray(csvDir)) baseRecords++;
    console.log(`CSV base: the first ${baseRecords} records of covid-chestxray/metadata.csv`);
    rows.push(
      await fuzz(
        'CSV',
        [{ name: 'covid-chestxray/metadata.csv', arbitrary: csvMutant(head), share: 1 }],
        () => path.join(csvDir, 'metadata.csv'),
        async (text, file) => {
          writeFileSync(file, text);
          for await (const record of readCovidChestXray(csvDir, { onIssue: () => undefined })) {
            if (!record.imagePath.startsWith(csvDir + path.sep)) throw new Error(`record path outside the source: ${record.imagePath}`);
          }
        },
        (e) => e instanceof DatasetError,
      ),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const header = ['format', 'cases', 'accepted', 'refused', 'of which geometry', 'damaged size accepted', 'untyped', 'bad message', '[object Object]', '"not found"', 'seconds'];
  const table = rows.map((r) =>
    [r.format, r.cases, r.accepted, r.refused, r.geometry, r.damagedSizeAccepted, r.untyped, r.badMessage, r.objectObject, r.notFound, r.seconds.toFixed(1)].map(String),
  );
  const total = rows.reduce((s, r) => [s[0] + r.cases, s[1] + r.untyped + r.badMessage + r.damagedSizeAccepted], [0, real.refused]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  console.log(`cxr fuzz: seed ${SEED}, ${CASES} cases per format\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const t of table) console.log(line(t));
  for (const r of rows) for (const e of r.examples) console.log(`  ${r.format}: ${e}`);
  console.log(`\n${total[0]} cases, ${total[1]} bugs (untyped errors, damaged sizes accepted, refusals without file, cause or one line, real JPEGs refused)`);
  process.exitCode = total[1] > 0 ? 1 : 0;
}

await main();
