import {
  DatasetError,
  DicomDecodeError,
  DicomParseError,
  MissingPixelDataError,
  UnsupportedTransferSyntaxError,
} from '../errors';
import {
  EXPLICIT_LE,
  IMPLICIT_LE,
  imagePixelModule,
  makeDicom,
  words16,
  type FixtureElement,
} from '../__fixtures__/dicom/makeDicom';
import { readFileSync } from 'node:fs';
import { sharedDicom } from '../__fixtures__/dicom/sharedDicom';
import { decodeDicom } from './decodeDicom';

const pixelData = (bytes: Uint8Array, vr = 'OW'): FixtureElement => ({ tag: [0x7fe0, 0x0010], vr, value: bytes });
const ds = (tag: [number, number], value: string): FixtureElement => ({ tag, vr: 'DS', value });
const cs = (tag: [number, number], value: string): FixtureElement => ({ tag, vr: 'CS', value });
const WINDOW_CENTER: [number, number] = [0x0028, 0x1050];
const WINDOW_WIDTH: [number, number] = [0x0028, 0x1051];
const RESCALE_INTERCEPT: [number, number] = [0x0028, 0x1052];
const RESCALE_SLOPE: [number, number] = [0x0028, 0x1053];
const VOI_LUT_FUNCTION: [number, number] = [0x0028, 0x1056];

/** 2x2 8-bit MONOCHROME2 image [0, 10, 20, 30] with extra 0028 elements (in tag order). */
function eightBit(extra: FixtureElement[] = [], photometricInterpretation: 'MONOCHROME1' | 'MONOCHROME2' = 'MONOCHROME2') {
  return makeDicom([
    ...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 8, bitsStored: 8, photometricInterpretation }),
    ...extra,
    pixelData(new Uint8Array([0, 10, 20, 30]), 'OB'),
  ]);
}

describe('decodeDicom: stored values', () => {
  it('masks Bits Stored and sign-extends 12-bit signed pixels (junk in the unused high bits)', async () => {
    // -2048, -1, 0, 2047 as 12-bit two's complement, with junk nibbles above High Bit 11.
    const stored = [0xf800, 0xafff, 0x5000, 0x07ff];
    const bytes = makeDicom([
      ...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1 }),
      pixelData(words16(stored)),
    ]);
    // Window c=0, w=256 LINEAR: borders -128 and 127; -1 -> ((-1+0.5)/255+0.5)*255 = 127, 0 -> 128.
    const image = await decodeDicom(bytes, { window: { center: 0, width: 256 } });
    expect([...image.pixels]).toEqual([0, 127, 128, 255]);
    expect(image.valueRange).toEqual({ min: -2048, max: 2047 });
  });

  it('refuses a High Bit other than Bits Stored - 1 (PS3.3 C.7.6.3), naming both fields', async () => {
    // 8 bits stored under High Bit 11: legal in old ACR-NEMA files, but more often a damaged field; not guessed.
    const bytes = makeDicom([
      ...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 8, highBit: 11 }),
      pixelData(words16([0, 100, 200, 255])),
    ]);
    await expect(decodeDicom(bytes, { fileName: 'shifted.dcm' })).rejects.toThrow(
      new DicomDecodeError('High Bit 11 is not Bits Stored 8 - 1', 'shifted.dcm'),
    );
    const low = makeDicom([...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 12, highBit: 7 }), pixelData(words16([0, 1, 2, 3]))]);
    await expect(decodeDicom(low, { fileName: 'low.dcm' })).rejects.toThrow('Cannot decode DICOM pixels of low.dcm: High Bit 7 is not Bits Stored 12 - 1');
  });
});

