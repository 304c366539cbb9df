import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import writeFileAtomic from 'write-file-atomic';
import { encodeDicomPng, readDicomFile } from '../dicom/convertDicomToPng';
import { decodeDicom } from '../dicom/decodeDicom';
import { DatasetError, ImageConversionError, JpegFrameSizeError } from '../errors';
import { checkJpegFrameSize } from '../image/checkJpegFrameSize';
import { describeSharpError } from '../image/describeSharpError';

/** Default bound on an input image's pixels (width x height): 50 megapixels, ~7000 x 7000. */
export const DEFAULT_MAX_INPUT_PIXELS = 50_000_000;

/**
 * zlib level of the PNGs written (libvips' default is 6). Measured on the shared NIH 1024x1024 images: level 3
 * encodes in about half the time of 6 for files 1.3% larger; the encoder is most of a build's CPU time.
 */
export const PNG_COMPRESSION_LEVEL = 3;

/** Options of {@link convertImageToPng}. */
export interface ConvertImageOptions {
  /** Refuse inputs with more pixels than this (sharp `limitInputPixels`; DICOM `maxPixels`). */
  maxPixels?: number;
  /** Flush the PNG to disk before the rename (default true); write-file-atomic's `fsync`. */
  fsync?: boolean;
}

/** What {@link convertImageToPng} wrote. */
export interface ConvertedImage {
  width: number;
  height: number;
  /** SHA-256 (hex) of the PNG written. */
  sha256: string;
  bytes: number;
}

async function isDicom(file: string): Promise<boolean> {
  if (path.extname(file).toLowerCase() === '.dcm') return true;
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(132);
    const { bytesRead } = await handle.read(buf, 0, 132, 0);
    return bytesRead === 132 && buf.toString('latin1', 128, 132) === 'DICM';
  } finally {
    await handle.close();
  }
}

/**
 * Converts an image (PNG, JPEG, TIFF, WebP, or DICOM) to an 8-bit single-channel grey PNG at its original size, and
 * writes it atomically. RGB is converted to luminance, alpha dropped, 16-bit scaled to 8 bits, EXIF orientation
 * applied. DICOM goes through `decodeDicom` and `encodeDicomPng` (Modality LUT, VOI window, MONOCHROME1 inversion):
 * the same bytes as `convertDicomToPng` with `outputBits: 8`.
 *
 * @throws {ImageConversionError} (or a DICOM error, all `DatasetError`s) when the input is unreadable, corrupt, a
 *   JPEG whose header declares a smaller size than its data (`checkJpegFrameSize`) or larger than `maxPixels`; sharp's
 *   message is put in words (`describeSharpError`). Errors writing the output are not wrapped: they are not the input's fault.
 */
export async function convertImageToPng(input: string, output: string, options: ConvertImageOptions = {}): Promise<ConvertedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  let png: Buffer;
  let width: number;
  let height: number;
  try {
    if (await isDicom(input)) {
      // convertDicomToPng's steps, kept apart so that the PNG is hashed and written by this build's atomic writer.
      const image = await decodeDicom(await readDicomFile(input), { fileName: input, maxPixels, outputBits: 8 });
      width = image.width;
      height = image.height;
      png = await encodeDicomPng(image);
    } else {
      // Read once: the JPEG frame check needs the bytes (libjpeg drops data past a shrunk header's size silently).
      const bytes = await readFile(input);
      // The conversion starts first: libvips decodes in its own threads while the check walks the same bytes on this
      // one (0.9-1.5 s of CPU over the shared data's JPEGs), so the check no longer delays each conversion.
      // A refused file's PNG is dropped; the check's error comes first, as when it ran before the decode.
      const conversion = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'warning' })
        .rotate()
        .removeAlpha()
        .toColourspace('b-w')
        .png({ compressionLevel: PNG_COMPRESSION_LEVEL })
        .toBuffer({ resolveWithObject: true });
      try {
        checkJpegFrameSize(bytes, input);
      } catch (error) {
        await conversion.catch(() => undefined);
        throw error;
      }
      const { data, info } = await conversion;
      if (info.channels !== 1) throw new Error(`expected 1 channel after conversion, got ${info.channels}`);
      png = data;
      width = info.width;
      height = info.height;
    }
  } catch (error) {
    if (error instanceof JpegFrameSizeError) throw new ImageConversionError(error.problem, input, { cause: error });
    if (error instanceof DatasetError) throw error;
    throw new ImageConversionError(describeSharpError(error), input, { cause: error });
  }
  await writeFileAtomic(output, png, { fsync: options.fsync });
  return { width, height, sha256: createHash('sha256').update(png).digest('hex'), bytes: png.length };
}
