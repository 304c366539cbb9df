import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { distinctValues, writeKerasH5, type FixtureLayer } from '../__fixtures__/writeKerasH5';
import { BackboneConfigError, MissingWeightsError, WeightShapeError, WeightsFormatError } from '../errors';
import { createVgg16 } from './createVgg16';
import { loadBackbone } from './loadBackbone';
import { SHARED_DATA } from '../__fixtures__/sharedData';

const SHARED = SHARED_DATA;
const MOBILENET = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');

/** The convolution layers of a 2-block VGG16 at width 1/16: filters 4, 4, 8, 8. */
function tinyVggLayers(): FixtureLayer[] {
  const spec: Array<[string, number, number]> = [
    ['block1_conv1', 3, 4],
    ['block1_conv2', 4, 4],
    ['block2_conv1', 4, 8],
    ['block2_conv2', 8, 8],
  ];
  return spec.map(([name, cin, cout], i) => ({
    name,
    kernel: { shape: [3, 3, cin, cout], data: distinctValues(9 * cin * cout, i + 1, 0.01) },
    bias: { shape: [cout], data: distinctValues(cout, -(i + 1), 0.1) },
  }));
}
const TINY = { inputShape: [16, 16, 3] as [number, number, number], blocks: 2, widthMultiplier: 1 / 16 };

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-backbone-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createVgg16', () => {
  it("has Keras's VGG16 notop layers, shapes and parameter count", () => {
    const model = createVgg16();
    const names = model.layers.map((l) => l.name);
    expect(names).toEqual([
      'input_1',
      'block1_conv1', 'block1_conv2', 'block1_pool',
      'block2_conv1', 'block2_conv2', 'block2_pool',
      'block3_conv1', 'block3_conv2', 'block3_conv3', 'block3_pool',
      'block4_conv1', 'block4_conv2', 'block4_conv3', 'block4_pool',
      'block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool',
    ]);
    expect(model.outputs[0].shape).toEqual([null, 7, 7, 512]);
    // Keras: VGG16(include_top=False).count_params() == 14,714,688
    expect(model.countParams()).toBe(14714688);
    expect(model.getLayer('block3_conv1').weights.map((w) => w.shape)).toEqual([[3, 3, 128, 256], [256]]);
    model.dispose();
  });

  it('rejects impossible configurations with a typed error', () => {
    expect(() => createVgg16({ blocks: 6 })).toThrow(BackboneConfigError);
    expect(() => createVgg16({ inputShape: [16, 16, 3] })).toThrow(/at least 32x32, got 16x16/);
  });
});

