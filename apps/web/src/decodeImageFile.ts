import { checkJpegFrameSize, DatasetError, decodeDicom, transferSyntax } from '@cxr/dataset';
import type { RawPixels } from '@cxr/preprocess';
import { locateCodecWasm } from './codecWasmUrls';
import { InputFileError } from './errors';
import { checkFileSize, checkImageSize, INPUT_LIMITS, type InputLimits } from './inputLimits';
import { readImageSize } from './readImageSize';
import { sniffImageType, type ImageType } from './sniffImageType';

/** A decoded X-ray, as the page uses it: pixels for the model and a line describing the source. */
export interface DecodedImage {
  fileName: string;
  type: Exclude<ImageType, 'unknown'>;
  /** RGBA from the canvas (PNG, JPEG) or display-ready grey (DICOM, 8 bits, after the VOI window). */
  pixels: RawPixels;
  /** e.g. "PNG 1024x1024" or "DICOM 1.2.840.10008.1.2.4.50 (JPEG Baseline) 2048x2500". */
  description: string;
}

/**
 * Decodes a user's file in the page (nothing is uploaded): PNG and JPEG with `createImageBitmap` (no colour
 * management, so pixel values are the file's, as sharp reads them in training), DICOM with `@cxr/dataset`'s
 * `decodeDicom` (its WebAssembly codecs for JPEG, JPEG-LS and JPEG 2000). A JPEG whose header declares a smaller size
 * than its data is refused first (`checkJpegFrameSize`). Every problem is an {@link InputFileError} or a `DatasetError`
 * naming the file.
 */
export async function decodeImageFile(file: Blob, fileName: string, limits: InputLimits = INPUT_LIMITS): Promise<DecodedImage> {
  checkFileSize(fileName, file.size, limits);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = sniffImageType(bytes, fileName);
  if (type === 'unknown') {
    throw new InputFileError(`${fileName} is not a PNG, JPEG or DICOM image (its first bytes are ${hex(bytes.subarray(0, 8))})`);
  }
  if (type === 'dicom') return decodeDicomFile(bytes, fileName, limits);
  const size = readImageSize(bytes, type);
  if (size) checkImageSize(fileName, size.width, size.height, limits);
  // Browsers, like libjpeg, decode only the size a JPEG's header declares: a shrunk header would give a fragment.
  if (type === 'jpeg') checkJpegFrameSize(bytes, fileName);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: `image/${type}` }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
      imageOrientation: 'from-image',
    });
  } catch (cause) {
    throw new InputFileError(`${fileName} looks like a ${type.toUpperCase()} but the browser cannot decode it (damaged file?)`, { cause });
  }
  try {
    const { width, height } = bitmap;
    checkImageSize(fileName, width, height, limits);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new InputFileError(`Cannot read the pixels of ${fileName}: no 2D canvas in this browser`);
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
    return { fileName, type, pixels: { data, width, height, channels: 4 }, description: `${type.toUpperCase()} ${width}x${height}` };
  } finally {
    bitmap.close();
  }
}

async function decodeDicomFile(bytes: Uint8Array, fileName: string, limits: InputLimits): Promise<DecodedImage> {
  try {
    const image = await decodeDicom(bytes, { fileName, outputBits: 8, maxPixels: limits.maxPixels, locateWasm: locateCodecWasm });
    checkImageSize(fileName, image.width, image.height, limits);
    const uid = image.header.transferSyntaxUid;
    return {
      fileName,
      type: 'dicom',
      pixels: { data: image.pixels, width: image.width, height: image.height, channels: 1 },
      description: `DICOM ${image.width}x${image.height}, ${transferSyntax(uid).name} (${uid}), ${image.header.photometricInterpretation ?? ''}`,
    };
  } catch (error) {
    if (error instanceof DatasetError || error instanceof InputFileError) throw error;
    throw new InputFileError(`Cannot decode the DICOM ${fileName}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
