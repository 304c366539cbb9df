import type { DataSet, Element } from 'dicom-parser';
import { DicomDecodeError, MissingPixelDataError, UnsupportedTransferSyntaxError } from '../errors';
import { decodeCompressedFrame, type LocateWasm } from './decodeCompressedFrame';
import { lookUp, readLookupTable, type LookupTable } from './lookupTable';
import { describe, dicomParser, guardParser, parseDicomBytes } from './parseDicomBytes';
import { headerOf, type DicomHeader } from './readDicomHeader';
import { transferSyntax } from './transferSyntax';
import { isValidWindow, minMaxWindow, voiWindowValue, type VoiLutFunction, type VoiWindow } from './voiLut';

/** Default bound on rows x columns: larger images are refused before any pixel buffer is allocated. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** Options of {@link decodeDicom}. */
export interface DecodeDicomOptions {
  /** Named in error messages. */
  fileName?: string;
  /** Bits per output sample: 8 (default) or 16. */
  outputBits?: 8 | 16;
  /** Which of the file's windows (Window Center/Width values) to use; default 0, the first. */
  windowIndex?: number;
  /**
   * The VOI step: a window in modality units, `'auto'` (the min-max window of the image's values, as dcmtk
   * `+Wm`), or `'none'` (no VOI: the whole range the stored bits can hold is mapped linearly onto the output).
   * Default: the file's window `windowIndex`, else its VOI LUT Sequence, else `'auto'`.
   */
  window?: VoiWindow | 'auto' | 'none';
  /** Overrides the file's VOI LUT Function (0028,1056) for windows. */
  voiLutFunction?: VoiLutFunction;
  /** Refuse images with more pixels than this (default {@link DEFAULT_MAX_PIXELS}). */
  maxPixels?: number;
  /** Where the WebAssembly codecs find their `.wasm` files (browser bundles); see {@link LocateWasm}. */
  locateWasm?: LocateWasm;
}

/** Which VOI transformation was applied. */
export type AppliedVoi =
  | { kind: 'window'; source: 'file' | 'option' | 'min-max'; center: number; width: number; function: VoiLutFunction }
  | { kind: 'lut' }
  | { kind: 'none'; min: number; max: number };

/** A decoded, display-ready grey image. */
export interface DicomImage {
  width: number;
  height: number;
  bitsPerSample: 8 | 16;
  /** Row-major grey values after the Modality LUT, the VOI LUT and MONOCHROME1 inversion; 0 is black. */
  pixels: Uint8Array | Uint16Array;
  header: DicomHeader;
  /** The Modality LUT step applied: a rescale (slope, intercept), a LUT from the sequence, or none. */
  modality: { kind: 'rescale'; slope: number; intercept: number } | { kind: 'lut' };
  voi: AppliedVoi;
  /** Range of modality values present in the image. */
  valueRange: { min: number; max: number };
}

interface PixelLayout {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  monochrome1: boolean;
  /** Number of Frames (1 when absent). */
  frames: number;
}

function checkLayout(header: DicomHeader, fileName: string | undefined, maxPixels: number): PixelLayout {
  const fail = (problem: string): never => {
    throw new DicomDecodeError(problem, fileName);
  };
  const pi = header.photometricInterpretation;
  if (pi !== 'MONOCHROME1' && pi !== 'MONOCHROME2') fail(`photometric interpretation ${pi ?? '(missing)'} is not MONOCHROME1 or MONOCHROME2`);
  if ((header.samplesPerPixel ?? 1) !== 1) fail(`${header.samplesPerPixel} samples per pixel, expected 1`);
  const { rows, columns, bitsAllocated } = header;
  if (!rows || !columns) return fail(`rows x columns is ${rows ?? '?'}x${columns ?? '?'}`);
  if (rows * columns > maxPixels) fail(`${columns}x${rows} image exceeds the limit of ${maxPixels} pixels`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16) return fail(`Bits Allocated ${bitsAllocated ?? '(missing)'} is not 8 or 16`);
  const bitsStored = header.bitsStored ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) fail(`Bits Stored ${bitsStored} with Bits Allocated ${bitsAllocated}`);
  const highBit = header.highBit ?? bitsStored - 1;
  // PS3.3 C.7.6.3 (Image Pixel Module): "High Bit shall be one less than Bits Stored". Older files that stored
  // samples shifted up were legal once, but a mismatch is far more often a damaged field, and then no one can
  // tell which of the two is wrong: refused rather than rendered from guessed bits.
  if (highBit !== bitsStored - 1) fail(`High Bit ${highBit} is not Bits Stored ${bitsStored} - 1`);
  const pr = header.pixelRepresentation ?? 0;
  if (pr !== 0 && pr !== 1) fail(`Pixel Representation ${pr} is not 0 or 1`);
  const frames = header.numberOfFrames ?? 1;
  if (!Number.isInteger(frames) || frames < 1) fail(`Number of Frames ${frames} is not a positive integer`);
  return { rows, columns, bitsAllocated, bitsStored, highBit, signed: pr === 1, monochrome1: pi === 'MONOCHROME1', frames };
}

