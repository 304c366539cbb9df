#!/usr/bin/env node
// Serves the built demo (apps/web/dist) and a model folder at /model/, on 127.0.0.1 by default.
// NOT FOR CLINICAL USE. Images are analysed in the page: this server only ever sends files, it accepts no uploads.
// Files are sent by sirv (types, ETag, ranges, HEAD) behind this server's own checks: GET/HEAD only, no path
// out of the folder (../, encoded slashes, symbolic links), folders answer 404.
//
//   node scripts/serve.mjs [--model <dir>] [--host 127.0.0.1] [--port 4173] [--dist <dir>]
//   CXR_WEB_MODEL=<dir> npm run web
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_ROOT = path.resolve(here, '..');
const REPO_ROOT = path.resolve(WEB_ROOT, '../..');
/** Where `cxr demo` writes its trained model (served when neither --model nor CXR_WEB_MODEL is given). */
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, 'cxr-demo', 'model');

/** Content types this server states itself (sirv's own lookup says `text/html;charset=utf-8`, no space). */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Maps a URL path under `root` to a file; null for a path that escapes it, undefined for a malformed one. */
function resolveInside(root, urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    return undefined; // malformed escape
  }
  const file = path.resolve(root, rel);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

/**
 * Starts the server. `model` may be null or a missing folder: the page then asks the user for a folder.
 * Resolves to `{ url, port, close() }` once listening. Every request is passed to `onRequest` (tests record them).
 */
export async function startServer({ dist = path.join(WEB_ROOT, 'dist'), model = null, host = '127.0.0.1', port = 0, onRequest } = {}) {
  const distRoot = path.resolve(dist);
  const modelRoot = model ? path.resolve(model) : null;
  const sirvOptions = { dev: true, etag: true, extensions: [], setHeaders };
  const sendDist = sirv(distRoot, sirvOptions);
  const sendModel = modelRoot ? sirv(modelRoot, sirvOptions) : null;
  await stat(path.join(distRoot, 'index.html')).catch(() => {
    throw new Error(`No built app in ${distRoot} (index.html missing): run "npx nx build @cxr/web" first`);
  });
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      // Never an unhandled rejection (it would stop the server): answer 500 if still possible.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Internal error: ${error?.message ?? error}\n`);
    });
  });
  async function handle(req, res) {
    onRequest?.({ method: req.method, url: req.url, headers: req.headers });
    const send = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, `${req.method} is not allowed: this server only sends files`);
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    let file;
    let root;
    let sendFile;
    if (pathname === '/model' || pathname.startsWith('/model/')) {
      if (!modelRoot) return send(404, 'No model folder is served (start with --model <dir>)');
      root = modelRoot;
      sendFile = sendModel;
      file = resolveInside(root, pathname.slice('/model'.length));
    } else {
      root = distRoot;
      sendFile = sendDist;
      file = resolveInside(root, pathname === '/' ? 'index.html' : pathname);
    }
    if (file === undefined) return send(400, 'Bad request: malformed URL escape');
    if (!file) return send(403, 'Forbidden');
    let info;
    let real;
    try {
      info = await stat(file);
      real = await realpath(file);
    } catch {
      return send(404, `Not found: ${pathname}`);
    }
    // A folder (the model folder itself included) is not a file: 404, as for anything else not there.
    if (!info.isFile()) return send(404, `Not found: ${pathname}`);
    // A symbolic link inside the folder must not lead out of it either.
    const realRoot = await realpath(root);
    if (!real.startsWith(realRoot + path.sep)) return send(403, 'Forbidden');
    // sirv gets the checked file by its path inside the root, one encoded segment at a time.
    req.url = `/${path.relative(root, file).split(path.sep).map(encodeURIComponent).join('/')}`;
    sendFile(req, res, () => send(404, `Not found: ${pathname}`));
  }
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}/`,
    port: address.port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/** Headers of every file sent: this server's content types and cross-origin isolation (threads need it). */
function setHeaders(res, pathname) {
  res.setHeader('Content-Type', TYPES[path.extname(pathname).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Cache-Control', 'no-cache');
  // Cross-origin isolation (SharedArrayBuffer, so multi-threaded WebAssembly): the page may load nothing from
  // other origins.
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [key, inline] = a.startsWith('--') ? a.slice(2).split(/=(.*)/s, 2) : [null];
    if (!key || !['model', 'host', 'port', 'dist'].includes(key)) {
      if (a === '--help' || a === '-h') return { help: true };
      throw new Error(`Unknown argument ${a} (use --model <dir>, --host <addr>, --port <n>, --dist <dir>)`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${key} needs a value`);
    out[key] = value;
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log('Usage: node scripts/serve.mjs [--model <dir>] [--host 127.0.0.1] [--port 4173] [--dist <dir>]\n' +
      `Model folder: --model, else $CXR_WEB_MODEL, else ${DEFAULT_MODEL_DIR} (written by "npm run demo").`);
    return;
  }
  const model = path.resolve(args.model ?? process.env.CXR_WEB_MODEL ?? DEFAULT_MODEL_DIR);
  const hasModel = await stat(path.join(model, 'cxr.json')).then(() => true, () => false);
  const port = args.port === undefined ? 4173 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${args.port} is not a port number`);
  const options = { dist: args.dist, model: hasModel ? model : null, host: args.host ?? '127.0.0.1' };
  let server;
  try {
    server = await startServer({ ...options, port });
  } catch (error) {
    if (error?.code !== 'EADDRINUSE' || args.port !== undefined) throw error;
    server = await startServer({ ...options, port: 0 });
  }
  console.log('cxr web demo (NOT FOR CLINICAL USE)');
  console.log(hasModel ? `  model: ${model}` : `  model: none at ${model} (run "npm run demo", or pass --model <dir>; the page can also open a folder)`);
  console.log(`  open:  ${server.url}`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`cxr web: ${error.message}`);
    process.exit(1);
  });
}
