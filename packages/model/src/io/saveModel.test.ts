import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_PREPROCESS_SPEC } from '@cxr/preprocess';
import { tinyBackbone, tinyImages, useCpu } from '../__fixtures__/tinyBackbone';
import { ModelConfigError, ModelIoError, WeightsFormatError } from '../errors';
import { loadLayersModelFromDir } from '../weights/loadLayersModelFromDir';
import { createHead } from '../head/createHead';
import { loadModel } from './loadModel';
import { loadModelFromUrl } from './loadModelFromUrl';
import { modelToFiles } from './modelToFiles';
import { saveModel, type SaveModelOptions } from './saveModel';

const SPEC = { ...DEFAULT_PREPROCESS_SPEC, height: 32, width: 32 };
let tmp: string;
let x: tf.Tensor4D;

beforeAll(async () => {
  await useCpu();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-model-io-'));
  const { images } = tinyImages(6, 9);
  x = tf.tensor4d(Float32Array.from(images.flatMap((i) => Array.from(i))), [6, 32, 32, 3]);
});
afterAll(async () => {
  x.dispose();
  await rm(tmp, { recursive: true, force: true });
});

function options(extra: Partial<SaveModelOptions> = {}): SaveModelOptions {
  const backbone = { ...tinyBackbone(), preprocessing: SPEC, info: { weightsSource: 'random', cutLayer: 'pool2' } };
  const head = createHead({ inputShape: [8, 8, 8], poolSize: 4, units: 6, seed: 4 });
  return { backbone, head, classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.4, trainingMetrics: { loss: [0.7, 0.5] }, datasetManifestHash: 'abc123', ...extra };
}
const predictAll = (m: tfl.LayersModel) => Array.from((m.predict(x) as tf.Tensor).dataSync());

