import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { WeightsFormatError } from '../errors';
import { loadBackbone } from './loadBackbone';
import { loadBackboneFromUrl } from './loadBackboneFromUrl';
import { SHARED_DATA } from '../__fixtures__/sharedData';

const SHARED = SHARED_DATA;
const MOBILENET = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');

let server: http.Server;
let base: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  // serves the shared folder read-only, like a static web server would
  server = http.createServer(async (req, res) => {
    // no keep-alive: a socket the server closes while idle (late timers under load) cannot be reused: ECONNRESET
    res.setHeader('connection', 'close');
    try {
      const body = await readFile(path.join(MOBILENET, path.basename(req.url ?? '')));
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('loadBackboneFromUrl', () => {
  it('loads MobileNet over HTTP with the same weights and weightsHash as from disk', async () => {
    const remote = await loadBackboneFromUrl({ name: 'mobilenet_v1', url: `${base}/model.json`, cutLayer: 'conv_pw_11_relu' });
    const local = await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET, cutLayer: 'conv_pw_11_relu' });
    expect(remote.weightsHash).toBe(local.weightsHash);
    expect(remote.outputShape).toEqual([14, 14, 512]);
    expect(remote.preprocessing).toEqual(local.preprocessing);
    expect(remote.info).toMatchObject({ weightsFormat: 'tfjs-layers', pretrained: true, cutLayer: 'conv_pw_11_relu' });
    const w = (b: typeof local) => b.model.getLayer('conv_pw_11').getWeights()[0].dataSync();
    expect(w(remote)).toEqual(w(local));
    remote.model.dispose();
    local.model.dispose();
  });

  it('names the URL that failed', async () => {
    const url = `${base}/nothing.json`;
    await expect(loadBackboneFromUrl({ name: 'mobilenet_v1', url })).rejects.toThrow(new WeightsFormatError(url, 'HTTP 404 Not Found'));
  });
});
