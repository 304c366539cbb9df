import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatasetError, UnsupportedTransferSyntaxError } from '../errors';
import { onPath, sharedDicom } from '../__fixtures__/dicom/sharedDicom';
import { decodeDicom, type DecodeDicomOptions, type DicomImage } from './decodeDicom';

/*
 * Every shared DICOM file is decoded here and by dcmtk (dcm2pnm for native pixels, dcmj2pnm for JPEG and
 * JPEG lossless, dcml2pnm for JPEG-LS; dcmtk 3.6.7) with the same VOI choice, into 8-bit PGM in a temp dir.
 *
 * Measured on 2026-11-26 (dcmtk 3.6.7, Debian 12): every file matches dcmtk exactly (max |diff| 0), lossy
 * JPEG baseline included (libjpeg-turbo and dcmtk's IJG code agree on these files), except
 * CR-MONO1-10-chest with its file window (+Wi 1): 776 of 193,600 pixels differ by 1. They are the stored
 * values 379 and 720, whose output is a whole number in exact arithmetic (e.g. 720 -> 85): dcmtk's double
 * arithmetic lands just below it and truncates to 84. Bounds: lossless paths max |diff| <= 1 with at most
 * 1% of pixels off; lossy JPEG max <= 2, mean <= 0.05 (room for another IDCT).
 */

interface Pgm {
  width: number;
  height: number;
  data: Uint8Array;
}

function readPgm(file: string): Pgm {
  const bytes = readFileSync(file);
  const fields: string[] = [];
  let at = 0;
  const space = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
  while (fields.length < 4) {
    while (space(bytes[at])) at++;
    if (bytes[at] === 0x23) {
      while (bytes[at] !== 0x0a) at++; // comment
      continue;
    }
    let field = '';
    while (!space(bytes[at])) field += String.fromCharCode(bytes[at++]);
    fields.push(field);
  }
  if (fields[0] !== 'P5' || fields[3] !== '255') throw new Error(`${file} is not an 8-bit binary PGM`);
  return { width: Number(fields[1]), height: Number(fields[2]), data: bytes.subarray(at + 1) };
}

interface Diff {
  max: number;
  mean: number;
  differing: number;
}

function diff(a: ArrayLike<number>, b: ArrayLike<number>): Diff {
  let max = 0;
  let sum = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    sum += d;
    if (d > 0) differing++;
  }
  return { max, mean: sum / a.length, differing };
}

const haveDcmtk = onPath('dcm2pnm') && onPath('dcmj2pnm') && onPath('dcml2pnm');
if (!haveDcmtk) {
  if (process.env['CI']) throw new Error('dcmtk (dcm2pnm, dcmj2pnm, dcml2pnm) must be installed on CI: apt-get install dcmtk');
  console.warn('dcmtkParity.test.ts skipped: dcmtk is not installed (apt-get install dcmtk); CI runs it.');
}