describe('saveModel / loadModel', () => {
  it('writes one self-contained folder (tfjs layers format + cxr.json) that loads back to the same predictions', async () => {
    const dir = path.join(tmp, 'a');
    const opts = options({ quantize: 'float16', createdAt: new Date('2026-11-26T12:00:00Z') });
    const saved = await saveModel(dir, opts);
    expect((await readdir(dir)).sort()).toEqual(['cxr.json', 'float16-shard1of1.bin', 'group1-shard1of1.bin', 'model-float16.json', 'model.json']);
    // parameters by hand: conv1 3*3*3*4+4, conv2 3*3*4*8+8, dense 32*6+6, output 6*2+2 = 620
    expect((await readFile(path.join(dir, 'group1-shard1of1.bin'))).byteLength).toBe(620 * 4);
    expect((await readFile(path.join(dir, 'float16-shard1of1.bin'))).byteLength).toBe(620 * 2);
    const cfg = JSON.parse(await readFile(path.join(dir, 'cxr.json'), 'utf8'));
    expect(Object.keys(cfg).sort()).toEqual([
      'backbone', 'classes', 'createdAt', 'datasetManifestHash', 'formatVersion', 'notForClinicalUse', 'packageVersions',
      'positiveClass', 'preprocessing', 'threshold', 'trainingMetrics',
    ]);
    expect(cfg).toMatchObject({
      formatVersion: 1, notForClinicalUse: true, createdAt: '2026-11-26T12:00:00.000Z', classes: ['covid', 'normal'], positiveClass: 'covid',
      threshold: 0.4, backbone: { name: 'tiny', weightsHash: 'tiny-seed-7', outputShape: [8, 8, 8], info: { cutLayer: 'pool2' } },
      preprocessing: SPEC, trainingMetrics: { loss: [0.7, 0.5] }, datasetManifestHash: 'abc123',
    });
    expect(cfg.packageVersions['@tensorflow/tfjs-core']).toMatch(/^4\./);
    expect(saved.config).toEqual(cfg);
    const model = (await import('../head/createClassifier')).createClassifier(opts.backbone, { head: opts.head! });
    const expected = predictAll(model);
    const loaded = await loadModel(dir);
    expect(loaded.config).toEqual(cfg);
    expect(predictAll(loaded.model)).toEqual(expected); // float32: bit-exact
    const half = await loadModel(dir, { variant: 'float16' });
    const got = predictAll(half.model);
    got.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(5e-3));
    expect(got).not.toEqual(expected);
  });

  it('refuses to overwrite unless asked, then replaces atomically leaving no temp folders', async () => {
    const dir = path.join(tmp, 'b');
    await saveModel(dir, options());
    await expect(saveModel(dir, options())).rejects.toThrow(ModelIoError);
    await expect(saveModel(dir, options())).rejects.toThrow(/exists/);
    await saveModel(dir, options({ threshold: 0.7, overwrite: true }));
    expect((await loadModel(dir)).config.threshold).toBe(0.7);
    expect((await readdir(tmp)).filter((n) => n.startsWith('b'))).toEqual(['b']);
  });

  it('rejects a config that does not fit the model', async () => {
    await expect(saveModel(path.join(tmp, 'c'), options({ positiveClass: 'COVID' }))).rejects.toThrow(/positiveClass "COVID" is not one of classes/);
    await expect(saveModel(path.join(tmp, 'c'), options({ classes: ['covid', 'normal', 'pneumonia'] }))).rejects.toThrow(/2 outputs but 3 classes/);
    await expect(saveModel(path.join(tmp, 'c'), options({ preprocessing: { ...SPEC, height: 224 } }))).rejects.toThrow(/input \[32, 32, 3\].*\[224, 32, 3\]/);
  });

  it('reports a bad or missing cxr.json with the file and the field', async () => {
    const dir = path.join(tmp, 'd');
    await saveModel(dir, options());
    const file = path.join(dir, 'cxr.json');
    const good = JSON.parse(await readFile(file, 'utf8'));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, threshold: 1.5 }, /threshold must be a number in \[0, 1\], got 1.5/],
      [{ ...good, notForClinicalUse: false }, /notForClinicalUse must be true/],
      [{ ...good, preprocessing: { ...good.preprocessing, channels: 2 } }, /preprocessing.channels must be 1 or 3, got 2/],
      [Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'classes')), /missing field "classes"/],
      [{ ...good, extra: 1 }, /unknown field "extra"/],
      [{ ...good, preprocessing: { ...good.preprocessing, lungCrop: { x: 0.5, y: 0, width: 0.8, height: 1 } } }, /preprocessing.lungCrop.x \+ lungCrop.width must be at most 1, got 0.5 \+ 0.8/],
      [{ ...good, preprocessing: { ...good.preprocessing, lungCrop: 'centre' } }, /preprocessing.lungCrop must be null or \{ x, y, width, height \}.*got "centre"/],
    ];
    for (const [json, message] of cases) {
      await writeFile(file, JSON.stringify(json));
      const error = await loadModel(dir).catch((e) => e);
      expect(error).toBeInstanceOf(ModelConfigError);
      expect(error.message).toContain(file);
      expect(error.message).toMatch(message);
    }
    await writeFile(file, '{ not json');
    await expect(loadModel(dir)).rejects.toThrow(ModelConfigError);
    await expect(loadModel(path.join(tmp, 'nope'))).rejects.toThrow(ModelIoError);
  });

  it('loads from a URL with fetch (what the web demo does)', async () => {
    const dir = path.join(tmp, 'e');
    await saveModel(dir, options({ quantize: 'float16' }));
    const server = http.createServer(async (req, res) => {
      // no keep-alive: a socket the server closes while idle (late timers under load) cannot be reused: ECONNRESET
      res.setHeader('connection', 'close');
      try {
        const body = await readFile(path.join(tmp, new URL(req.url ?? '/', 'http://localhost').pathname));
        res.writeHead(200).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/e`;
      const viaUrl = await loadModelFromUrl(url);
      const viaDisk = await loadModel(dir);
      expect(predictAll(viaUrl.model)).toEqual(predictAll(viaDisk.model));
      expect(viaUrl.config).toEqual(viaDisk.config);
      const half = await loadModelFromUrl(`${url}/`, { variant: 'float16' });
      expect(half.model.countParams()).toBe(620);
      await expect(loadModelFromUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/missing`)).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
    }
  });
});