describe('loadBackbone: VGG16 from Keras .h5', () => {
  for (const layout of ['legacy', 'keras2'] as const) {
    for (const attributes of [true, false]) {
      it(`puts every weight in its layer (${layout} layout, ${attributes ? 'with' : 'without'} name attributes)`, async () => {
        const layers = tinyVggLayers();
        const file = path.join(dir, `tiny-${layout}-${attributes}.h5`);
        // the real notop file also lists pooling layers (no weights) and layers a truncated model lacks
        await writeKerasH5(file, layers, layout, { attributes, extraLayers: ['block1_pool', 'block2_pool'] });
        const backbone = await loadBackbone({ name: 'vgg16', weights: file, vgg16: TINY });
        expect(backbone.info.weightsFormat).toBe(layout === 'legacy' ? 'keras-h5-legacy' : 'keras-h5');
        for (const layer of layers) {
          const [kernel, bias] = backbone.model.getLayer(layer.name).getWeights();
          expect(kernel.shape).toEqual(layer.kernel.shape);
          expect(kernel.dataSync()).toEqual(layer.kernel.data);
          expect(bias.dataSync()).toEqual(layer.bias.data);
        }
        expect(backbone.outputShape).toEqual([4, 4, 8]);
        expect(backbone.model.trainable).toBe(false);
        expect(backbone.preprocessing.normalization).toBe('vgg16-caffe');
        expect(backbone.info.normalization).toBe('vgg16-caffe');
        expect(backbone.weightsHash).toBe(createHash('sha256').update(await readFile(file)).digest('hex'));
        backbone.model.dispose();
      });
    }
  }

  it('loads a full-size VGG16 file in the official (legacy) layout, every value in place', async () => {
    const layers: FixtureLayer[] = [];
    let cin = 3;
    for (const [block, convs, filters] of [[1, 2, 64], [2, 2, 128], [3, 3, 256], [4, 3, 512], [5, 3, 512]]) {
      for (let i = 1; i <= convs; i++) {
        const n = 9 * cin * filters;
        const li = layers.length;
        // value = layer index + position pattern: a swapped layer, transposed kernel or kernel/bias mix-up shows
        const kernel = new Float32Array(n);
        for (let j = 0; j < n; j++) kernel[j] = li + (j % 9973) / 1e4;
        const bias = Float32Array.from({ length: filters }, (_, j) => -li - j / 1e3);
        layers.push({ name: `block${block}_conv${i}`, kernel: { shape: [3, 3, cin, filters], data: kernel }, bias: { shape: [filters], data: bias } });
        cin = filters;
      }
    }
    const pools = [1, 2, 3, 4, 5].map((b) => `block${b}_pool`);
    const file = path.join(dir, 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5');
    await writeKerasH5(file, layers, 'legacy', { extraLayers: pools });
    const backbone = await loadBackbone({ name: 'vgg16', weights: file });
    expect(backbone.outputShape).toEqual([7, 7, 512]);
    expect(backbone.info).toMatchObject({ weightsFormat: 'keras-h5-legacy', parameters: 14714688, pretrained: true });
    let mismatches = 0;
    let values = 0;
    for (const layer of layers) {
      const [kernel, bias] = backbone.model.getLayer(layer.name).getWeights().map((t) => t.dataSync());
      for (const [got, want] of [[kernel, layer.kernel.data], [bias, layer.bias.data]] as const) {
        expect(got.length).toBe(want.length);
        for (let j = 0; j < want.length; j++) if (got[j] !== want[j]) mismatches++;
        values += want.length;
      }
    }
    expect(values).toBe(14714688);
    expect(mismatches).toBe(0);
    backbone.model.dispose();
    await rm(file);
  }, 120_000);

  it('computes what a hand-written conv3x3 + ReLU + 2x2 max-pool computes with the file weights', async () => {
    const layers = tinyVggLayers().slice(0, 2);
    const file = path.join(dir, 'one-block.h5');
    await writeKerasH5(file, layers, 'legacy');
    const backbone = await loadBackbone({
      name: 'vgg16',
      weights: file,
      normalization: 'unit',
      vgg16: { inputShape: [6, 6, 3], blocks: 1, widthMultiplier: 1 / 16 },
    });
    expect(backbone.preprocessing.normalization).toBe('unit');
    const H = 6;
    const image = Float32Array.from({ length: H * H * 3 }, (_, i) => ((i * 37) % 11) / 10 - 0.3);
    // reference: plain loops, HWIO kernel, zero padding ("same"), as Keras defines them
    const conv = (x: Float32Array, cin: number, l: FixtureLayer): Float32Array => {
      const cout = l.bias.shape[0];
      const y = new Float32Array(H * H * cout);
      for (let r = 0; r < H; r++)
        for (let c = 0; c < H; c++)
          for (let o = 0; o < cout; o++) {
            let s = l.bias.data[o];
            for (let dr = -1; dr <= 1; dr++)
              for (let dc = -1; dc <= 1; dc++) {
                const rr = r + dr;
                const cc = c + dc;
                if (rr < 0 || cc < 0 || rr >= H || cc >= H) continue;
                for (let i = 0; i < cin; i++) {
                  s += x[(rr * H + cc) * cin + i] * l.kernel.data[(((dr + 1) * 3 + (dc + 1)) * cin + i) * cout + o];
                }
              }
            y[(r * H + c) * cout + o] = Math.max(0, s);
          }
      return y;
    };
    const a = conv(conv(image, 3, layers[0]), 4, layers[1]);
    const expected: number[] = [];
    for (let r = 0; r < H / 2; r++)
      for (let c = 0; c < H / 2; c++)
        for (let o = 0; o < 4; o++) {
          const at = (rr: number, cc: number) => a[(rr * H + cc) * 4 + o];
          expected.push(Math.max(at(2 * r, 2 * c), at(2 * r, 2 * c + 1), at(2 * r + 1, 2 * c), at(2 * r + 1, 2 * c + 1)));
        }
    const y = tf.tidy(() => backbone.model.predict(tf.tensor4d(image, [1, H, H, 3])) as tf.Tensor);
    const got = Array.from(await y.data());
    y.dispose();
    expect(got.some((v) => v > 0)).toBe(true);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    backbone.model.dispose();
  });

  it('names the layer when a weight has the wrong shape', async () => {
    const layers = tinyVggLayers();
    layers[2] = { ...layers[2], kernel: { shape: [3, 3, 4, 7], data: new Float32Array(3 * 3 * 4 * 7) } };
    const file = path.join(dir, 'bad-shape.h5');
    await writeKerasH5(file, layers, 'keras2');
    const load = loadBackbone({ name: 'vgg16', weights: file, vgg16: TINY });
    await expect(load).rejects.toThrow(WeightShapeError);
    await expect(loadBackbone({ name: 'vgg16', weights: file, vgg16: TINY })).rejects.toThrow(
      `Weight block2_conv1/kernel:0 of layer block2_conv1 in ${file} has shape [3, 3, 4, 7], expected [3, 3, 4, 8]`,
    );
  });

  it('names the layer when the file lacks it', async () => {
    const file = path.join(dir, 'missing.h5');
    await writeKerasH5(file, tinyVggLayers().filter((l) => l.name !== 'block2_conv2'), 'legacy');
    const err = await loadBackbone({ name: 'vgg16', weights: file, vgg16: TINY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingWeightsError);
    expect((err as MissingWeightsError).layer).toBe('block2_conv2');
    expect((err as Error).message).toBe(`No weights for layer block2_conv2 in ${file}`);
  });

  it('rejects a file that is not HDF5, and a missing file', async () => {
    const file = path.join(dir, 'not.h5');
    await writeFile(file, 'hello');
    await expect(loadBackbone({ name: 'vgg16', weights: file })).rejects.toThrow(new WeightsFormatError(file, 'not an HDF5 file'));
    await expect(loadBackbone({ name: 'vgg16', weights: path.join(dir, 'nope.h5') })).rejects.toThrow(WeightsFormatError);
    await expect(loadBackbone({ name: 'resnet' as 'vgg16', weights: file })).rejects.toThrow(/Unknown backbone 'resnet'/);
  });

  it('loads VGG16 saved in the tfjs layers format too', async () => {
    const source = createVgg16({ ...TINY, seed: 3 });
    const out = path.join(dir, 'tfjs-vgg');
    await source.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const { mkdir } = await import('node:fs/promises');
        await mkdir(out, { recursive: true });
        const json = {
          format: 'layers-model',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        await writeFile(path.join(out, 'model.json'), JSON.stringify(json));
        await writeFile(path.join(out, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const backbone = await loadBackbone({ name: 'vgg16', weights: out });
    expect(backbone.info.weightsFormat).toBe('tfjs-layers');
    for (const name of ['block1_conv1', 'block2_conv2']) {
      expect(backbone.model.getLayer(name).getWeights()[0].dataSync()).toEqual(source.getLayer(name).getWeights()[0].dataSync());
    }
    source.dispose();
    backbone.model.dispose();
  });
});

describe('loadBackbone: MobileNet v1 (shared tfjs weights)', () => {
  it('loads the shared model: 7x7x1024, [-1, 1] inputs, weights byte-equal to the shards', async () => {
    const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET });
    expect(backbone.outputShape).toEqual([7, 7, 1024]);
    expect(backbone.preprocessing).toMatchObject({ normalization: 'mobilenet', height: 224, width: 224, channels: 3 });
    expect(backbone.model.layers.at(-1)?.name).toBe('conv_pw_12_relu');
    // independent check: the first weight of the manifest is the first bytes of weights.1.bin
    const manifest = JSON.parse(await readFile(path.join(MOBILENET, 'model.json'), 'utf8'));
    const first = manifest.weightsManifest[0].weights[0];
    const n = first.shape.reduce((a: number, b: number) => a * b, 1);
    const shard = await readFile(path.join(MOBILENET, manifest.weightsManifest[0].paths[0]));
    const expected = new Float32Array(shard.buffer.slice(shard.byteOffset, shard.byteOffset + 4 * n));
    const layerName = first.name.split('/')[0];
    expect(backbone.model.getLayer(layerName).getWeights()[0].dataSync()).toEqual(expected);
    // the hash is the SHA-256 of model.json followed by the shards
    const hash = createHash('sha256');
    hash.update(await readFile(path.join(MOBILENET, 'model.json')));
    for (const p of manifest.weightsManifest[0].paths) hash.update(await readFile(path.join(MOBILENET, p)));
    expect(backbone.weightsHash).toBe(hash.digest('hex'));
    backbone.model.dispose();
  });

  it('cuts at a named layer, and names a missing one', async () => {
    const cut = await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET, cutLayer: 'conv_pw_11_relu' });
    expect(cut.outputShape).toEqual([14, 14, 512]);
    expect(cut.info.cutLayer).toBe('conv_pw_11_relu');
    const before = tf.memory().numTensors;
    await expect(loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET, cutLayer: 'conv_pw_13_relu' })).rejects.toThrow(
      /No layer 'conv_pw_13_relu' in model/,
    );
    expect(tf.memory().numTensors).toBe(before); // the weights it loaded are released
    cut.model.dispose();
  });

  it('names a missing shard', async () => {
    const copy = path.join(dir, 'mobilenet-missing-shard');
    const { mkdir, copyFile } = await import('node:fs/promises');
    await mkdir(copy);
    await copyFile(path.join(MOBILENET, 'model.json'), path.join(copy, 'model.json'));
    await expect(loadBackbone({ name: 'mobilenet_v1', weights: copy })).rejects.toThrow(/weights\.1\.bin: weight shard listed in .* is missing/);
  });
});
