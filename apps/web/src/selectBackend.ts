import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { TFJS_WASM_FILES } from './codecWasmUrls';

/** The TensorFlow.js backends the page can run on, fastest first. */
export const BROWSER_BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

/** Which backend runs the model, and why the faster ones were skipped. */
export interface BackendChoice {
  backend: BrowserBackend;
  /** e.g. "WebAssembly SIMD". */
  label: string;
  skipped: { backend: BrowserBackend; reason: string }[];
}

/**
 * Starts the first backend that works: WebGL, then WebAssembly (its `.wasm` files served by Vite,
 * SIMD when the browser has it), then plain JavaScript. `only` forces one (the page's
 * `?backend=` parameter; the test and the bench use it).
 */
export async function selectBackend(only?: BrowserBackend): Promise<BackendChoice> {
  setWasmPaths(TFJS_WASM_FILES);
  // The threaded WASM build's worker is a string that names the emscripten module; once Vite minifies the
  // bundle that name is gone ("e is not defined") and initialisation never ends. SIMD without threads works.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const skipped: BackendChoice['skipped'] = [];
  for (const name of only ? [only] : BROWSER_BACKENDS) {
    try {
      if (!(await withTimeout(tf.setBackend(name), INIT_TIMEOUT_MS, name))) throw new Error('failed to initialise');
      if (name === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) throw new Error('no float32 rendering');
      return { backend: name, label: describe(name), skipped };
    } catch (error) {
      skipped.push({ backend: name, reason: (error as Error)?.message ?? String(error) });
    }
  }
  throw new Error(`No TensorFlow.js backend works in this browser: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/** A backend that has not started after this long is skipped (a hung initialisation must not hang the page). */
const INIT_TIMEOUT_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(name: BrowserBackend): string {
  if (name === 'webgl') return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`;
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    return `WebAssembly${simd ? ' SIMD' : ''}`;
  }
  return 'CPU (JavaScript)';
}
