// Benchmark of the browser demo (apps/web) in Debian's Chromium, driven by Playwright.
//
//   node tools/bench/src/web.bench.mjs            # prints the rows as JSON
//
// Needs the BUILT packages (`npx nx run-many -t build`), /usr/bin/chromium and ../shared/data.
// Builds the app with Vite into a temp folder, saves a classifier (the shared ImageNet MobileNet v1 cut at
// conv_pw_12 + a seeded random head, 224x224) with float32 and float16 weights, serves both with
// apps/web/scripts/serve.mjs on 127.0.0.1 and measures, per backend and weights variant, in the page:
//   - model load time (cxr.json + model.json + shards fetched, parsed, weights uploaded) and bytes downloaded
//     (counted by the page, checked against the sizes of the files),
//   - the page's kernel warm-up (cold predict + Grad-CAM on a blank image, which the page runs while the user
//     chooses a file), the first prediction after it and the steady state (median of the next rounds),
//     `predict` only (the page shows preprocessing and Grad-CAM apart),
//   - the largest |p(float16) - p(float32)| over the images, same backend: is float16 negligible?
// and, first, what a user waits for on the default page (the backend the page chooses itself), timed from
// the user's side in Node (not by the page's timers): page load -> model ready, the page's kernel warm-up,
// `setInputFiles` of an NIH PNG -> probabilities on screen -> Grad-CAM on screen (median of fresh pages), each
// at the frame after the page changed, seen by a MutationObserver in the page (not by polling it).
// Each user-side round also loads a blank page (one module script, no model) the same way: its "page load -> ready"
// is the floor of this harness, and the Chromium CPU time of both loads (all processes, by kind, from /proc) says
// how much of the wait is work: on 2 cores a load cannot take less than its CPU time over 2.
// CXR_BENCH_WEB_BASELINE=<folder with another apps/web, e.g. main's, inside this checkout> adds the same user-side
// rows for that page, in the same run (before/after under the same load).
// WebGL here is SwiftShader (software, --disable-gpu): its numbers say nothing about a real GPU.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './median.mjs';
import { makeWebModel } from './webModel.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const webRoot = path.join(repoRoot, 'apps/web');
const sharedData = process.env.CXR_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const CHROMIUM = '/usr/bin/chromium';
const STEADY_ROUNDS = Number(process.env.CXR_BENCH_ROUNDS ?? 4);
/** Fresh pages for the user-side timings (each: load, warm-up, one file). */
const USER_ROUNDS = Number(process.env.CXR_BENCH_USER_ROUNDS ?? 3);
/** Per-backend rows: label -> page query. `CXR_BENCH_WEB_VARIANTS` (comma list of labels) picks some. */
const ALL_VARIANTS = {
  'wasm float32': 'backend=wasm&weights=float32',
  'wasm float32 1 thread': 'backend=wasm&weights=float32&threads=1',
  'wasm float32 2 threads': 'backend=wasm&weights=float32&threads=2',
  'wasm float16': 'backend=wasm&weights=float16',
  'webgl float16': 'backend=webgl&weights=float16',
  'cpu float16': 'backend=cpu&weights=float16',
};
// An empty list (CXR_BENCH_WEB_VARIANTS=) runs the user-side rows only.
const VARIANTS = (process.env.CXR_BENCH_WEB_VARIANTS?.split(',').map((v) => v.trim()).filter(Boolean) ?? Object.keys(ALL_VARIANTS)).map((label) => [label, ALL_VARIANTS[label]]);

function images() {
  const nih = path.join(sharedData, 'nih-cxr14/images');
  const covid = path.join(sharedData, 'covid-chestxray/images');
  const pick = (dir, n) => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().slice(0, n).map((f) => path.join(dir, f)) : []);
  return [...pick(nih, 3), ...pick(covid, 2), path.join(sharedData, 'dicom/original/siim_cr_pa_jpegbaseline_mono2.dcm')];
}

