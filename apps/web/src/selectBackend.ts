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
  /** e.g. "wasm (SIMD, 4 threads)". */
  label: string;
  skipped: { backend: BrowserBackend; reason: string }[];
}

/**
 * Starts the first backend that works: WebGL, then WebAssembly (its `.wasm` files served by Vite,
 * threads when the page is cross-origin isolated), then plain JavaScript. `only` forces one (the page's
 * `?backend=` parameter; the test and the bench use it).
 */
export async function selectBackend(only?: BrowserBackend): Promise<BackendChoice> {
  setWasmPaths(TFJS_WASM_FILES);
  const skipped: BackendChoice['skipped'] = [];
  for (const name of only ? [only] : BROWSER_BACKENDS) {
    try {
      if (!(await tf.setBackend(name))) throw new Error('failed to initialise');
      await tf.ready();
      if (name === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) throw new Error('no float32 rendering');
      return { backend: name, label: describe(name), skipped };
    } catch (error) {
      skipped.push({ backend: name, reason: (error as Error)?.message ?? String(error) });
    }
  }
  throw new Error(`No TensorFlow.js backend works in this browser: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

function describe(name: BrowserBackend): string {
  if (name === 'webgl') return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`;
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return `WebAssembly${simd ? ' SIMD' : ''}${threads ? ', threads' : ''}`;
  }
  return 'CPU (JavaScript)';
}