describe('decodeDicom: modality LUT', () => {
  it('applies Rescale Slope/Intercept before the window', async () => {
    // modality = 0.5 * stored - 3: [-3, 2, 7, 12]; window c=4.5 w=10: borders -0.5 and 8.5;
    // 2 -> ((2-4)/9+0.5)*255 = 70.8, 7 -> ((7-4)/9+0.5)*255 = 212.5.
    const bytes = eightBit([ds(WINDOW_CENTER, '4.5'), ds(WINDOW_WIDTH, '10'), ds(RESCALE_INTERCEPT, '-3'), ds(RESCALE_SLOPE, '0.5')]);
    const image = await decodeDicom(bytes);
    expect([...image.pixels]).toEqual([0, 70, 212, 255]);
    expect(image.modality).toEqual({ kind: 'rescale', slope: 0.5, intercept: -3 });
    expect(image.voi).toMatchObject({ kind: 'window', source: 'file', center: 4.5, width: 10, function: 'LINEAR' });
  });

  it.each([EXPLICIT_LE, IMPLICIT_LE])('uses a Modality LUT Sequence (clamping outside it) in preference to a rescale (%s)', async (transferSyntaxUid) => {
    const lut: FixtureElement[][] = [
      [
        { tag: [0x0028, 0x3002], vr: 'US', value: [3, 1, 16] }, // 3 entries, first maps value 1, 16 bits
        { tag: [0x0028, 0x3006], vr: 'US', value: [1000, 2000, 3000] },
      ],
    ];
    const bytes = makeDicom([
      ...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 8, bitsStored: 8 }),
      ds(RESCALE_SLOPE, '5'),
      { tag: [0x0028, 0x3000], vr: 'SQ', value: lut },
      pixelData(new Uint8Array([0, 1, 2, 3]), 'OB'),
    ], { transferSyntaxUid });
    // stored 0 is below the first entry -> 1000; min-max window over [1000, 3000]: 2000 -> 127.5 -> 127.
    const image = await decodeDicom(bytes);
    expect(image.modality).toEqual({ kind: 'lut' });
    expect(image.valueRange).toEqual({ min: 1000, max: 3000 });
    expect([...image.pixels]).toEqual([0, 0, 127, 255]);
  });
});

describe('decodeDicom: VOI LUT', () => {
  const windows = [ds(WINDOW_CENTER, '4.5\\100'), ds(WINDOW_WIDTH, '10\\50')];

  it('LINEAR_EXACT and SIGMOID from the file, and as an override', async () => {
    const exact = await decodeDicom(eightBit([ds(WINDOW_CENTER, '15'), ds(WINDOW_WIDTH, '20'), cs(VOI_LUT_FUNCTION, 'LINEAR_EXACT')]));
    // ((x - 15) / 20 + 0.5) * 255: 10 -> 63.75, 20 -> 191.25; 0 <= 5 -> 0; 30 > 25 -> 255
    expect([...exact.pixels]).toEqual([0, 63, 191, 255]);
    const sigmoid = await decodeDicom(eightBit([ds(WINDOW_CENTER, '15'), ds(WINDOW_WIDTH, '20')]), { voiLutFunction: 'SIGMOID' });
    // 255 / (1 + exp(-4 (x - 15) / 20)): 0 -> 255/(1+e^3) = 12.09, 10 -> 255/(1+e) = 68.58,
    // 20 -> 255/(1+e^-1) = 186.42, 30 -> 255/(1+e^-3) = 242.91
    expect([...sigmoid.pixels]).toEqual([12, 68, 186, 242]);
  });

  it('takes the first of several windows by default and another on request', async () => {
    // window 0: c=4.5 w=10 over the raw values 0..30: 0 -> ((0-4)/9+.5)*255 = 14.17; the rest above 8.5 -> 255
    expect([...(await decodeDicom(eightBit(windows))).pixels]).toEqual([14, 255, 255, 255]);
    // window 1: c=100 w=50: everything <= 100 - 0.5 - 24.5 = 75 -> 0
    expect([...(await decodeDicom(eightBit(windows), { windowIndex: 1 })).pixels]).toEqual([0, 0, 0, 0]);
    await expect(decodeDicom(eightBit(windows), { windowIndex: 2, fileName: 'w.dcm' })).rejects.toThrow(
      /window index 2 is out of range: the file has 2 window\(s\)/,
    );
  });

  it('falls back to the min-max window when the file has none, and honours auto / none / explicit windows', async () => {
    // min 0, max 30: x * 255 / 30 -> 0, 85, 170, 255
    expect([...(await decodeDicom(eightBit())).pixels]).toEqual([0, 85, 170, 255]);
    expect([...(await decodeDicom(eightBit(windows), { window: 'auto' })).pixels]).toEqual([0, 85, 170, 255]);
    expect([...(await decodeDicom(eightBit(windows), { window: 'none' })).pixels]).toEqual([0, 10, 20, 30]);
    // c=15.5 w=11: borders 10 and 20; 20 -> ((20 - 15) / 10 + 0.5) * 255 = 255
    expect([...(await decodeDicom(eightBit(), { window: { center: 15.5, width: 11 } })).pixels]).toEqual([0, 0, 255, 255]);
  });

  it('uses a VOI LUT Sequence when the file has no window, scaled to the output bits', async () => {
    const lut: FixtureElement[][] = [
      [
        { tag: [0x0028, 0x3002], vr: 'US', value: [4, 0, 8] },
        { tag: [0x0028, 0x3006], vr: 'US', value: [0, 255, 51, 102] },
      ],
    ];
    const bytes = makeDicom([
      ...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 8, bitsStored: 8 }),
      { tag: [0x0028, 0x3010], vr: 'SQ', value: lut },
      pixelData(new Uint8Array([0, 1, 2, 3]), 'OB'),
    ]);
    const eight = await decodeDicom(bytes);
    expect(eight.voi).toEqual({ kind: 'lut' });
    expect([...eight.pixels]).toEqual([0, 255, 51, 102]);
    const sixteen = await decodeDicom(bytes, { outputBits: 16 });
    expect(sixteen.pixels).toBeInstanceOf(Uint16Array);
    expect([...sixteen.pixels]).toEqual([0, 65535, 13107, 26214]); // x 65535/255 = 257
  });

  it('writes 16-bit output on request', async () => {
    const image = await decodeDicom(eightBit(), { outputBits: 16 });
    expect(image.bitsPerSample).toBe(16);
    // min-max over 0..30: x * 65535 / 30 -> 21845, 43690
    expect([...image.pixels]).toEqual([0, 21845, 43690, 65535]);
  });
});