(haveDcmtk ? describe : describe.skip)('decodeDicom matches dcmtk on the shared DICOM files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cxr-dcmtk-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function both(relative: string, dcmtkArgs: string[], options: DecodeDicomOptions = {}): Promise<{ ours: DicomImage; dcmtk: Pgm }> {
    const file = sharedDicom(relative);
    const ours = await decodeDicom(new Uint8Array(readFileSync(file)), { ...options, fileName: relative });
    const uid = ours.header.transferSyntaxUid;
    const tool = uid.startsWith('1.2.840.10008.1.2.4.8') ? 'dcml2pnm' : uid.startsWith('1.2.840.10008.1.2.4.') ? 'dcmj2pnm' : 'dcm2pnm';
    const out = path.join(dir, `${path.basename(relative)}.${dcmtkArgs.join('')}.pgm`);
    execFileSync(tool, [...dcmtkArgs, '+op', file, out], { stdio: 'pipe' });
    const dcmtk = readPgm(out);
    expect([dcmtk.width, dcmtk.height]).toEqual([ours.width, ours.height]);
    return { ours, dcmtk };
  }

  // [file, dcmtk VOI option, our VOI as applied by default]
  it.each([
    ['original/nih_cxr14_nofinding_dx_uncompressed.dcm', ['+Wm'], 'min-max'],
    ['original/nih_cxr14_00000001_000_cardiomegaly_dx_uncompressed.dcm', ['+Wm'], 'min-max'],
    ['derived/siim_cr_pa_mono2_DECOMPRESSED_explicitLE.dcm', ['+Wm'], 'min-max'],
    ['derived/WG04_RG1_from_JLSN_DECOMPRESSED_explicitLE.dcm', ['+Wi', '1'], 'file'],
    ['derived/nih_cxr14_nofinding_JPEGLOSSLESS_SV1.dcm', ['+Wm'], 'min-max'],
    ['original/WG04_RG1_JLSN_cr_chest_pa_mono1.dcm', ['+Wi', '1'], 'file'],
  ])('lossless path %s (dcmtk %j) is identical', async (relative, args, source) => {
    const { ours, dcmtk } = await both(relative, args);
    expect(ours.voi).toMatchObject({ kind: 'window', source });
    expect(diff(ours.pixels, dcmtk.data)).toEqual({ max: 0, mean: 0, differing: 0 });
  });

  it('CR-MONO1-10-chest (raw data set, 16/10 bits, MONOCHROME1, file window) within 1 level', async () => {
    const { ours, dcmtk } = await both('original/CR-MONO1-10-chest.dcm', ['-f', '+Wi', '1']);
    const d = diff(ours.pixels, dcmtk.data);
    expect(d.max).toBeLessThanOrEqual(1);
    expect(d.differing).toBeLessThanOrEqual(0.01 * ours.pixels.length);
    // With the min-max window there is no exact-integer tie, and the outputs are identical.
    const minMax = await both('original/CR-MONO1-10-chest.dcm', ['-f', '+Wm'], { window: 'auto' });
    expect(diff(minMax.ours.pixels, minMax.dcmtk.data).max).toBe(0);
  });

  it.each([
    ['original/siim_cr_pa_jpegbaseline_mono2.dcm', ['+Wm']],
    ['original/orthanc_Issue44_Monochrome1-Jpeg_cr_chest.dcm', ['+Wi', '1']],
  ])('lossy JPEG baseline %s (dcmtk %j) within the IDCT bound', async (relative, args) => {
    const { ours, dcmtk } = await both(relative, args);
    const d = diff(ours.pixels, dcmtk.data);
    expect(d.max).toBeLessThanOrEqual(2);
    expect(d.mean).toBeLessThanOrEqual(0.05);
  });

  it('the Modality LUT Sequence of the fo-dicom file (a non-linear 1024-entry curve) is applied as dcmtk does', async () => {
    // dcmtk warns "redundant values for RescaleSlope/Intercept ... using modality LUT transformation"; ignoring the
    // LUT (dcmj2pnm -M) changes its output by up to 28 levels (mean 4.6), so this does test the LUT.
    const { ours, dcmtk } = await both('original/fo-dicom_CR-ModalitySequenceLUT_teeth_jpegll_mono1.dcm', ['+Wm']);
    expect(ours.modality).toEqual({ kind: 'lut' });
    expect(diff(ours.pixels, dcmtk.data).max).toBe(0);
  });

  it('SIGMOID with an explicit window (dcmtk +Ww 128 100 +Wfs) is identical', async () => {
    const { ours, dcmtk } = await both('original/nih_cxr14_nofinding_dx_uncompressed.dcm', ['+Ww', '128', '100', '+Wfs'], {
      window: { center: 128, width: 100 },
      voiLutFunction: 'SIGMOID',
    });
    expect(diff(ours.pixels, dcmtk.data)).toEqual({ max: 0, mean: 0, differing: 0 });
  });

  it('no VOI (dcmtk -W) keeps 8-bit pixels as stored', async () => {
    const { ours, dcmtk } = await both('original/nih_cxr14_nofinding_dx_uncompressed.dcm', ['-W'], { window: 'none' });
    expect(ours.voi).toMatchObject({ kind: 'none' });
    expect(diff(ours.pixels, dcmtk.data).max).toBe(0);
  });

  it('FAKE_mono1: MONOCHROME1 is applied as declared, the inverse of the MONOCHROME2 original', async () => {
    const fake = await both('original/siim_cr_pa_jpegbaseline_FAKE_mono1.dcm', ['+Wm']);
    expect(diff(fake.ours.pixels, fake.dcmtk.data).max).toBe(0);
    const read = (relative: string, options: DecodeDicomOptions) =>
      decodeDicom(new Uint8Array(readFileSync(sharedDicom(relative))), options);
    // Without a window the stored 8-bit values pass unchanged, so the inversion is exactly 255 - x.
    const mono1 = await read('original/siim_cr_pa_jpegbaseline_FAKE_mono1.dcm', { window: 'none' });
    const mono2 = await read('original/siim_cr_pa_jpegbaseline_mono2.dcm', { window: 'none' });
    expect(diff(mono1.pixels, mono2.pixels.map((v) => 255 - v)).max).toBe(0);
    // With the min-max window the inversion happens before truncation (as in dcmtk): within one level.
    const mono1Auto = await read('original/siim_cr_pa_jpegbaseline_FAKE_mono1.dcm', {});
    const mono2Auto = await read('original/siim_cr_pa_jpegbaseline_mono2.dcm', {});
    expect(diff(mono1Auto.pixels, mono2Auto.pixels.map((v) => 255 - v)).max).toBeLessThanOrEqual(1);
  });

  it('JPEG 2000 (which dcmtk cannot decode) agrees with the JPEG-LS encoding of the same RG1 chest', async () => {
    // Both are lossy encodings of one image; measured: max 4, mean 0.43, 98.5% of pixels within 1 level.
    const j2k = await decodeDicom(new Uint8Array(readFileSync(sharedDicom('original/WG04_RG1_J2KI_cr_chest_pa_mono1.dcm'))));
    const { dcmtk } = await both('original/WG04_RG1_JLSN_cr_chest_pa_mono1.dcm', ['+Wi', '1']);
    expect([j2k.width, j2k.height]).toEqual([dcmtk.width, dcmtk.height]);
    const d = diff(j2k.pixels, dcmtk.data);
    expect(d.max).toBeLessThanOrEqual(6);
    expect(d.mean).toBeLessThanOrEqual(0.6);
    let withinOne = 0;
    for (let i = 0; i < j2k.pixels.length; i++) if (Math.abs(j2k.pixels[i] - dcmtk.data[i]) <= 1) withinOne++;
    expect(withinOne / j2k.pixels.length).toBeGreaterThan(0.97);
  });
});