/**
 * CPU time (ms) of this process's descendants, the Chromium processes, by kind (browser, renderer, gpu-process,
 * utility: the network service...), from /proc; null where there is no /proc. A page load on 2 cores cannot be
 * faster than its CPU time over 2: these rows say how much of "page load -> ready" is work, not waiting.
 */
function chromiumCpuMs() {
  if (!existsSync('/proc/self/stat')) return null;
  const ticks = 1000 / 100; // USER_HZ is 100 on Linux
  const procs = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const kind = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'browser';
      procs.set(Number(pid), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * ticks, kind });
    } catch {
      // a process that ended meanwhile
    }
  }
  const byKind = {};
  const stack = [process.pid];
  while (stack.length) {
    const parent = stack.pop();
    for (const [pid, p] of procs) {
      if (p.ppid !== parent) continue;
      byKind[p.kind] = (byKind[p.kind] ?? 0) + p.ms;
      stack.push(pid);
    }
  }
  return byKind;
}

/** `after - before` of two {@link chromiumCpuMs} readings, per kind and `total`. */
function cpuSpent(before, after) {
  if (!before || !after) return null;
  const out = { total: 0 };
  for (const kind of Object.keys(after)) {
    out[kind] = after[kind] - (before[kind] ?? 0);
    out.total += out[kind];
  }
  return out;
}

/** Bytes of cxr.json, the variant's model JSON and its shards, from the files: a check on the page's count. */
async function modelBytesOnDisk(dir, variant) {
  const json = variant === 'float16' ? 'model-float16.json' : 'model.json';
  const manifest = JSON.parse(await readFile(path.join(dir, json), 'utf8')).weightsManifest;
  const names = ['cxr.json', json, ...manifest.flatMap((g) => g.paths)];
  let n = 0;
  for (const f of names) n += (await stat(path.join(dir, f))).size;
  return n;
}