describe('decodeDicom: file layouts', () => {
  const elements = [
    { tag: [0x0008, 0x0060], vr: 'CS', value: 'CR' } as FixtureElement,
    ...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 8, bitsStored: 8 }),
    pixelData(new Uint8Array([0, 10, 20, 30]), 'OB'),
  ];

  it.each([
    ['Part 10, explicit VR', { transferSyntaxUid: EXPLICIT_LE }],
    ['Part 10, implicit VR', { transferSyntaxUid: IMPLICIT_LE }],
    ['"DICM" without the preamble', { noPreamble: true }],
    ['raw data set, implicit VR', { raw: true, transferSyntaxUid: IMPLICIT_LE }],
    ['raw data set, explicit VR', { raw: true, transferSyntaxUid: EXPLICIT_LE }],
  ])('reads %s', async (_name, options) => {
    const image = await decodeDicom(makeDicom(elements, options));
    expect([...image.pixels]).toEqual([0, 85, 170, 255]);
    expect(image.header.modality).toBe('CR');
  });
});

describe('decodeDicom: typed errors name the file and the problem', () => {
  const image = [...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 8, bitsStored: 8 }), pixelData(new Uint8Array(4), 'OB')];

  it.each([
    ['1.2.840.10008.1.2.2', 'Explicit VR Big Endian'],
    ['1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian'],
    ['1.2.840.10008.1.2.5', 'RLE Lossless'],
    ['1.2.3.4', 'unknown transfer syntax'],
  ])('refuses transfer syntax %s', async (uid, name) => {
    const error = await decodeDicom(makeDicom(image, { transferSyntaxUid: uid }), { fileName: 'scans/a.dcm' }).catch((e) => e);
    expect(error).toBeInstanceOf(UnsupportedTransferSyntaxError);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toBe(`Unsupported transfer syntax ${uid} (${name}) in scans/a.dcm`);
    expect(error.transferSyntaxUid).toBe(uid);
  });

  it('refuses a file without pixel data', async () => {
    const bytes = makeDicom(imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 8, bitsStored: 8 }));
    await expect(decodeDicom(bytes, { fileName: 'sr.dcm' })).rejects.toThrow(MissingPixelDataError);
    await expect(decodeDicom(bytes, { fileName: 'sr.dcm' })).rejects.toThrow('No pixel data in sr.dcm');
  });

  it('refuses bytes that are not DICOM', async () => {
    const bytes = new TextEncoder().encode('PatientID,Finding\n1,COVID-19\n'.repeat(10));
    await expect(decodeDicom(bytes, { fileName: 'meta.csv' })).rejects.toThrow(DicomParseError);
    await expect(decodeDicom(bytes, { fileName: 'meta.csv' })).rejects.toThrow(/^Cannot parse DICOM meta\.csv: not a DICOM file/);
  });

  it('refuses an image over the pixel limit before allocating it', async () => {
    // 65535 x 65535 (4.3 gigapixels) declared over 4 bytes of pixel data: refused from the header alone.
    const bomb = makeDicom([...imagePixelModule({ rows: 65535, columns: 65535, bitsAllocated: 16, bitsStored: 16 }), pixelData(new Uint8Array(4))]);
    const before = process.memoryUsage().arrayBuffers;
    await expect(decodeDicom(bomb, { fileName: 'bomb.dcm' })).rejects.toThrow(/65535x65535 image exceeds the limit of 100000000 pixels/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    await expect(decodeDicom(eightBit(), { maxPixels: 3 })).rejects.toThrow(DicomDecodeError);
  });

  it('refuses pixel data shorter or longer than Rows x Columns x bytes, one padding byte aside', async () => {
    const sized = (n: number, rows = 2, columns = 2) =>
      makeDicom([...imagePixelModule({ rows, columns, bitsAllocated: 16, bitsStored: 16 }), pixelData(new Uint8Array(n))]);
    await expect(decodeDicom(sized(6), { fileName: 'short.dcm' })).rejects.toThrow(
      'Cannot decode DICOM pixels of short.dcm: Pixel Data (7FE0,0010) has 6 bytes, but Rows 2 x Columns 2 x 2 byte(s) needs 8',
    );
    await expect(decodeDicom(sized(12), { fileName: 'long.dcm' })).rejects.toThrow(
      'Cannot decode DICOM pixels of long.dcm: Pixel Data (7FE0,0010) has 12 bytes, but Rows 2 x Columns 2 x 2 byte(s) needs 8',
    );
    // Rows damaged from 2 to 1: the data is now twice as long as the header says.
    await expect(decodeDicom(sized(8, 1, 2), { fileName: 'rows.dcm' })).rejects.toThrow(/has 8 bytes, but Rows 1 x Columns 2 x 2 byte\(s\) needs 4/);
    await expect(decodeDicom(sized(8))).resolves.toMatchObject({ width: 2, height: 2 });
    // 3x3 8-bit = 9 bytes, stored with one padding byte to an even 10: accepted.
    const odd = makeDicom([...imagePixelModule({ rows: 3, columns: 3, bitsAllocated: 8, bitsStored: 8 }), pixelData(new Uint8Array(9), 'OB')]);
    await expect(decodeDicom(odd)).resolves.toMatchObject({ width: 3, height: 3 });
  });

  it('refuses colour images and odd bit depths', async () => {
    const rgb = makeDicom([...imagePixelModule({ rows: 1, columns: 1, bitsAllocated: 8, bitsStored: 8, samplesPerPixel: 3, photometricInterpretation: 'RGB' }), pixelData(new Uint8Array(4), 'OB')]);
    await expect(decodeDicom(rgb, { fileName: 'rgb.dcm' })).rejects.toThrow(/photometric interpretation RGB is not MONOCHROME1 or MONOCHROME2/);
    const twelve = makeDicom([...imagePixelModule({ rows: 1, columns: 1, bitsAllocated: 16, bitsStored: 17 }), pixelData(new Uint8Array(2))]);
    await expect(decodeDicom(twelve)).rejects.toThrow(/Bits Stored 17 with Bits Allocated 16/);
  });

  it('refuses an invalid window given as an option', async () => {
    await expect(decodeDicom(eightBit(), { window: { center: 10, width: 0 } })).rejects.toThrow(/not valid for LINEAR/);
  });
});

