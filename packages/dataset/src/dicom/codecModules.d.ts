// Minimal types for the emscripten codec builds and the JPEG lossless decoder, which ship no declarations.

interface CxrEmscriptenFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface CxrEmscriptenDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CxrEmscriptenFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface CxrEmscriptenModuleOptions {
  locateFile?: (path: string, scriptDirectory: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (options?: CxrEmscriptenModuleOptions) => Promise<{ JPEGDecoder: new () => CxrEmscriptenDecoder }>;
  export default factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: CxrEmscriptenModuleOptions) => Promise<{ JpegLSDecoder: new () => CxrEmscriptenDecoder }>;
  export default factory;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: CxrEmscriptenModuleOptions) => Promise<{ J2KDecoder: new () => CxrEmscriptenDecoder }>;
  export default factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor();
    decode(buffer: ArrayBufferLike, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
  }
}