describe('every shared DICOM file converts or fails with a typed error', () => {
  it.each([
    'original/nih_cxr14_nofinding_dx_uncompressed.dcm',
    'original/nih_cxr14_00000001_000_cardiomegaly_dx_uncompressed.dcm',
    'original/siim_cr_pa_jpegbaseline_mono2.dcm',
    'original/siim_cr_pa_jpegbaseline_FAKE_mono1.dcm',
    'original/CR-MONO1-10-chest.dcm',
    'original/orthanc_Issue44_Monochrome1-Jpeg_cr_chest.dcm',
    'original/WG04_RG1_J2KI_cr_chest_pa_mono1.dcm',
    'original/WG04_RG1_JLSN_cr_chest_pa_mono1.dcm',
    'original/fo-dicom_CR-ModalitySequenceLUT_teeth_jpegll_mono1.dcm',
    'derived/siim_cr_pa_mono2_DECOMPRESSED_explicitLE.dcm',
    'derived/WG04_RG1_from_JLSN_DECOMPRESSED_explicitLE.dcm',
    'derived/nih_cxr14_nofinding_JPEGLOSSLESS_SV1.dcm',
  ])('%s decodes to its declared size', async (relative) => {
    const bytes = new Uint8Array(readFileSync(sharedDicom(relative)));
    const result = await decodeDicom(bytes, { fileName: relative }).catch((e: unknown) => e);
    if (result instanceof DatasetError) {
      // None is expected to fail today; if a codec regresses, it must still be a typed error.
      expect(result).toBeInstanceOf(UnsupportedTransferSyntaxError);
      return;
    }
    const image = result as DicomImage;
    expect(image.pixels.length).toBe(image.width * image.height);
    expect([image.height, image.width]).toEqual([image.header.rows, image.header.columns]);
  });
});
