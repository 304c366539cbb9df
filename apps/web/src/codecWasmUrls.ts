import jpegWasm from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import charlsWasm from '@cornerstonejs/codec-charls/decodewasm?url';
import openjpegWasm from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import tfjsWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfjsWasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfjsWasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/**
 * Where the DICOM codecs (emscripten modules) find their `.wasm` files in this bundle: Vite copies each
 * into `assets/` with a hashed name and gives its URL here.
 */
export function locateCodecWasm(fileName: string): string {
  if (fileName.startsWith('libjpegturbo')) return jpegWasm;
  if (fileName.startsWith('charls')) return charlsWasm;
  if (fileName.startsWith('openjpeg')) return openjpegWasm;
  return fileName;
}

/** The tfjs-backend-wasm binaries, by the names `setWasmPaths` expects. */
export const TFJS_WASM_FILES = {
  'tfjs-backend-wasm.wasm': tfjsWasm,
  'tfjs-backend-wasm-simd.wasm': tfjsWasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': tfjsWasmThreadedSimd,
};
