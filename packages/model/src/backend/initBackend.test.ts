import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BackendError } from '../errors';
import { defaultBackendLoader, initBackend, type BackendLoader, type BackendName } from './initBackend';

/** A loader where the native packages are absent (as here), except those listed as "installed". */
function loaderWith(installed: BackendName[], calls: BackendName[] = []): BackendLoader {
  return async (name) => {
    calls.push(name);
    if (name === 'tensorflow' || name === 'tensorflow-gpu') {
      if (!installed.includes(name)) throw new Error(`Cannot find module '@tensorflow/tfjs-node'`);
      // Stand-in for tfjs-node: registers a 'tensorflow' backend (computing with the CPU kernels' class).
      if (!tf.findBackendFactory('tensorflow')) tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
      return;
    }
    return defaultBackendLoader(name);
  };
}

afterEach(async () => {
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
  await tf.setBackend('cpu');
});

describe('initBackend', () => {
  it('falls back to wasm in Node when tfjs-node is not installed, and says why', async () => {
    const calls: BackendName[] = [];
    const info = await initBackend({ loader: loaderWith([], calls) });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.threads).toBe(1);
    expect(calls).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
    expect(info.reason).toContain('@tensorflow/tfjs-node (Cannot find module');
    // the wasm backend really computes: 2x2 . 2x2 by hand
    const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]));
    expect(Array.from(await y.data())).toEqual([19, 22, 43, 50]);
    y.dispose();
  });

  it('prefers tfjs-node when it is installed', async () => {
    const info = await initBackend({ loader: loaderWith(['tensorflow']) });
    expect(info.name).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(info.reason).toContain('@tensorflow/tfjs-node-gpu (Cannot find module');
  });

  it('uses cpu as the last resort', async () => {
    const loader: BackendLoader = async (name) => {
      if (name !== 'cpu') throw new Error(`no ${name} here`);
      return defaultBackendLoader(name);
    };
    const info = await initBackend({ loader });
    expect(info).toMatchObject({ name: 'cpu', threads: 1 });
    expect(info.reason).toContain('@tensorflow/tfjs-backend-wasm (no wasm here)');
  });

  it('honours a forced backend, and fails with a typed error when it is absent', async () => {
    expect(await initBackend({ backend: 'cpu', loader: loaderWith([]) })).toMatchObject({ name: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    await expect(initBackend({ backend: 'tensorflow', loader: loaderWith([]) })).rejects.toThrow(BackendError);
    await expect(initBackend({ backend: 'tensorflow', loader: loaderWith([]) })).rejects.toThrow(
      /Backend 'tensorflow' \(@tensorflow\/tfjs-node\) could not start: Cannot find module/,
    );
    await expect(initBackend({ backend: 'webgpu' as BackendName })).rejects.toThrow(/Unknown backend 'webgpu'/);
  });

  it('fails with a typed error when no backend can start', async () => {
    const none: BackendLoader = async (name) => {
      throw new Error(`missing ${name}`);
    };
    await expect(initBackend({ loader: none })).rejects.toThrow(/No TensorFlow.js backend could start: .*missing cpu/);
  });
});