function nativeFrame(ds: DataSet, element: Element, layout: PixelLayout, fileName: string | undefined): Uint8Array | Uint16Array {
  const bytesPerSample = layout.bitsAllocated / 8;
  const frameBytes = layout.rows * layout.columns * bytesPerSample;
  const expected = frameBytes * layout.frames;
  const available = Math.min(element.length, ds.byteArray.length - element.dataOffset);
  const frames = layout.frames === 1 ? '' : ` x ${layout.frames} frames`;
  if (available < element.length) {
    throw new DicomDecodeError(`pixel data is cut short: ${Math.max(available, 0)} of its ${element.length} bytes are in the file`, fileName);
  }
  // Exact length, one padding byte aside (values have even length): a longer element means Rows, Columns,
  // Bits Allocated or Number of Frames do not describe these pixels, and decoding them would show a wrong picture.
  if (element.length !== expected && element.length !== expected + (expected % 2)) {
    throw new DicomDecodeError(
      `Pixel Data (7FE0,0010) has ${element.length} bytes, but Rows ${layout.rows} x Columns ${layout.columns} x ${bytesPerSample} byte(s)${frames} needs ${expected}`,
      fileName,
    );
  }
  const bytes = ds.byteArray.subarray(element.dataOffset, element.dataOffset + frameBytes);
  if (bytesPerSample === 1) return bytes;
  const words = new Uint16Array(frameBytes / 2);
  // Little endian on disk; read explicitly rather than trusting the platform's byte order.
  for (let i = 0, j = 0; i < words.length; i++, j += 2) words[i] = bytes[j] | (bytes[j + 1] << 8);
  return words;
}

function encapsulatedFrame(ds: DataSet, element: Element, header: DicomHeader, fileName: string | undefined): Uint8Array {
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new DicomDecodeError('encapsulated pixel data has no fragments', fileName);
  const base = element.dataOffset;
  for (const f of fragments) {
    if (f.length < 0 || f.position < 0 || f.position + f.length > ds.byteArray.length || f.position < base) {
      throw new DicomDecodeError(`pixel data fragment at byte ${f.position} (${f.length} bytes) runs past the end of the file`, fileName);
    }
  }
  const frames = header.numberOfFrames ?? 1;
  try {
    if (frames <= 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, element, 0, fragments.length) as Uint8Array;
    // Multi-frame: the first frame only.
    if ((element.basicOffsetTable?.length ?? 0) > 0) return dicomParser.readEncapsulatedImageFrame(ds, element, 0) as Uint8Array;
    if (fragments.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, element, 0, 1) as Uint8Array;
    return dicomParser.readEncapsulatedImageFrame(ds, element, 0, dicomParser.createJPEGBasicOffsetTable(ds, element)) as Uint8Array;
  } catch (error) {
    throw new DicomDecodeError(`cannot read the first frame's fragments (${describe(error)})`, fileName, { cause: error });
  }
}

/** Stored value of a pixel word: shifted below High Bit, masked to Bits Stored, sign-extended when signed. */
function storedValueOf(layout: PixelLayout): (index: number) => number {
  const signBit = 1 << (layout.bitsStored - 1);
  const span = 2 ** layout.bitsStored;
  return layout.signed ? (index) => (index & signBit ? index - span : index) : (index) => index;
}

type Modality = { kind: 'rescale'; slope: number; intercept: number } | { kind: 'lut'; table: LookupTable };

function readModality(ds: DataSet, header: DicomHeader, layout: PixelLayout, fileName: string | undefined): Modality {
  // A Modality LUT Sequence wins over Rescale Slope/Intercept when a file has both, as in dcmtk.
  const table = readLookupTable(ds, 'x00283000', layout.signed, fileName);
  if (table) return { kind: 'lut', table };
  const slope = header.rescaleSlope ?? 1;
  const intercept = header.rescaleIntercept ?? 0;
  if (slope === 0) throw new DicomDecodeError('Rescale Slope is 0', fileName);
  return { kind: 'rescale', slope, intercept };
}

