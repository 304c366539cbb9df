// Types for the codec modules, which ship none; referenced here so that every program compiling this file
// through the @cxr/source condition (the CLI, the web app) sees them too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./codecModules.d.ts" />
import { DicomDecodeError } from '../errors';
import { codestreamHeader } from './codestreamHeader';
import type { PixelEncoding } from './transferSyntax';

/**
 * Where the WebAssembly codecs find their `.wasm` files. In Node they are found beside their JavaScript
 * (no option needed); a browser bundle passes the URLs its bundler gives them, e.g. with Vite
 * `import charlsWasm from '@cornerstonejs/codec-charls/decodewasm?url'` and
 * `locateWasm: (file) => file.startsWith('charls') ? charlsWasm : ...`.
 */
export type LocateWasm = (fileName: string) => string;

/** What the pixel pipeline needs from the DICOM header to check and read a compressed frame. */
export interface ExpectedFrame {
  rows: number;
  columns: number;
  bitsAllocated: number;
}

type WasmCodec = 'jpeg-baseline' | 'jpeg-ls' | 'jpeg-2000';
type Factory = (options?: CxrEmscriptenModuleOptions) => Promise<Record<string, new () => CxrEmscriptenDecoder>>;

const decoderClass: Record<WasmCodec, string> = {
  'jpeg-baseline': 'JPEGDecoder',
  'jpeg-ls': 'JpegLSDecoder',
  'jpeg-2000': 'J2KDecoder',
};

// Literal specifiers so that bundlers (Vite) can see and split the codecs; each loads on first use only.
const importers: Record<WasmCodec, () => Promise<{ default: unknown }>> = {
  'jpeg-baseline': () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
  'jpeg-ls': () => import('@cornerstonejs/codec-charls/decodewasmjs'),
  'jpeg-2000': () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
};

const instances = new Map<WasmCodec, Promise<Record<string, new () => CxrEmscriptenDecoder>>>();

function silent(): void {
  // The codecs print progress ("[INFO] Start to read j2k main header") on stdout; a library must not.
}

async function loadCodec(codec: WasmCodec, locateWasm: LocateWasm | undefined) {
  let instance = instances.get(codec);
  if (!instance) {
    instance = importers[codec]().then((module) => {
      // A CommonJS module imported from ESM may arrive wrapped once more in `default`.
      let factory = module.default as Factory | { default: Factory };
      if (typeof factory !== 'function') factory = factory.default;
      return factory({
        print: silent,
        printErr: silent,
        ...(locateWasm ? { locateFile: (path: string) => locateWasm(path) } : {}),
      });
    });
    instances.set(codec, instance);
    // A failed load is not cached: the next call tries again (e.g. with a corrected locateWasm).
    instance.catch(() => instances.delete(codec));
  }
  return instance;
}

function toWords(bytes: Uint8Array, bitsAllocated: number): Uint8Array | Uint16Array {
  if (bitsAllocated <= 8) return bytes.slice();
  const words = new Uint16Array(bytes.length >> 1);
  new Uint8Array(words.buffer).set(bytes.subarray(0, words.length * 2));
  return words;
}

async function decodeWasm(
  codec: WasmCodec,
  codestream: Uint8Array,
  expected: ExpectedFrame,
  locateWasm: LocateWasm | undefined,
): Promise<Uint8Array | Uint16Array> {
  const module = await loadCodec(codec, locateWasm);
  const Decoder = module[decoderClass[codec]];
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    if (info.width !== expected.columns || info.height !== expected.rows || info.componentCount !== 1) {
      throw new Error(
        `codec decoded ${info.width}x${info.height}x${info.componentCount}, header says ${expected.columns}x${expected.rows}x1`,
      );
    }
    const decoded = decoder.getDecodedBuffer();
    const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
    if (decoded.length < expected.rows * expected.columns * bytesPerSample) throw new Error('codec returned a short frame');
    // Copy out of WebAssembly memory before `delete` frees it.
    return toWords(decoded.subarray(0, expected.rows * expected.columns * bytesPerSample), bytesPerSample * 8);
  } finally {
    decoder.delete();
  }
}

async function decodeJpegLossless(codestream: Uint8Array, bitsAllocated: number): Promise<Uint8Array | Uint16Array> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  const decoder = new Decoder();
  return decoder.decode(codestream.buffer, codestream.byteOffset, codestream.length, bitsAllocated > 8 ? 2 : 1);
}

/**
 * Decodes one compressed frame of a single-component image into its stored pixel words, after checking its
 * codestream header against the DICOM header (so a corrupt or hostile frame header cannot make a codec
 * allocate more than the image the DICOM header announces, which the caller has already bounded).
 */
export async function decodeCompressedFrame(
  encoding: Exclude<PixelEncoding, 'native' | 'unsupported'>,
  codestream: Uint8Array,
  expected: ExpectedFrame,
  fileName: string | undefined,
  locateWasm?: LocateWasm,
): Promise<Uint8Array | Uint16Array> {
  const header = codestreamHeader(codestream);
  if (!header) throw new DicomDecodeError(`no ${encoding} frame header in the pixel data`, fileName);
  if (header.width !== expected.columns || header.height !== expected.rows) {
    throw new DicomDecodeError(
      `${encoding} frame is ${header.width}x${header.height} but the DICOM header says ${expected.columns}x${expected.rows}`,
      fileName,
    );
  }
  if (header.components !== 1) {
    throw new DicomDecodeError(`${encoding} frame has ${header.components} components, expected 1`, fileName);
  }
  const maxPrecision = encoding === 'jpeg-baseline' ? 8 : expected.bitsAllocated;
  if (header.precision < 2 || header.precision > maxPrecision) {
    throw new DicomDecodeError(`${encoding} frame has ${header.precision}-bit samples, expected at most ${maxPrecision}`, fileName);
  }
  let words: Uint8Array | Uint16Array;
  try {
    words =
      encoding === 'jpeg-lossless'
        ? await decodeJpegLossless(codestream, expected.bitsAllocated)
        : await decodeWasm(encoding, codestream, expected, locateWasm);
  } catch (error) {
    if (error instanceof DicomDecodeError) throw error;
    if (encoding !== 'jpeg-lossless') instances.delete(encoding); // an aborted emscripten module is not reusable
    const message = error instanceof Error ? error.message : String(error);
    throw new DicomDecodeError(`${encoding} codec failed: ${message}`, fileName, { cause: error });
  }
  if (words.length < expected.rows * expected.columns) {
    throw new DicomDecodeError(`${encoding} codec returned ${words.length} samples for ${expected.rows * expected.columns} pixels`, fileName);
  }
  return words;
}
