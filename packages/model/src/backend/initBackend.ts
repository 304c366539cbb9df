import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';

/** Backends {@link initBackend} knows. `tensorflow` is `@tensorflow/tfjs-node`, `tensorflow-gpu` its CUDA twin. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** What {@link initBackend} chose, and why. */
export interface BackendInfo {
  /** The tfjs backend now active (`tf.getBackend()`). */
  name: BackendName;
  /** Threads the backend computes with, where it says (wasm: 1 in Node, where tfjs-wasm has no threads). */
  threads?: number;
  /** One sentence: why this backend (forced, or which better ones were unavailable and why). */
  reason: string;
}

/**
 * Loads the package that registers a backend; resolves when it is registered with tfjs-core.
 * Injected in tests, where tfjs-node cannot be installed.
 */
export type BackendLoader = (name: BackendName) => Promise<unknown>;

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Force one backend; an error if it cannot start. Default: the best available (auto). */
  backend?: BackendName | 'auto';
  /** Package loader, for tests. Default: dynamic `import()` of the backend's package. */
  loader?: BackendLoader;
}

/** Best first: native TensorFlow (GPU, then CPU), WebAssembly, plain JavaScript. */
export const BACKEND_PREFERENCE: readonly BackendName[] = Object.freeze(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);

const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** The name tfjs-core registers each backend under (tfjs-node-gpu registers as 'tensorflow' too). */
const REGISTERED_AS: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** Default loader: the optional native packages are optional peer dependencies, hence dynamic and guarded. */
export const defaultBackendLoader: BackendLoader = async (name) => {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      // Optional peer dependencies, usually absent: a computed specifier keeps type checkers and bundlers from
      // requiring them at build time.
      return import(/* @vite-ignore */ PACKAGES[name]);
    case 'wasm':
      return import('@tensorflow/tfjs-backend-wasm');
    case 'cpu':
      return import('@tensorflow/tfjs-backend-cpu');
  }
};

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}

async function tryStart(name: BackendName, loader: BackendLoader): Promise<void> {
  await loader(name);
  const registered = REGISTERED_AS[name];
  if (tf.findBackendFactory(registered) == null) {
    throw new Error(`${PACKAGES[name]} loaded but registered no '${registered}' backend`);
  }
  const ok = await tf.setBackend(registered);
  if (!ok) throw new Error(`tf.setBackend('${registered}') failed`);
  await tf.ready();
}

function threadsOf(name: BackendName): number | undefined {
  if (name === 'cpu') return 1;
  if (name === 'wasm') {
    // tfjs-wasm only runs threads where SharedArrayBuffer workers exist (browsers with COOP/COEP), never in Node.
    return tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? undefined : 1;
  }
  return undefined;
}

/**
 * Picks and starts a TensorFlow.js backend for Node, and says which and why.
 *
 * Order (auto): `@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node` (optional peers, used when installed),
 * then `@tensorflow/tfjs-backend-wasm` (the default here; single-threaded in Node, and without the
 * Conv2DBackpropFilter kernel, so only heads on a frozen base can be trained), then the plain-JS cpu backend.
 *
 * @example
 * const info = await initBackend();            // { name: 'wasm', threads: 1, reason: '...' }
 * await initBackend({ backend: 'cpu' });       // forced
 * @throws BackendError when a forced backend cannot start, or none can.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const loader = options.loader ?? defaultBackendLoader;
  const wanted = options.backend ?? 'auto';
  if (wanted !== 'auto') {
    if (!(wanted in PACKAGES)) {
      throw new BackendError(`Unknown backend '${String(wanted)}'; expected one of auto, ${BACKEND_PREFERENCE.join(', ')}`);
    }
    try {
      await tryStart(wanted, loader);
    } catch (error) {
      throw new BackendError(`Backend '${wanted}' (${PACKAGES[wanted]}) could not start: ${message(error)}`, {
        cause: error,
      });
    }
    return { name: wanted, threads: threadsOf(wanted), reason: `forced by the backend option` };
  }
  const skipped: string[] = [];
  for (const name of BACKEND_PREFERENCE) {
    try {
      await tryStart(name, loader);
      const reason =
        skipped.length === 0
          ? `${PACKAGES[name]} is the best backend available`
          : `${PACKAGES[name]} chosen; unavailable: ${skipped.join('; ')}`;
      return { name, threads: threadsOf(name), reason };
    } catch (error) {
      skipped.push(`${PACKAGES[name]} (${message(error)})`);
    }
  }
  throw new BackendError(`No TensorFlow.js backend could start: ${skipped.join('; ')}`);
}
