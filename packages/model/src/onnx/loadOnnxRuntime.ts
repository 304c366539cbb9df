import { OnnxRuntimeError } from '../errors';

/** The `onnxruntime-node` module (only its type: the package is an optional peer dependency). */
export type OnnxRuntimeModule = typeof import('onnxruntime-node');

/** Loads onnxruntime; injectable so tests (and callers) can simulate a missing or broken install. */
export type OnnxRuntimeLoader = () => Promise<OnnxRuntimeModule>;

let cached: Promise<OnnxRuntimeModule> | undefined;

/** The default loader: a dynamic import of `onnxruntime-node`, done once per process. */
export const defaultOnnxRuntimeLoader: OnnxRuntimeLoader = () => {
  cached ??= import('onnxruntime-node').then((mod) => {
    // A CommonJS package seen through import(): the API may sit on `default`.
    const m = mod as OnnxRuntimeModule & { default?: OnnxRuntimeModule };
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
  return ort;
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
