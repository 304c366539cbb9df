/** scripts/serve.mjs: what the static server sends, and what it refuses. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Server {
  url: string;
  port: number;
  close(): Promise<void>;
}
type StartServer = (o: { dist?: string; model?: string | null; host?: string; port?: number }) => Promise<Server>;

/** A raw request: fetch would normalise `..` away before it reaches the server. */
function request(port: number, method: string, rawPath: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? 'image bytes' : undefined);
  });
}

describe('serve.mjs', () => {
  let tmp: string;
  let startServer: StartServer;
  let withModel: Server;
  let without: Server;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-web-serve-'));
    await mkdir(path.join(tmp, 'dist/assets'), { recursive: true });
    await mkdir(path.join(tmp, 'model'));
    await writeFile(path.join(tmp, 'dist/index.html'), '<!doctype html><title>x</title>');
    await writeFile(path.join(tmp, 'dist/assets/a.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    await writeFile(path.join(tmp, 'model/cxr.json'), '{"classes":["covid","normal"]}');
    await writeFile(path.join(tmp, 'secret.txt'), 'outside');
    await symlink(path.join(tmp, 'secret.txt'), path.join(tmp, 'model/link.json'));
    ({ startServer } = (await import(pathToFileURL(path.resolve(__dirname, '../scripts/serve.mjs')).href)) as { startServer: StartServer });
    withModel = await startServer({ dist: path.join(tmp, 'dist'), model: path.join(tmp, 'model') });
    without = await startServer({ dist: path.join(tmp, 'dist'), model: null });
  });

  afterAll(async () => {
    await withModel?.close();
    await without?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('listens on 127.0.0.1 and sends the app, its wasm with the right type, and the model at /model/', async () => {
    expect(withModel.url).toBe(`http://127.0.0.1:${withModel.port}/`);
    const index = await request(withModel.port, 'GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cross-origin-opener-policy']).toBe('same-origin');
    const wasm = await request(withModel.port, 'GET', '/assets/a.wasm');
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(wasm.headers['content-length']).toBe('4');
    const config = await request(withModel.port, 'GET', '/model/cxr.json');
    expect(JSON.parse(config.body)).toEqual({ classes: ['covid', 'normal'] });
    const head = await request(withModel.port, 'HEAD', '/model/cxr.json');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  test('refuses uploads, paths outside its folders, and /model/ when no model is mounted', async () => {
    const post = await request(withModel.port, 'POST', '/model/cxr.json');
    expect(post.status).toBe(405);
    // URL parsing folds a literal or %2e%2e segment away, so these never leave the folder (404 at worst).
    for (const p of ['/../secret.txt', '/model/../../secret.txt', '/%2e%2e/secret.txt']) {
      const r = await request(withModel.port, 'GET', p);
      expect(r.status === 403 || r.status === 404).toBe(true);
      expect(r.body).not.toContain('outside');
    }
    // An encoded slash survives URL parsing: each of these names the existing tmp/secret.txt, so only the
    // server's own check stands between it and the request.
    for (const p of ['/%2e%2e%2fsecret.txt', '/model/%2e%2e%2fsecret.txt', '/model/..%2fsecret.txt', '/model/link.json']) {
      const r = await request(withModel.port, 'GET', p);
      expect([p, r.status]).toEqual([p, 403]);
      expect(r.body).not.toContain('outside');
    }
    expect((await request(withModel.port, 'GET', '/assets')).status).toBe(404);
    // A malformed escape is a bad request, not a crash: the server still answers afterwards.
    expect((await request(withModel.port, 'GET', '/%E0%A4%A')).status).toBe(400);
    expect((await request(withModel.port, 'GET', '/')).status).toBe(200);
    const none = await request(without.port, 'GET', '/model/cxr.json');
    expect(none.status).toBe(404);
    expect(none.body).toContain('No model folder is served');
  });

  test('a folder, the model folder itself included, is 404 (not 403); a range request gets its bytes (sirv)', async () => {
    for (const p of ['/model/', '/model', '/assets/']) {
      const r = await request(withModel.port, 'GET', p);
      expect([p, r.status]).toEqual([p, 404]);
    }
    const part = await new Promise<{ status: number; body: string; range?: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: withModel.port, path: '/model/cxr.json', headers: { Range: 'bytes=2-8' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, range: res.headers['content-range'] }));
      });
      req.on('error', reject);
      req.end();
    });
    // '{"classes":["covid","normal"]}' is 30 bytes; bytes 2..8 are 'classes'.
    expect(part).toEqual({ status: 206, body: 'classes', range: 'bytes 2-8/30' });
  });

  test('a folder without a built app is refused with the command to build it', async () => {
    await expect(startServer({ dist: path.join(tmp, 'nothing') })).rejects.toThrow(/index\.html missing\): run "npx nx build @cxr\/web" first/);
  });
});