describe('modelToFiles', () => {
  it('splits weights into shards of at most shardBytes that tfjs reassembles', async () => {
    const model = (await import('../head/createClassifier')).createClassifier(tinyBackbone(), { poolSize: 4, units: 6 });
    const files = await modelToFiles(model, { shardBytes: 1000 });
    expect(files.shards.map((s) => [s.name, s.data.byteLength])).toEqual([
      ['group1-shard1of3.bin', 1000], ['group1-shard2of3.bin', 1000], ['group1-shard3of3.bin', 480],
    ]);
    const weightData = new Uint8Array(2480);
    files.shards.forEach((s, i) => weightData.set(s.data, i * 1000));
    const back = await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: files.modelJson.modelTopology, weightSpecs: files.modelJson.weightsManifest[0].weights, weightData: weightData.buffer }),
    );
    expect(predictAll(back)).toEqual(predictAll(model));
  });
});

describe('untrusted weights manifests', () => {
  // model.json is input: its shard paths must stay in the model folder, and shard sizes are checked before reading
  let root: string;
  let made = 0;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cxr-manifest-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function tampered(name: string, edit: (json: tf.io.ModelJSON) => void): Promise<string> {
    const dir = path.join(root, name);
    await saveModel(dir, options());
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    edit(json);
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    return dir;
  }

  it.each([['../secret.bin'], ['/etc/passwd'], ['sub/../../x.bin'], ['%2e%2e/x.bin'], ['file:///etc/passwd'], ['a\\..\\..\\x.bin'], ['']])(
    'refuses the shard path %j (loadModel, loadLayersModelFromDir, loadModelFromUrl)',
    async (bad) => {
      const dir = await tampered(`bad-${++made}`, (json) => {
        json.weightsManifest[0].paths[0] = bad;
      });
      await writeFile(path.join(root, 'secret.bin'), Buffer.alloc(16));
      await expect(loadModel(dir)).rejects.toThrow(/not a relative path inside the model folder/);
      await expect(loadLayersModelFromDir(dir)).rejects.toThrow(WeightsFormatError);
      const requested: string[] = [];
      const fakeFetch = (async (input: string | URL | Request) => {
        const url = String(input);
        requested.push(url);
        const file = path.join(root, new URL(url).pathname);
        return new Response(await readFile(file));
      }) as typeof fetch;
      await expect(loadModelFromUrl(`http://cxr.test/${path.basename(dir)}`, { fetch: fakeFetch })).rejects.toThrow(ModelIoError);
      expect(requested.every((u) => u.startsWith(`http://cxr.test/${path.basename(dir)}/`))).toBe(true);
    },
  );

  it('refuses shards larger than the manifest needs before reading them', async () => {
    const dir = await tampered('big', () => undefined);
    const shard = path.join(dir, 'group1-shard1of1.bin');
    await writeFile(shard, Buffer.concat([await readFile(shard), Buffer.alloc(1024)]));
    await expect(loadModel(dir)).rejects.toThrow(/shards hold \d+ bytes but its weights need/);
    await expect(loadLayersModelFromDir(dir)).rejects.toThrow(WeightsFormatError);
    const fakeFetch = (async (input: string | URL | Request) => new Response(await readFile(path.join(root, new URL(String(input)).pathname)))) as typeof fetch;
    await expect(loadModelFromUrl('http://cxr.test/big', { fetch: fakeFetch })).rejects.toThrow(/shards hold \d+ bytes but its weights need/);
  });
});
