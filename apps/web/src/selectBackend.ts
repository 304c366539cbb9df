import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { TFJS_WASM_FILES } from './codecWasmUrls';
import { isSoftwareRenderer } from './isSoftwareRenderer';
import { wasmThreads } from './wasmThreads';

/** The TensorFlow.js backends the page can run on. */
export const BROWSER_BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

/** Which backend runs the model, why, and why the others were not taken. */
export interface BackendChoice {
  backend: BrowserBackend;
  /** e.g. "WebAssembly SIMD, 2 threads". */
  label: string;
  /** One sentence for the page: the evidence the choice rests on. */
  reason: string;
  skipped: { backend: BrowserBackend; reason: string }[];
  /** The WebGL renderer as the browser names it (`WEBGL_debug_renderer_info`), when it tells. */
  renderer?: string;
  /** Milliseconds of the timed trial per backend, when the candidates were timed. */
  trialMs?: Partial<Record<BrowserBackend, number>>;
}

/** What the browser says about its WebGL: absent, or the renderer's name and whether it is software. */
export function probeWebgl(): { renderer: string; software: boolean } | null {
  const canvas = document.createElement('canvas');
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return null;
  try {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    return { renderer, software: isSoftwareRenderer(renderer) };
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

/**
 * Chooses the backend by evidence. WebGL with a software renderer (SwiftShader, llvmpipe: a browser without a
 * GPU) is skipped at once: it runs the shaders on the CPU, slower than WebAssembly (bench: 3.3 s vs 0.18 s for
 * the first prediction). With a hardware renderer, WebGL and WebAssembly each run a small convolution (after
 * one untimed run that compiles it) and the faster is taken. WebAssembly runs multi-threaded where the page is
 * cross-origin isolated (COOP/COEP headers) and {@link wasmThreads} is 2 or more, else single-threaded with
 * SIMD. `only` forces a backend (the page's `?backend=`; the test and the bench use it).
 */
export async function selectBackend(only?: BrowserBackend): Promise<BackendChoice> {
  setWasmPaths(TFJS_WASM_FILES);
  // Threads need SharedArrayBuffer, which browsers give only to cross-origin isolated pages. With one thread the
  // plain SIMD build is taken: the threaded one starts a pool of 8 workers first.
  const threads = wasmThreads();
  if (threads < 2) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else setThreadsCount(threads);
  const skipped: BackendChoice['skipped'] = [];
  if (only) {
    await start(only, skipped);
    if (skipped.length) throw noBackend(skipped);
    return { backend: only, label: describe(only), reason: `forced by ?backend=${only}`, skipped };
  }
  // WebAssembly starts first: its binary downloads and compiles off the main thread while WebGL is probed (the
  // first WebGL context waits on the GPU process, a software one included).
  const wasmSkipped: BackendChoice['skipped'] = [];
  const wasmStarted = start('wasm', wasmSkipped);
  await new Promise((resolve) => setTimeout(resolve, 0)); // lets it reach its fetch before the probe blocks
  performance.mark('cxr:webgl-probe');
  const gl = probeWebgl();
  performance.mark('cxr:webgl-probed');
  if (!gl) {
    skipped.push({ backend: 'webgl', reason: 'this browser has no WebGL' });
  } else if (gl.software) {
    skipped.push({ backend: 'webgl', reason: `WebGL here is a software renderer (${gl.renderer}), slower than WebAssembly on the CPU` });
  } else {
    // A hardware GPU: time both on the same small convolution.
    const trialMs: Partial<Record<BrowserBackend, number>> = {};
    const wasmOk = await wasmStarted;
    if (await start('webgl', skipped)) trialMs.webgl = await trial();
    skipped.push(...wasmSkipped);
    if (wasmOk && (await tf.setBackend('wasm'))) trialMs.wasm = await trial();
    const timed = (Object.keys(trialMs) as BrowserBackend[]).sort((a, b) => (trialMs[a] ?? Infinity) - (trialMs[b] ?? Infinity));
    if (timed.length > 0) {
      const best = timed[0];
      await tf.setBackend(best);
      const other = timed[1];
      for (const o of timed.slice(1)) skipped.push({ backend: o, reason: `slower in the trial (${fmt(trialMs[o])} vs ${fmt(trialMs[best])})` });
      const reason = other
        ? `faster in a timed trial convolution: ${describe(best)} ${fmt(trialMs[best])} vs ${describe(other)} ${fmt(trialMs[other])} (WebGL renderer ${gl.renderer})`
        : `the only backend that started (WebGL renderer ${gl.renderer})`;
      return { backend: best, label: describe(best), reason, skipped, renderer: gl.renderer, trialMs };
    }
  }
  if (await wasmStarted) {
    const why = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
    return { backend: 'wasm', label: describe('wasm'), reason: why ? `not WebGL (${why})` : 'the first that started', skipped, renderer: gl?.renderer };
  }
  for (const w of wasmSkipped) if (!skipped.includes(w)) skipped.push(w);
  if (await start('cpu', skipped)) {
    return { backend: 'cpu', label: describe('cpu'), reason: `not WebGL or WebAssembly (${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})`, skipped, renderer: gl?.renderer };
  }
  throw noBackend(skipped);
}

/** {@link selectBackend} for the page's `?backend=` value (null: chosen by evidence); an unknown name is an error. */
export async function selectBackendFor(query: string | null): Promise<BackendChoice> {
  if (query && !(BROWSER_BACKENDS as readonly string[]).includes(query)) throw new Error(`Unknown backend ${query}: use ${BROWSER_BACKENDS.join(', ')}`);
  return selectBackend((query as BrowserBackend | null) ?? undefined);
}

function noBackend(skipped: BackendChoice['skipped']): Error {
  return new Error(`No TensorFlow.js backend works in this browser: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/** Starts a backend; on failure records why in `skipped` and returns false. */
async function start(name: BrowserBackend, skipped: BackendChoice['skipped']): Promise<boolean> {
  try {
    // WebGL and the JavaScript CPU backend are loaded only when tried: most of the bundle the page would
    // otherwise parse before it can start (about 1.1 of its 3 MB unminified), for backends a GPU-less browser skips.
    if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
    if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
    const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
    const started = name === 'wasm' ? withLogicalCores(Math.max(cores, 2 * wasmThreads()), () => tf.setBackend(name)) : tf.setBackend(name);
    if (!(await withTimeout(started, INIT_TIMEOUT_MS, name))) throw new Error('failed to initialise');
    if (name === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) throw new Error('no float32 rendering');
    return true;
  } catch (error) {
    skipped.push({ backend: name, reason: (error as Error)?.message ?? String(error) });
    return false;
  }
}

/** Milliseconds of a 3x3 convolution (56x56x64 -> 64, as in MobileNet's middle) after one untimed run. */
async function trial(): Promise<number> {
  const run = async () => {
    const y = tf.tidy(() => tf.relu(tf.conv2d(tf.ones([1, 56, 56, 64]) as tf.Tensor4D, tf.fill([3, 3, 64, 64], 0.01) as tf.Tensor4D, 1, 'same')));
    await y.data();
    y.dispose();
  };
  await run();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/**
 * Runs `fn` while `navigator.hardwareConcurrency` reads `n`. tfjs's WebAssembly binary caps its thread pool at
 * half the logical cores it reads when it starts (it assumes two hyper-threads per core), so `?threads=2` on a
 * 2-core machine would get one thread whatever `setThreadsCount` asks; the binary reads the value once, at start.
 */
async function withLogicalCores<T>(n: number, fn: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator;
  if (!nav) return fn();
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => n });
  try {
    return await fn();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency; // the browser's own getter again
  }
}

const fmt = (ms: number | undefined) => `${(ms ?? NaN).toFixed(1)} ms`;

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
    const threads = getThreadsCount();
    return `WebAssembly${simd ? ' SIMD' : ''}${threads > 1 ? `, ${threads} threads` : ''}`;
  }
  return 'CPU (JavaScript)';
}