export async function run() {
  const name = 'web';
  if (!existsSync(CHROMIUM)) return { name, rows: [], notes: `skipped: ${CHROMIUM} is absent` };
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-web-bench-'));
  const rows = [];
  const notes = [`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min) on ${os.cpus().length} cores at the start`];
  let server;
  let baseServer;
  let browser;
  const times = () => ({ ready: [], cpu: [], warm: [], toProbabilities: [], toGradCam: [], stages: {}, load: [], chosen: '' });
  const userTimes = { page: times(), baseline: times(), blank: times() };
  try {
    const dist = path.join(tmp, 'dist');
    execFileSync(process.execPath, [path.join(webRoot, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--logLevel', 'error'], { cwd: webRoot, stdio: 'inherit' });
    // The floor: a page with one small module script and no model, loaded the same way (new context, fresh page).
    await writeFile(path.join(dist, 'bench-blank.html'), '<!doctype html><html><head><meta charset="utf-8"><script type="module">document.body.dataset.state = "ready";</script></head><body data-state="loading"><p>blank</p></body></html>');
    const modelDir = path.join(tmp, 'model');
    await makeWebModel(modelDir, sharedData);
    const served = [];
    const { startServer } = await import(pathToFileURL(path.join(webRoot, 'scripts/serve.mjs')).href);
    server = await startServer({ dist, model: modelDir, onRequest: (r) => served.push(r.url) });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const files = images();
    const baseline = process.env.CXR_BENCH_WEB_BASELINE;
    if (baseline) {
      const baseDist = path.join(tmp, 'dist-baseline');
      execFileSync(process.execPath, [path.join(webRoot, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', baseDist, '--logLevel', 'error'], { cwd: path.resolve(baseline), stdio: 'inherit' });
      baseServer = await startServer({ dist: baseDist, model: modelDir });
    }
    // Interleaved, so both pages see the same load.
    for (let i = 0; i < USER_ROUNDS; i++) {
      if (baseServer) await userSide(browser, baseServer.url, files[0], userTimes.baseline, notes);
      await userSide(browser, server.url, files[0], userTimes.page, notes);
      await blankPage(browser, `${server.url}bench-blank.html`, userTimes.blank);
    }
    if (baseServer) userRows(rows, 'baseline page', userTimes.baseline);
    userRows(rows, 'user side', userTimes.page);
    cpuRows(rows, 'blank page (one module script, no model)', userTimes.blank);
    const loads = [...userTimes.page.load, ...userTimes.baseline.load];
    if (loads.length) notes.push(`user side: 1-min load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} over its rounds`);
    notes.push(`user side: ${path.basename(files[0])}, the page chose "${userTimes.page.chosen.trim()}"${baseServer ? `, the baseline "${userTimes.baseline.chosen.trim()}"` : ''}; each round a fresh page`);
    const probabilities = {};
    for (const [label, query] of VARIANTS) {
      const weights = /weights=float16/.test(query) ? 'float16' : 'float32';
      const page = await browser.newPage();
      await page.goto(`${server.url}?${query}`);
      await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 120_000 });
      const state = await page.evaluate(() => ({ ...document.body.dataset, error: document.getElementById('error')?.textContent }));
      if (state.state !== 'ready') {
        notes.push(`${label}: ${state.error}`);
        await page.close();
        continue;
      }
      rows.push({ metric: `${label}: model load`, value: Number(state.modelLoadMs), unit: 'ms' });
      rows.push({ metric: `${label}: model bytes downloaded`, value: Number(state.modelBytes), unit: 'B' });
      const onDisk = await modelBytesOnDisk(modelDir, weights);
      if (onDisk !== Number(state.modelBytes)) notes.push(`${label}: the page counted ${state.modelBytes} B, the files are ${onDisk} B`);
      // The page warms the kernels (predict + Grad-CAM on a blank image) as soon as the model is ready.
      await page.waitForFunction(() => document.body.dataset.warm !== 'running', null, { timeout: 120_000 });
      const warmMs = await page.evaluate(() => Number(document.body.dataset.warmMs ?? NaN));
      if (Number.isFinite(warmMs)) rows.push({ metric: `${label}: kernel warm-up (cold predict + Grad-CAM)`, value: Math.round(warmMs), unit: 'ms' });
      const times = [];
      const upload = async (file) => {
        const before = Number(await page.evaluate(() => document.body.dataset.analyses ?? 0));
        await page.locator('#image-input').setInputFiles(file);
        await page.waitForFunction((n) => Number(document.body.dataset.analyses ?? 0) > n || document.body.dataset.state === 'error', before, { timeout: 120_000 });
        return page.evaluate(() => ({
          ms: Number(document.getElementById('timing')?.dataset.inferenceMs),
          p: Object.fromEntries([...document.querySelectorAll('#probabilities [data-class]')].map((e) => [e.dataset.class, Number(e.dataset.probability)])),
        }));
      };
      // first = the first image ever predicted on this page; then every image once (for the float16
      // comparison), then the steady state on the first image.
      for (const f of files) {
        const r = await upload(f);
        times.push(r.ms);
        (probabilities[label] ??= []).push(r.p.covid);
      }
      const steady = [];
      for (let i = 0; i < STEADY_ROUNDS; i++) steady.push((await upload(files[0])).ms);
      rows.push({ metric: `${label}: first prediction`, value: Math.round(times[0]), unit: 'ms' });
      rows.push({ metric: `${label}: steady-state prediction (median of ${STEADY_ROUNDS})`, value: Math.round(median(steady) * 10) / 10, unit: 'ms' });
      await page.close();
    }
    const diff = (a, b) => (probabilities[a] && probabilities[b] ? Math.max(...probabilities[a].map((p, i) => Math.abs(p - probabilities[b][i]))) : NaN);
    const diffRow = (metric, a, b) => {
      if (probabilities[a] && probabilities[b]) rows.push({ metric, value: diff(a, b), unit: 'probability' });
    };
    diffRow(`max |p float16 - p float32| (wasm, ${files.length} images)`, 'wasm float16', 'wasm float32');
    diffRow(`max |p webgl - p wasm| (float16, ${files.length} images)`, 'webgl float16', 'wasm float16');
    diffRow(`max |p wasm 2 threads - p wasm 1 thread| (float32, ${files.length} images)`, 'wasm float32 2 threads', 'wasm float32 1 thread');
    notes.push(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min) on ${os.cpus().length} cores at the end`);
    notes.push(`${files.length} images (NIH PNG, covid-chestxray JPEG, JPEG-baseline DICOM); MobileNet v1 224 + head; WebGL is SwiftShader (no GPU); model files served ${served.filter((u) => u.startsWith('/model/')).length} times`);
  } finally {
    await browser?.close();
    await server?.close();
    await baseServer?.close();
    await rm(tmp, { recursive: true, force: true });
  }
  return { name, rows, notes: notes.join('; ') };
}

/**
 * What a user waits for, on the default page (float32, the backend the page picks), one fresh page, timed in
 * Node around Playwright calls: `page.goto` -> the page says the model is ready; the warm-up it runs while the
 * user chooses a file (the page's timer; the bench waits for it, as a person picking a file would); then
 * `setInputFiles` -> the probability bars on screen -> the Grad-CAM overlay on screen (body
 * `data-state="done"`), each seen by the page itself at the frame after it changed (`onScreen`).
 */
async function userSide(browser, url, file, t, notes) {
  const page = await browser.newPage();
  try {
    const { ready, cpu } = await loadPage(page, url);
    const state = await page.evaluate(() => ({ ...document.body.dataset, error: document.getElementById('error')?.textContent }));
    if (state.state !== 'ready') return notes.push(`user side ${url}: ${state.error}`);
    await page.waitForFunction(() => document.body.dataset.warm !== 'running', null, { timeout: 120_000 });
    const w = await page.evaluate(() => Number(document.body.dataset.warmMs ?? NaN));
    t.chosen = await page.evaluate(() => document.querySelector('#model-info [data-fact="backend"]')?.textContent ?? document.getElementById('model-status')?.textContent ?? '');
    const t1 = performance.now();
    await page.locator('#image-input').setInputFiles(file);
    await onScreen(page, 'probabilities');
    const t2 = performance.now();
    await onScreen(page, 'done');
    const t3 = performance.now();
    const end = await page.evaluate(() => ({ state: document.body.dataset.state, error: document.getElementById('error')?.textContent }));
    if (end.state !== 'done') return notes.push(`user side ${url}: ${end.error}`);
    t.ready.push(ready);
    if (cpu) t.cpu.push(cpu);
    t.load.push(os.loadavg()[0]);
    if (Number.isFinite(w)) t.warm.push(w);
    t.toProbabilities.push(t2 - t1);
    t.toGradCam.push(t3 - t2);
    // Where the time went, by the page's performance marks (a page without them, e.g. an older baseline, has none).
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name.replace(/^cxr:/, ''), m.startTime])));
    for (const [stage, [from, to]] of Object.entries(STAGES)) {
      const a = from === 'navigation' ? 0 : marks[from];
      if (Number.isFinite(a) && Number.isFinite(marks[to])) (t.stages[stage] ??= []).push(marks[to] - a);
    }
  } finally {
    await page.close();
  }
}

/** `page.goto(url)` until the page says it is ready (or failed): the wall time, and the Chromium CPU time spent. */
async function loadPage(page, url) {
  const cpu0 = chromiumCpuMs();
  const t0 = performance.now();
  await page.goto(url);
  await onScreen(page, 'ready');
  return { ready: performance.now() - t0, cpu: cpuSpent(cpu0, chromiumCpuMs()) };
}

/** The floor of a page load here: {@link userSide}'s "page load -> ready" and CPU time for a blank page. */
async function blankPage(browser, url, t) {
  const page = await browser.newPage();
  try {
    const { ready, cpu } = await loadPage(page, url);
    t.ready.push(ready);
    if (cpu) t.cpu.push(cpu);
  } finally {
    await page.close();
  }
}

/** "page load -> ready" and the Chromium CPU time it took (all processes, and by kind), medians. */
function cpuRows(rows, who, t) {
  if (!t.ready.length) return;
  rows.push({ metric: `${who}: page load -> ready (median of ${t.ready.length})`, value: Math.round(median(t.ready)), unit: 'ms' });
  cpuKindRows(rows, who, t.cpu);
}

function cpuKindRows(rows, who, cpu) {
  if (!cpu.length) return;
  for (const kind of ['total', ...Object.keys(cpu[0]).filter((k) => k !== 'total').sort()]) {
    const label = kind === 'total' ? 'all processes' : kind;
    rows.push({ metric: `${who}: Chromium CPU time, page load -> ready, ${label} (median of ${cpu.length})`, value: Math.round(median(cpu.map((c) => c[kind] ?? 0))), unit: 'ms' });
  }
}

/** Stages of the page load and of the first file, between the page's performance marks (`cxr:<name>`). */
const STAGES = {
  'load: navigation -> first script runs': ['navigation', 'entry'],
  'load: first script -> TensorFlow.js core loaded, backend starts': ['entry', 'backend-start'],
  'load: backend start (WebAssembly, WebGL probe)': ['backend-start', 'backend-end'],
  'load: first script -> page code evaluated': ['entry', 'app-start'],
  'load: first script -> all weights downloaded': ['entry', 'weights-fetched'],
  'load: model loaded (weights awaited, parsed, built on the backend)': ['model-start', 'model-end'],
  'file: decode (createImageBitmap, canvas read-back)': ['file-start', 'decoded'],
  'file: preprocess (grey, resize, image facts)': ['decoded', 'prepared'],
  'file: predict (backbone, head, input check, read-back)': ['prepared', 'classified'],
  'file: numbers put on the page': ['classified', 'shown'],
};

/**
 * Resolves once the page shows `what` (or an error), at the next animation frame after the change (when it is
 * painted). The page watches itself (a MutationObserver): no polling, which would run script in the page on every
 * frame while it loads and so slow what is measured.
 */
function onScreen(page, what, timeoutMs = 120_000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the page did not show ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const seen = page.evaluate(
    (what) =>
      new Promise((resolve) => {
        const shown = () => {
          const state = document.body.dataset.state;
          if (state === 'error' || state === 'no-model') return true;
          if (what === 'ready') return state === 'ready';
          if (what === 'done') return state === 'done';
          return !document.getElementById('result').hidden && document.querySelectorAll('#probabilities [data-class]').length > 0;
        };
        const finish = () => requestAnimationFrame(() => resolve(document.body.dataset.state));
        if (shown()) return finish();
        const observer = new MutationObserver(() => {
          if (!shown()) return;
          observer.disconnect();
          finish();
        });
        observer.observe(document.body, { attributes: true, childList: true, subtree: true });
      }),
    what,
  );
  return Promise.race([seen, timeout]).finally(() => clearTimeout(timer));
}

function userRows(rows, who, t) {
  if (!t.ready.length) return;
  const ms = (v) => Math.round(median(v));
  const n = t.ready.length;
  rows.push({ metric: `${who}: page load -> model ready (median of ${n})`, value: ms(t.ready), unit: 'ms' });
  if (t.warm.length) rows.push({ metric: `${who}: kernel warm-up while the file is chosen (page timer)`, value: ms(t.warm), unit: 'ms' });
  rows.push({ metric: `${who}: file chosen -> probabilities shown (NIH PNG, median of ${n})`, value: ms(t.toProbabilities), unit: 'ms' });
  rows.push({ metric: `${who}: probabilities shown -> Grad-CAM shown (median of ${n})`, value: ms(t.toGradCam), unit: 'ms' });
  cpuKindRows(rows, who, t.cpu);
  for (const [stage, v] of Object.entries(t.stages)) rows.push({ metric: `${who}: ${stage} (page marks, median of ${v.length})`, value: ms(v), unit: 'ms' });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)), (e) => {
    console.error(e);
    process.exit(1);
  });
}
