import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ChecksumError, DownloadError } from '../errors';
import type { DownloadProgress } from './downloadFile';
import { fetchWeights } from './fetchWeights';

interface Served {
  body: Buffer;
  /** Close the connection after this many bytes, on the first N requests. */
  cutAt?: number;
  cuts?: number;
  /** Answer every request with 200 and the whole body (a server without Range support). */
  noRange?: boolean;
  /**
   * With `cutAt`: the client's `.part` file. The cut waits until it holds some bytes (so there is something to
   * resume from however loaded the machine is), and each Range request records the file's size on disk then.
   */
  partFile?: string;
  partSizeAtRange?: number[];
}

/** Size of a file now, 0 when absent. */
function sizeNow(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

const files = new Map<string, Served>();
const requests: Array<{ path: string; range?: string }> = [];
let server: http.Server;
let base: string;
let dir: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    // no keep-alive: a socket the server closes while idle (late timers under load) cannot be reused: ECONNRESET
    res.setHeader('connection', 'close');
    const url = req.url ?? '/';
    requests.push({ path: url, range: req.headers.range });
    const served = files.get(url);
    if (!served) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const total = served.body.length;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (m && !served.noRange) {
      start = Number(m[1]);
      if (served.partFile) (served.partSizeAtRange ??= []).push(sizeNow(served.partFile));
      if (start >= total) {
        res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': total - start, 'content-range': `bytes ${start}-${total - 1}/${total}` });
    } else {
      res.writeHead(200, { 'content-length': total });
    }
    const rest = served.body.subarray(start);
    if (served.cutAt !== undefined && (served.cuts ?? 1) > 0) {
      served.cuts = (served.cuts ?? 1) - 1;
      const partFile = served.partFile;
      const cut = (): void => {
        // Close once the client has stored some of the bytes (with no part file to watch: after 20 ms).
        if (partFile && sizeNow(partFile) === 0) setTimeout(cut, 5);
        else res.socket?.destroy();
      };
      res.write(rest.subarray(0, served.cutAt - start), () => setTimeout(cut, 20));
      return;
    }
    res.end(rest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-fetch-'));
  requests.length = 0;
  files.clear();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('fetchWeights', () => {
  it('downloads a whole file with progress and a SHA-256 check, then serves it from the cache', async () => {
    const body = randomBytes(300_000);
    files.set('/w/vgg.h5', { body });
    const events: DownloadProgress[] = [];
    const got = await fetchWeights('vgg16', { cacheDir: dir, url: `${base}/w/vgg.h5`, sha256: sha(body), onProgress: (p) => events.push(p) });
    expect(got).toMatchObject({ path: path.join(dir, 'vgg.h5'), sha256: sha(body), cached: false, resumed: false });
    expect((await readFile(got.path)).equals(body)).toBe(true);
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ receivedBytes: 300_000, totalBytes: 300_000, resumedFrom: 0 });
    events.slice(1).forEach((e, i) => expect(e.receivedBytes).toBeGreaterThanOrEqual(events[i].receivedBytes));
    expect(await readdir(dir)).toEqual(['vgg.h5']);
    const again = await fetchWeights('vgg16', { cacheDir: dir, url: `${base}/w/vgg.h5`, sha256: sha(body) });
    expect(again.cached).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('resumes with an HTTP Range request after the server closes mid-transfer', async () => {
    const body = randomBytes(200_000);
    const served: Served = { body, cutAt: 70_000, cuts: 1, partFile: path.join(dir, 'vgg.h5.part') };
    files.set('/w/vgg.h5', served);
    const events: DownloadProgress[] = [];
    const got = await fetchWeights('vgg16', { cacheDir: dir, url: `${base}/w/vgg.h5`, onProgress: (p) => events.push(p) });
    expect(got.resumed).toBe(true);
    expect((await readFile(got.path)).equals(body)).toBe(true); // byte-identical after the resume
    // How many of the 70,000 bytes sent before the cut reached the disk depends on the machine's load (65,409 was
    // seen once): the behaviour is that the second request asks for exactly what the .part then held.
    expect(requests).toHaveLength(2);
    expect(requests[0].range).toBeUndefined();
    const onDisk = served.partSizeAtRange?.[0] ?? -1;
    expect(onDisk).toBeGreaterThan(0);
    expect(onDisk).toBeLessThanOrEqual(70_000);
    expect(requests[1].range).toBe(`bytes=${onDisk}-`);
    expect(events.at(-1)).toMatchObject({ receivedBytes: 200_000, totalBytes: 200_000, resumedFrom: onDisk });
  });

  it('resumes a .part left by an earlier process, and restarts when the server ignores Range', async () => {
    const body = randomBytes(50_000);
    files.set('/w/a.h5', { body });
    await writeFile(path.join(dir, 'a.h5.part'), body.subarray(0, 12_345));
    const got = await fetchWeights('vgg16', { cacheDir: dir, url: `${base}/w/a.h5`, sha256: sha(body) });
    expect(requests[0].range).toBe('bytes=12345-');
    expect((await readFile(got.path)).equals(body)).toBe(true);

    files.set('/w/b.h5', { body, noRange: true });
    await writeFile(path.join(dir, 'b.h5.part'), Buffer.alloc(999, 7)); // garbage: must not stay in front
    const b = await fetchWeights('vgg16', { cacheDir: dir, url: `${base}/w/b.h5`, sha256: sha(body) });
    expect((await readFile(b.path)).equals(body)).toBe(true);
  });

  it('fails with ChecksumError on a SHA-256 mismatch and leaves no file', async () => {
    files.set('/w/vgg.h5', { body: randomBytes(10_000) });
    const wrong = 'a'.repeat(64);
    const err = await fetchWeights('vgg16', { cacheDir: dir, url: `${base}/w/vgg.h5`, sha256: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toContain(`expected sha256 ${wrong}`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with DownloadError on 404 and leaves no file', async () => {
    const url = `${base}/w/missing.h5`;
    await expect(fetchWeights('vgg16', { cacheDir: dir, url })).rejects.toThrow(new DownloadError(url, 'HTTP 404 Not Found'));
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives up with DownloadError after the retries, keeping the .part to resume', async () => {
    const body = randomBytes(40_000);
    files.set('/w/c.h5', { body, cutAt: 1000, cuts: 99 });
    const url = `${base}/w/c.h5`;
    await expect(fetchWeights('vgg16', { cacheDir: dir, url, retries: 1 })).rejects.toThrow(DownloadError);
    expect(await readdir(dir)).toEqual(['c.h5.part']);
    files.set('/w/c.h5', { body });
    const got = await fetchWeights('vgg16', { cacheDir: dir, url });
    expect(got.resumed).toBe(true);
    expect((await readFile(got.path)).equals(body)).toBe(true);
  });

  it('fetches a tfjs layers model: its shards, then model.json', async () => {
    const shard1 = randomBytes(4 * 6);
    const shard2 = randomBytes(4 * 2);
    const json = Buffer.from(
      JSON.stringify({
        format: 'layers-model',
        modelTopology: {},
        weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [{ name: 'd/kernel', shape: [4, 2], dtype: 'float32' }] }],
      }),
    );
    files.set('/m/mobilenet/model.json', { body: json });
    files.set('/m/mobilenet/group1-shard1of2.bin', { body: shard1 });
    files.set('/m/mobilenet/group1-shard2of2.bin', { body: shard2, cutAt: 3, cuts: 1 });
    const got = await fetchWeights('mobilenet_v1', { cacheDir: dir, url: `${base}/m/mobilenet/model.json`, sha256: sha(json) });
    expect(got.path).toBe(path.join(dir, 'mobilenet'));
    expect((await readdir(got.path)).sort()).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
    expect((await readFile(path.join(got.path, 'group1-shard2of2.bin'))).equals(shard2)).toBe(true);
    expect(got.resumed).toBe(true);
    const n = requests.length;
    expect((await fetchWeights('mobilenet_v1', { cacheDir: dir, url: `${base}/m/mobilenet/model.json` })).cached).toBe(true);
    expect(requests).toHaveLength(n);
  });

  it('refuses a model.json whose shard paths leave its folder or its server, fetching nothing more', async () => {
    for (const [i, bad] of ['../x.bin', 'http://example.invalid/x.bin', '/etc/x.bin'].entries()) {
      const json = Buffer.from(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [bad], weights: [] }] }));
      files.set(`/bad${i}/model.json`, { body: json });
      const n = requests.length;
      const error = await fetchWeights('mobilenet_v1', { cacheDir: path.join(dir, `bad${i}`), url: `${base}/bad${i}/model.json` }).catch((e) => e);
      expect(error).toBeInstanceOf(DownloadError);
      expect(error.message).toMatch(/unsafe shard path/);
      expect(requests.slice(n).map((r) => r.path)).toEqual([`/bad${i}/model.json`]);
    }
  });
});