function chooseVoi(
  ds: DataSet,
  header: DicomHeader,
  options: DecodeDicomOptions,
  fileName: string | undefined,
): { kind: 'window'; window: VoiWindow; source: 'file' | 'option' } | { kind: 'lut'; table: LookupTable } | { kind: 'auto' } | { kind: 'none' } {
  const choice = options.window;
  if (choice === 'auto') return { kind: 'auto' };
  if (choice === 'none') return { kind: 'none' };
  if (choice) return { kind: 'window', window: choice, source: 'option' };
  const index = options.windowIndex ?? 0;
  const count = Math.min(header.windowCenter.length, header.windowWidth.length);
  if (options.windowIndex !== undefined && (index < 0 || index >= count || !Number.isInteger(index))) {
    throw new DicomDecodeError(`window index ${index} is out of range: the file has ${count} window(s)`, fileName);
  }
  if (index < count) return { kind: 'window', window: { center: header.windowCenter[index], width: header.windowWidth[index] }, source: 'file' };
  const table = readLookupTable(ds, 'x00283010', false, fileName);
  if (table) return { kind: 'lut', table };
  return { kind: 'auto' };
}

function voiFunctionOf(header: DicomHeader, options: DecodeDicomOptions): VoiLutFunction {
  if (options.voiLutFunction) return options.voiLutFunction;
  const fromFile = header.voiLutFunction;
  return fromFile === 'SIGMOID' || fromFile === 'LINEAR_EXACT' ? fromFile : 'LINEAR';
}

/**
 * Decodes the first frame of a greyscale DICOM image into display-ready grey values: masks Bits Stored,
 * sign-extends signed pixels, applies the Modality LUT (Rescale Slope/Intercept or Modality LUT Sequence),
 * the VOI LUT (a window with LINEAR, LINEAR_EXACT or SIGMOID, a VOI LUT Sequence, or the min-max window when
 * the file has none) and inverts MONOCHROME1. Browser-safe: works on a `Uint8Array`.
 *
 * Transfer syntaxes: Implicit and Explicit VR Little Endian, JPEG Baseline (.4.50), JPEG Lossless (.4.57,
 * .4.70), JPEG-LS (.4.80, .4.81) and JPEG 2000 (.4.90, .4.91).
 *
 * @throws {DicomParseError} the bytes are not DICOM or are corrupt.
 * @throws {UnsupportedTransferSyntaxError} e.g. big endian, deflate, RLE.
 * @throws {MissingPixelDataError} the file has no Pixel Data.
 * @throws {DicomDecodeError} a codec failed, the image is too large, or its pixel attributes are wrong.
 * @example
 * const image = await decodeDicom(bytes, { fileName: 'scans/a.dcm' });
 * image.pixels // Uint8Array of image.width * image.height grey values
 */
export async function decodeDicom(bytes: Uint8Array, options: DecodeDicomOptions = {}): Promise<DicomImage> {
  const { fileName } = options;
  const outputBits = options.outputBits ?? 8;
  if (outputBits !== 8 && outputBits !== 16) throw new DicomDecodeError(`output bits ${String(outputBits)} is not 8 or 16`, fileName);
  const refuseUnsupported = (uid: string): void => {
    const syntax = transferSyntax(uid);
    if (syntax.pixelEncoding === 'unsupported') throw new UnsupportedTransferSyntaxError(syntax.uid, syntax.name, fileName);
  };
  const { dataSet: ds, transferSyntaxUid } = parseDicomBytes(bytes, fileName, refuseUnsupported);
  const header = guardParser(() => headerOf(ds, transferSyntaxUid, fileName), fileName);
  const syntax = transferSyntax(transferSyntaxUid);
  const encoding = syntax.pixelEncoding;
  if (encoding === 'unsupported') throw new UnsupportedTransferSyntaxError(syntax.uid, syntax.name, fileName);
  const element = ds.elements.x7fe00010;
  if (!element) throw new MissingPixelDataError(fileName);
  const layout = checkLayout(header, fileName, options.maxPixels ?? DEFAULT_MAX_PIXELS);

  let words: Uint8Array | Uint16Array;
  let shift = 0;
  if (encoding === 'native') {
    if (element.encapsulatedPixelData) throw new DicomDecodeError(`encapsulated pixel data in a ${syntax.name} file`, fileName);
    words = nativeFrame(ds, element, layout, fileName);
    shift = layout.highBit + 1 - layout.bitsStored;
  } else {
    if (!element.encapsulatedPixelData) throw new DicomDecodeError(`native pixel data in a ${syntax.name} file`, fileName);
    const codestream = encapsulatedFrame(ds, element, header, fileName);
    words = await decodeCompressedFrame(encoding, codestream, layout, fileName, options.locateWasm);
  }

  const modality = guardParser(() => readModality(ds, header, layout, fileName), fileName);
  const voiChoice = guardParser(() => chooseVoi(ds, header, options, fileName), fileName);
  return render(words, shift, layout, header, modality, voiChoice, voiFunctionOf(header, options), outputBits, fileName);
}