describe('decodeDicom: a damaged real chest (CR-MONO1-10-chest, 440x440, 16/10 bits)', () => {
  const original = () => new Uint8Array(readFileSync(sharedDicom('original/CR-MONO1-10-chest.dcm')));
  // Implicit VR LE: (0028,0010) Rows at byte 636 and (0028,0101) Bits Stored further on; values follow the 8-byte tag+length.
  const setUs = (bytes: Uint8Array, group: number, element: number, value: number) => {
    const tag = [group & 0xff, group >> 8, element & 0xff, element >> 8, 2, 0, 0, 0];
    for (let i = 0; i + 10 <= bytes.length; i++) {
      if (tag.every((b, k) => bytes[i + k] === b)) {
        bytes[i + 8] = value & 0xff;
        bytes[i + 9] = value >> 8;
        return bytes;
      }
    }
    throw new Error('tag not found');
  };

  it('decodes as is', async () => {
    await expect(decodeDicom(original())).resolves.toMatchObject({ width: 440, height: 440 });
  });

  it('refuses Rows changed from 440 to 1 (the pixel data is 440 times too long)', async () => {
    const bytes = setUs(original(), 0x0028, 0x0010, 1);
    await expect(decodeDicom(bytes, { fileName: 'rows1.dcm' })).rejects.toThrow(
      'Cannot decode DICOM pixels of rows1.dcm: Pixel Data (7FE0,0010) has 387200 bytes, but Rows 1 x Columns 440 x 2 byte(s) needs 880',
    );
  });

  it('refuses Bits Stored 8 under High Bit 9', async () => {
    const bytes = setUs(original(), 0x0028, 0x0101, 8);
    await expect(decodeDicom(bytes, { fileName: 'bits.dcm' })).rejects.toThrow('High Bit 9 is not Bits Stored 8 - 1');
  });
});
