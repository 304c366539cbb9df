import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import writeFileAtomic from 'write-file-atomic';
import { DicomParseError } from '../errors';
import { decodeDicom, type AppliedVoi, type DecodeDicomOptions, type DicomImage } from './decodeDicom';

/** Options of {@link convertDicomToPng}: those of `decodeDicom`, the file name coming from the path. */
export type ConvertDicomOptions = Omit<DecodeDicomOptions, 'fileName'>;

/** What {@link convertDicomToPng} wrote. */
export interface ConvertedDicom {
  input: string;
  output: string;
  width: number;
  height: number;
  bitsPerSample: 8 | 16;
  voi: AppliedVoi;
  photometricInterpretation: string | undefined;
  transferSyntaxUid: string;
}

/** Reads a DICOM file, turning a missing or unreadable file into a typed error naming it. */
export async function readDicomFile(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new DicomParseError(`cannot read the file (${code})`, path, { cause: error });
  }
}

/** Encodes a decoded image as a greyscale PNG (8 or 16 bits per sample). */
export async function encodeDicomPng(image: DicomImage): Promise<Buffer> {
  const { width, height, pixels } = image;
  const input = sharp(pixels, { raw: { width, height, channels: 1 } });
  // Without an explicit colourspace sharp writes one-channel raw input as an RGB PNG.
  return input.toColourspace(image.bitsPerSample === 16 ? 'grey16' : 'b-w').png().toBuffer();
}

/**
 * Converts one DICOM file to a display-ready greyscale PNG (see `decodeDicom` for the rendering), written
 * atomically. Node only.
 *
 * @throws {DatasetError} subclasses for bad input (naming `inputPath`); file-system errors on the output as is.
 * @example
 * await convertDicomToPng('scans/a.dcm', 'png/a.png', { outputBits: 8 });
 */
export async function convertDicomToPng(inputPath: string, outputPath: string, options: ConvertDicomOptions = {}): Promise<ConvertedDicom> {
  const bytes = await readDicomFile(inputPath);
  const image = await decodeDicom(bytes, { ...options, fileName: inputPath });
  await writeFileAtomic(outputPath, await encodeDicomPng(image));
  return {
    input: inputPath,
    output: outputPath,
    width: image.width,
    height: image.height,
    bitsPerSample: image.bitsPerSample,
    voi: image.voi,
    photometricInterpretation: image.header.photometricInterpretation,
    transferSyntaxUid: image.header.transferSyntaxUid,
  };
}
