import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../pipeline/__fixtures__/runCli';

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
    const first = await runCli(['weights', 'fetch', 'vgg16', '--url', `${base}/w/vgg16.h5`, '--cache-dir', 'cache', '--json'], tmp);
    expect(first.code).toBe(0);
    const got = JSON.parse(first.stdout);
    expect(got.path).toBe(path.join(tmp, 'cache', 'vgg16.h5'));
    expect(got.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
    expect(Buffer.compare(await readFile(got.path), payload)).toBe(0);
    expect(got.cached).toBe(false);
    const before = requests;
    const again = await runCli(['weights', 'fetch', 'vgg16', '--url', `${base}/w/vgg16.h5`, '--cache-dir', 'cache'], tmp);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already in the cache');
    expect(requests).toBe(before);
  });

  it('fetch: an HTTP error is bad input (exit 1, one line); an unknown backbone is bad usage (exit 2)', async () => {
    const r = await runCli(['weights', 'fetch', 'vgg16', '--url', `${base}/missing.h5`, '--cache-dir', 'cache'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('404');
    expect((await runCli(['weights', 'fetch', 'resnet50'], tmp)).code).toBe(2);
  });

  it('import refuses a file that is not HDF5, naming it (exit 1)', async () => {
    const fake = path.join(tmp, 'fake.h5');
    await writeFile(fake, 'not hdf5');
    const r = await runCli(['weights', 'import', fake, '--out', 'converted'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('fake.h5');
  });
});
