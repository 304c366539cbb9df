import sharp from 'sharp';
import { DicomDecodeError } from '../errors';
import { encapsulatedPixelData, imagePixelModule, makeDicom } from '../__fixtures__/dicom/makeDicom';
import { codestreamHeader } from './codestreamHeader';
import { decodeDicom } from './decodeDicom';

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** A 24x16 grey gradient with a bright square, as a baseline JPEG made by sharp (libvips/mozjpeg). */
async function smallJpeg(): Promise<{ jpeg: Uint8Array; width: number; height: number }> {
  const width = 24;
  const height = 16;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = x >= 8 && x < 16 && y >= 4 && y < 12 ? 240 : x * 8;
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer();
  return { jpeg: new Uint8Array(jpeg), width, height };
}

function wrap(jpeg: Uint8Array, rows: number, columns: number): Uint8Array {
  return makeDicom(imagePixelModule({ rows, columns, bitsAllocated: 8, bitsStored: 8 }), { transferSyntaxUid: JPEG_BASELINE }, encapsulatedPixelData([jpeg]));
}

describe('compressed frames', () => {
  it('decodes a JPEG baseline frame as another decoder (libvips) does', async () => {
    const { jpeg, width, height } = await smallJpeg();
    const image = await decodeDicom(wrap(jpeg, height, width), { window: 'none' });
    const reference = await sharp(Buffer.from(jpeg)).toColourspace('b-w').raw().toBuffer();
    expect(reference.length).toBe(width * height);
    let max = 0;
    for (let i = 0; i < reference.length; i++) max = Math.max(max, Math.abs(image.pixels[i] - reference[i]));
    expect(max).toBeLessThanOrEqual(1); // two IDCT implementations: at most one level apart
  });

  it('reads the frame size from the codestream header', async () => {
    const { jpeg } = await smallJpeg();
    expect(codestreamHeader(jpeg)).toMatchObject({ width: 24, height: 16, components: 1, precision: 8, marker: 0xc0 });
  });

  it('refuses a frame whose size disagrees with the DICOM header, before running the codec', async () => {
    const { jpeg } = await smallJpeg();
    await expect(decodeDicom(wrap(jpeg, 16, 16), { fileName: 'x.dcm' })).rejects.toThrow(
      'Cannot decode DICOM pixels of x.dcm: jpeg-baseline frame is 24x16 but the DICOM header says 16x16',
    );
  });

  it('refuses a huge frame from the header alone (a decompression bomb)', async () => {
    const { jpeg } = await smallJpeg();
    // Both the DICOM header and the JPEG frame header claim 60000 x 60000 (3.6 gigapixels) in a few hundred bytes.
    const bomb = jpeg.slice();
    const sof = bomb.findIndex((b, i) => b === 0xff && bomb[i + 1] === 0xc0);
    new DataView(bomb.buffer).setUint16(sof + 5, 60000);
    new DataView(bomb.buffer).setUint16(sof + 7, 60000);
    expect(codestreamHeader(bomb)).toMatchObject({ width: 60000, height: 60000 });
    const before = process.memoryUsage().arrayBuffers;
    await expect(decodeDicom(wrap(bomb, 60000, 60000), { fileName: 'bomb.dcm' })).rejects.toThrow(DicomDecodeError);
    await expect(decodeDicom(wrap(bomb, 60000, 60000), { fileName: 'bomb.dcm' })).rejects.toThrow(/exceeds the limit of 100000000 pixels/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('turns a codec failure into a DicomDecodeError naming the file', async () => {
    const { jpeg } = await smallJpeg();
    // Keep SOI and the frame header but cut the stream before its scan: no Huffman tables, no data.
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    const broken = jpeg.slice(0, sof + 2 + ((jpeg[sof + 2] << 8) | jpeg[sof + 3]));
    const error = await decodeDicom(wrap(broken, 16, 24), { fileName: 'broken.dcm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DicomDecodeError);
    expect((error as Error).message).toMatch(/^Cannot decode DICOM pixels of broken\.dcm: jpeg-baseline codec failed: /);
  });
});
