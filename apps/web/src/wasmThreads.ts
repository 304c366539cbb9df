import { TFJS_WASM_FILES } from './codecWasmUrls';

/**
 * Threads for the WebAssembly backend: `?threads=<n>` if given, else half the logical cores (tfjs's own rule),
 * at most 4. On 2 logical cores that is one: in the bench (web.bench.mjs, 2 shared cores) 2 threads predicted no
 * faster than 1 and their worker pool added 0.3-1 s to the start. Threads need SharedArrayBuffer, which browsers
 * give only to cross-origin isolated pages: 1 elsewhere.
 */
export function wasmThreads(): number {
  if (!globalThis.crossOriginIsolated) return 1;
  const asked = Number(new URLSearchParams(globalThis.location?.search ?? '').get('threads'));
  if (Number.isInteger(asked) && asked >= 1) return asked;
  return Math.max(1, Math.min(4, Math.floor((globalThis.navigator?.hardwareConcurrency ?? 1) / 2)));
}

/** True where WebAssembly SIMD validates (tfjs-backend-wasm's own probe: a module with one SIMD instruction). */
function hasWasmSimd(): boolean {
  try {
    return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]));
  } catch {
    return false;
  }
}

/** The URL of the tfjs-backend-wasm binary the backend will load here (threaded SIMD, SIMD, or plain). */
export function tfjsWasmBinaryUrl(threads = wasmThreads()): string {
  if (!hasWasmSimd()) return TFJS_WASM_FILES['tfjs-backend-wasm.wasm'];
  return TFJS_WASM_FILES[threads >= 2 ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm'];
}

/**
 * Starts downloading that binary now, while the page's script is still being parsed, so that it is in the HTTP
 * cache when the backend asks for it (Chromium holds a second request for a URL until the first has filled the
 * cache entry; the server's `no-cache` makes that a 304 revalidation, not a second download). Failures are left to
 * the backend, which reports them.
 */
export function prefetchTfjsWasm(): void {
  void fetch(tfjsWasmBinaryUrl())
    .then((r) => r.arrayBuffer())
    .catch(() => undefined);
}