function render(
  words: Uint8Array | Uint16Array,
  shift: number,
  layout: PixelLayout,
  header: DicomHeader,
  modality: Modality,
  voiChoice: ReturnType<typeof chooseVoi>,
  fn: VoiLutFunction,
  outputBits: 8 | 16,
  fileName: string | undefined,
): DicomImage {
  // Stored values have at most 16 bits, so every step is computed once per possible value into a table.
  const size = 2 ** layout.bitsStored;
  const mask = size - 1;
  const pixelCount = layout.rows * layout.columns;
  const present = new Uint8Array(size);
  for (let i = 0; i < pixelCount; i++) present[(words[i] >> shift) & mask] = 1;

  const stored = storedValueOf(layout);
  const modalityValue =
    modality.kind === 'rescale'
      ? (index: number) => stored(index) * modality.slope + modality.intercept
      : (index: number) => lookUp(modality.table, stored(index));
  const values = new Float64Array(size);
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < size; index++) {
    const v = modalityValue(index);
    values[index] = v;
    if (present[index]) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }

  const yMax = outputBits === 8 ? 255 : 65535;
  let toOutput: (v: number) => number;
  let voi: AppliedVoi;
  if (voiChoice.kind === 'window' && !isValidWindow(voiChoice.window, fn)) {
    if (voiChoice.source === 'option') {
      throw new DicomDecodeError(`window center ${voiChoice.window.center} width ${voiChoice.window.width} is not valid for ${fn}`, fileName);
    }
    voiChoice = { kind: 'auto' }; // an unusable window in the file: fall back as if it had none
  }
  if (voiChoice.kind === 'window' || voiChoice.kind === 'auto') {
    const window = voiChoice.kind === 'window' ? voiChoice.window : minMaxWindow(min, max);
    const windowFn = voiChoice.kind === 'window' ? fn : 'LINEAR';
    toOutput = (v) => voiWindowValue(v, window, windowFn, 0, yMax);
    voi = { kind: 'window', source: voiChoice.kind === 'window' ? voiChoice.source : 'min-max', ...window, function: windowFn };
  } else if (voiChoice.kind === 'lut') {
    const table = voiChoice.table;
    const scale = yMax / (2 ** table.bitsPerEntry - 1);
    toOutput = (v) => lookUp(table, v) * scale;
    voi = { kind: 'lut' };
  } else {
    // No VOI: the range the stored bits can represent, through the modality step, spans the output.
    let lo = Infinity;
    let hi = -Infinity;
    for (let index = 0; index < size; index++) {
      lo = Math.min(lo, values[index]);
      hi = Math.max(hi, values[index]);
    }
    // Equal-width bins, one per output level: identity for 8 stored bits to 8-bit output (dcmtk -W does this).
    toOutput = (v) => ((v - lo) * (yMax + 1)) / (hi - lo + 1);
    voi = { kind: 'none', min: lo, max: hi };
  }

  // MONOCHROME1 is inverted on the continuous VOI output, then truncated to an integer, as dcmtk does, so
  // that the output matches dcmtk's exactly rather than within one grey level.
  const table = outputBits === 8 ? new Uint8Array(size) : new Uint16Array(size);
  for (let index = 0; index < size; index++) {
    const y = toOutput(values[index]);
    // The epsilon keeps values that are whole numbers in exact arithmetic (127 computed as 126.99999999999997)
    // from dropping a level.
    const shown = Math.floor((layout.monochrome1 ? yMax - y : y) + 1e-7);
    table[index] = shown < 0 ? 0 : shown > yMax ? yMax : shown;
  }
  const pixels = outputBits === 8 ? new Uint8Array(pixelCount) : new Uint16Array(pixelCount);
  for (let i = 0; i < pixelCount; i++) pixels[i] = table[(words[i] >> shift) & mask];

  return {
    width: layout.columns,
    height: layout.rows,
    bitsPerSample: outputBits,
    pixels,
    header,
    modality: modality.kind === 'rescale' ? { kind: 'rescale', slope: modality.slope, intercept: modality.intercept } : { kind: 'lut' },
    voi,
    valueRange: { min, max },
  };
}
