import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadBackbone } from '@cxr/model/node';
import { runCli } from '../__fixtures__/cliHarness';

/** `cxr weights fetch` against a local HTTP server (no internet in tests), `cxr weights import` errors. */
describe('cxr weights', () => {
  let tmp: string;
  let server: http.Server;
  let base: string;
  const payload = randomBytes(50_000);
  let requests = 0;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-weights-'));
    server = http.createServer((req, res) => {
      // no keep-alive: a socket the server closes while idle (late timers under load) cannot be reused: ECONNRESET
      res.setHeader('connection', 'close');
      requests++;
      if (req.url === '/w/vgg16.h5') {
        res.writeHead(200, { 'content-length': payload.length });
        res.end(payload);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(tmp, { recursive: true, force: true });
  });

  it('fetch downloads into the cache once (SHA-256 checked independently), then reuses it', async () => {
    const first = await runCli(tmp, ['weights', 'fetch', 'vgg16', '--url', `${base}/w/vgg16.h5`, '--cache-dir', 'cache', '--json']);
    expect(first.code).toBe(0);
    const got = JSON.parse(first.stdout);
    expect(got.path).toBe(path.join(tmp, 'cache', 'vgg16.h5'));
    expect(got.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
    expect(Buffer.compare(await readFile(got.path), payload)).toBe(0);
    expect(got.cached).toBe(false);
    const before = requests;
    const again = await runCli(tmp, ['weights', 'fetch', 'vgg16', '--url', `${base}/w/vgg16.h5`, '--cache-dir', 'cache']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already in the cache');
    expect(requests).toBe(before);
  });

  it('fetch: an HTTP error is bad input (exit 1, one line); an unknown backbone is bad usage (exit 2)', async () => {
    const r = await runCli(tmp, ['weights', 'fetch', 'vgg16', '--url', `${base}/missing.h5`, '--cache-dir', 'cache']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('404');
    expect((await runCli(tmp, ['weights', 'fetch', 'resnet50'])).code).toBe(2);
  });

  it('import converts a Keras VGG .h5 (old layout) to the tfjs layers format with every weight intact', async () => {
    // A tiny VGG16 look-alike (2 blocks, 4 and 8 filters) with distinct known values, written as Keras 1 does.
    const shapes: Array<[string, number[]]> = [
      ['block1_conv1', [3, 3, 3, 4]],
      ['block1_conv2', [3, 3, 4, 4]],
      ['block2_conv1', [3, 3, 4, 8]],
      ['block2_conv2', [3, 3, 8, 8]],
    ];
    const values = (n: number, layer: number): Float32Array => Float32Array.from({ length: n }, (_, j) => (j % 2 ? -1 : 1) * (layer + ((j * 7919) % 10007) / 1e4));
    const layers = shapes.map(([name, shape], i) => ({ name, shape, kernel: values(shape.reduce((a, b) => a * b, 1), i + 1), bias: values(shape[3], i + 11) }));
    const file = path.join(tmp, 'tiny_vgg_notop.h5');
    const { default: h5 } = await import('h5wasm/node');
    await h5.ready;
    const f = new h5.File(file, 'w');
    const fixed = (list: string[]) => `S${Math.max(...list.map((x) => x.length))}`;
    const names = layers.map((l) => l.name);
    f.create_attribute('layer_names', names, [names.length], fixed(names));
    for (const l of layers) {
      const g = f.create_group(l.name);
      const w = [`${l.name}_W_1:0`, `${l.name}_b_1:0`];
      g.create_attribute('weight_names', w, [2], fixed(w));
      g.create_dataset({ name: w[0], data: l.kernel, shape: l.shape, dtype: '<f' });
      g.create_dataset({ name: w[1], data: l.bias, shape: [l.shape[3]], dtype: '<f' });
    }
    f.close();

    const r = await runCli(tmp, ['weights', 'import', file, '--out', 'tiny-tfjs', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.files[0]).toBe('model.json');
    // parameters: sum of kernel and bias sizes
    expect(result.parameters).toBe(layers.reduce((a, l) => a + l.kernel.length + l.bias.length, 0));
    const backbone = await loadBackbone({ name: 'vgg16', weights: path.join(tmp, 'tiny-tfjs') });
    try {
      for (const l of layers) {
        const [kernel, bias] = backbone.model.getLayer(l.name).getWeights();
        expect(kernel.shape).toEqual(l.shape);
        expect(Array.from(kernel.dataSync())).toEqual(Array.from(l.kernel));
        expect(Array.from(bias.dataSync())).toEqual(Array.from(l.bias));
      }
      expect(backbone.outputShape[2]).toBe(8);
    } finally {
      backbone.model.dispose();
    }
  });

  it('import refuses a file that is not HDF5, naming it (exit 1)', async () => {
    const fake = path.join(tmp, 'fake.h5');
    await writeFile(fake, 'not hdf5');
    const r = await runCli(tmp, ['weights', 'import', fake, '--out', 'converted']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('fake.h5');
  });
});
