import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { JpegFrameSizeError } from '@cxr/dataset';
import { decodeImageFile } from './decodeImageFile';
import { InputFileError } from './errors';

// The codecs' wasm URLs come from Vite (`?url` imports); DICOM is not decoded here.
jest.mock('./codecWasmUrls', () => ({ locateCodecWasm: (name: string) => name }));

const SHARED = process.env.CXR_SHARED_DATA ?? path.resolve(__dirname, '../../../../shared/data');

describe('decodeImageFile and a JPEG header shrunk below its data', () => {
  const decoder = jest.fn();
  beforeAll(() => {
    // No browser decoder in Node: a stand-in that refuses, so a file that reaches it is seen to have passed the checks.
    (globalThis as { createImageBitmap?: unknown }).createImageBitmap = decoder.mockRejectedValue(new Error('no decoder in Node'));
  });
  afterAll(() => {
    delete (globalThis as { createImageBitmap?: unknown }).createImageBitmap;
  });

  it('refuses the 64x64 mutant of a real 328x237 JPEG before the browser decodes it; the original reaches the decoder', async () => {
    const bytes = new Uint8Array(await readFile(path.join(SHARED, 'covid-chestxray/images/kjr-21-e24-g001-l-a.jpg')));
    const sof = bytes.indexOf(0xc0, 2) - 1; // no EXIF thumbnail in this file: the first FFC0 is its frame header
    const mutant = bytes.slice();
    new DataView(mutant.buffer).setUint32(sof + 5, (64 << 16) | 64);
    const err = await decodeImageFile(new Blob([mutant]), 'kjr.jpg').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JpegFrameSizeError);
    expect((err as Error).message).toMatch(/^Image kjr\.jpg: its JPEG header's size 64x64 is smaller than its image data/);
    expect(decoder).not.toHaveBeenCalled();
    await expect(decodeImageFile(new Blob([bytes]), 'kjr.jpg')).rejects.toThrow(InputFileError);
    expect(decoder).toHaveBeenCalledTimes(1);
  });
});
