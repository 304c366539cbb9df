import { OnnxRuntimeError } from '../errors';
import { encodeOnnxModel } from './encodeOnnxModel';

/** What @cxr/model uses of an onnxruntime session (structural, so its types need no onnxruntime install). */
export interface OnnxRuntimeSession {
  readonly inputMetadata: readonly { name: string; isTensor: boolean; shape?: readonly (number | string)[] }[];
  readonly outputMetadata: readonly { name: string; isTensor: boolean; shape?: readonly (number | string)[] }[];
  /** `fetches`: only these outputs (onnxruntime then runs only the nodes they need). */
  run(feeds: Record<string, unknown>, fetches?: readonly string[]): Promise<Record<string, { data: unknown; dims?: readonly number[] }>>;
  release(): Promise<void>;
}

/**
 * What @cxr/model uses of the `onnxruntime-node` module. Structural on purpose: the package is an optional
 * peer dependency, and these declarations must compile without it.
 */
export interface OnnxRuntimeModule {
  InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OnnxRuntimeSession>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

/** Loads onnxruntime; injectable so tests (and callers) can simulate a missing or broken install. */
export type OnnxRuntimeLoader = () => Promise<OnnxRuntimeModule>;

let cached: Promise<OnnxRuntimeModule> | undefined;

/** The default loader: a dynamic import of `onnxruntime-node`, done once per process. */
export const defaultOnnxRuntimeLoader: OnnxRuntimeLoader = () => {
  cached ??= import('onnxruntime-node').then((mod) => {
    // A CommonJS package seen through import(): the API may sit on `default`.
    const m = mod as unknown as OnnxRuntimeModule & { default?: OnnxRuntimeModule };
    return typeof m.InferenceSession?.create === 'function' ? m : (m.default as OnnxRuntimeModule);
  });
  cached.catch(() => {
    cached = undefined; // a later call may retry (e.g. after an install)
  });
  return cached;
};

/**
 * Loads onnxruntime-node, or throws {@link OnnxRuntimeError} saying why it is unavailable.
 *
 * @param loader Defaults to {@link defaultOnnxRuntimeLoader}.
 */
export async function loadOnnxRuntime(loader: OnnxRuntimeLoader = defaultOnnxRuntimeLoader): Promise<OnnxRuntimeModule> {
  let ort: OnnxRuntimeModule;
  try {
    ort = await loader();
  } catch (e) {
    throw new OnnxRuntimeError(
      `onnxruntime-node is not available (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); install it with npm install onnxruntime-node`,
      { cause: e },
    );
  }
  if (typeof ort?.InferenceSession?.create !== 'function' || typeof ort.Tensor !== 'function') {
    throw new OnnxRuntimeError('onnxruntime-node loaded but has no InferenceSession.create/Tensor: not an onnxruntime module');
  }
  let probe = probes.get(ort);
  if (!probe) {
    probe = probeOnnxRuntime(ort);
    probes.set(ort, probe);
  }
  await probe;
  return ort;
}

const probes = new WeakMap<object, Promise<void>>();

/**
 * Runs a one-node graph (Identity of 2 floats) once. Catches an install whose native part fails, and
 * JavaScript realms where onnxruntime cannot hand back its outputs: under Jest's vm contexts the native
 * addon's Float32Array is not the test's `Float32Array` (jestjs/jest#2549), so every run would throw.
 */
async function probeOnnxRuntime(ort: OnnxRuntimeModule): Promise<void> {
  const bytes = encodeOnnxModel({
    name: 'probe',
    nodes: [{ opType: 'Identity', name: 'probe', inputs: ['x'], outputs: ['y'] }],
    initializers: [],
    inputs: [{ name: 'x', dims: [2] }],
    outputs: [{ name: 'y', dims: [2] }],
  });
  try {
    const session = await ort.InferenceSession.create(bytes);
    try {
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1.5, -2), [2]) });
      const y = out.y.data as Float32Array;
      if (y[0] !== 1.5 || y[1] !== -2) throw new Error(`Identity returned [${Array.from(y).join(', ')}]`);
    } finally {
      await session.release();
    }
  } catch (e) {
    const realm = /must be type of function/.test(String(e))
      ? ' (its outputs come from another JavaScript realm: under Jest, use the test environment packages/model/src/onnx/__fixtures__/nodeRealmEnvironment.cjs)'
      : '';
    throw new OnnxRuntimeError(`onnxruntime-node loaded but cannot run here${realm}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Whether onnxruntime-node can be loaded (it is an optional peer dependency of @cxr/model).
 *
 * @example
 * const engine = (await isOnnxRuntimeAvailable()) ? 'onnx' : 'tfjs';
 */
export async function isOnnxRuntimeAvailable(loader: OnnxRuntimeLoader = defaultOnnxRuntimeLoader): Promise<boolean> {
  try {
    await loadOnnxRuntime(loader);
    return true;
  } catch {
    return false;
  }
}
