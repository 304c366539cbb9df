/**
 * @jest-environment ./src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createVgg16 } from '../backbones/createVgg16';
import { OnnxExportError, OnnxRuntimeError } from '../errors';
import { createFeatureExtractor } from './createFeatureExtractor';
import { createOnnxExtractor } from './createOnnxExtractor';
import { isOnnxRuntimeAvailable, loadOnnxRuntime, type OnnxRuntimeLoader, type OnnxRuntimeModule } from './loadOnnxRuntime';

// Simulates a machine without the optional peer dependency, as Node reports it.
const missing: OnnxRuntimeLoader = () => Promise.reject(new Error("Cannot find module 'onnxruntime-node'"));
const tiny = () => createVgg16({ inputShape: [16, 16, 3], widthMultiplier: 1 / 16, blocks: 2, seed: 9 });
const input = Float32Array.from({ length: 2 * 16 * 16 * 3 }, (_, i) => Math.cos(i * 0.37));

function reference(model: tfl.LayersModel): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(input, [2, 16, 16, 3])) as tf.Tensor).dataSync() as Float32Array);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('isOnnxRuntimeAvailable / loadOnnxRuntime', () => {
  it('is true with the installed package and false with a missing or bogus one', async () => {
    expect(await isOnnxRuntimeAvailable()).toBe(true);
    expect(await isOnnxRuntimeAvailable(missing)).toBe(false);
    expect(await isOnnxRuntimeAvailable(async () => ({}) as never)).toBe(false);
    await expect(loadOnnxRuntime(missing)).rejects.toThrow(OnnxRuntimeError);
    await expect(loadOnnxRuntime(missing)).rejects.toThrow(/onnxruntime-node is not available \(Cannot find module 'onnxruntime-node'\)/);
  });
});

describe('createFeatureExtractor', () => {
  it('auto picks onnxruntime when installed; features match tfjs', async () => {
    const model = tiny();
    const warnings: string[] = [];
    const extractor = await createFeatureExtractor({ model, intraOpNumThreads: 1, onWarning: (m) => warnings.push(m) });
    expect(extractor.info).toMatchObject({ engine: 'onnxruntime-node', threads: 1 });
    expect(extractor.info.fallbackReason).toBeUndefined();
    expect(warnings).toEqual([]);
    const expected = reference(model);
    const features = await extractor.run(input, 2);
    expect(features.length).toBe(expected.length);
    features.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-5));
    await extractor.dispose();
    model.dispose();
  });

  it('auto falls back to tfjs without onnxruntime, and says so (warning + info.fallbackReason)', async () => {
    const model = tiny();
    const warnings: string[] = [];
    const extractor = await createFeatureExtractor({ model, loader: missing, onWarning: (m) => warnings.push(m) });
    expect(extractor.info).toMatchObject({ engine: 'tfjs', backend: 'cpu' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/onnxruntime-node is not available .*falling back to tfjs \(cpu backend\)/);
    expect(extractor.info.fallbackReason).toBe(warnings[0]);
    const before = tf.memory().numTensors;
    expect(Array.from(await extractor.run(input, 2))).toEqual(Array.from(reference(model)));
    expect(tf.memory().numTensors).toBe(before); // no tensor leak
    expect(extractor.outputShape).toEqual([4, 4, 8]);
    model.dispose();
  });

  it('auto falls back on a layer the exporter does not support, naming it', async () => {
    const inputLayer = tfl.input({ shape: [8, 8, 1] });
    const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(inputLayer) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: inputLayer, outputs: up });
    const warnings: string[] = [];
    const extractor = await createFeatureExtractor({ model, onWarning: (m) => warnings.push(m) });
    expect(extractor.info.engine).toBe('tfjs');
    expect(warnings[0]).toMatch(/at layer up: layer type UpSampling2D is not supported/);
    await expect(createFeatureExtractor({ model, engine: 'onnx' })).rejects.toThrow(OnnxExportError);
  });

  it("engine 'onnx' fails without onnxruntime; 'tfjs' never warns; the default warning is a process warning", async () => {
    const model = tiny();
    await expect(createFeatureExtractor({ model, engine: 'onnx', loader: missing })).rejects.toThrow(OnnxRuntimeError);
    const warnings: string[] = [];
    const tfjs = await createFeatureExtractor({ model, engine: 'tfjs', onWarning: (m) => warnings.push(m) });
    expect(tfjs.info.engine).toBe('tfjs');
    expect(warnings).toEqual([]);
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await createFeatureExtractor({ model, loader: missing });
      expect(emitted).toHaveBeenCalledWith(expect.stringMatching(/falling back to tfjs/), { code: 'CXR_ONNX_FALLBACK' });
    } finally {
      emitted.mockRestore();
    }
    await expect(createFeatureExtractor({ model, engine: 'gpu' as never })).rejects.toThrow(/engine must be 'auto', 'onnx' or 'tfjs', got "gpu"/);
    model.dispose();
  });
});

describe('createOnnxExtractor on a graph it cannot use', () => {
  it('releases the native session it created before throwing', async () => {
    let created = 0;
    let released = 0;
    // a stand-in onnxruntime: passes the probe (Identity), then loads a graph without the `input` tensor
    const fake: OnnxRuntimeModule = {
      InferenceSession: {
        create: async () => {
          created++;
          return {
            inputMetadata: [{ name: 'x', isTensor: true, shape: [2] }],
            outputMetadata: [{ name: 'y', isTensor: true, shape: [2] }],
            run: async () => ({ y: { data: Float32Array.of(1.5, -2) } }),
            release: async () => {
              released++;
            },
          };
        },
      },
      Tensor: class {} as unknown as OnnxRuntimeModule['Tensor'],
    };
    await expect(createOnnxExtractor({ onnxBytes: new Uint8Array(8), loader: async () => fake, intraOpNumThreads: 1 })).rejects.toThrow(
      /the ONNX graph has no tensor input/,
    );
    expect([created, released]).toEqual([2, 2]); // the probe's session and the graph's
  });
});
