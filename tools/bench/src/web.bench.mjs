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
//   - the first prediction (includes the backend's kernel/shader warm-up) and the steady state (median of the
//     next rounds), `predict` only (the page shows preprocessing and Grad-CAM apart),
//   - the largest |p(float16) - p(float32)| over the images, same backend: is float16 negligible?
// WebGL here is SwiftShader (software, --disable-gpu): its numbers say nothing about a real GPU.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './median.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const webRoot = path.join(repoRoot, 'apps/web');
const sharedData = process.env.CXR_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const CHROMIUM = '/usr/bin/chromium';
const STEADY_ROUNDS = Number(process.env.CXR_BENCH_ROUNDS ?? 4);

function images() {
  const nih = path.join(sharedData, 'nih-cxr14/images');
  const covid = path.join(sharedData, 'covid-chestxray/images');
  const pick = (dir, n) => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().slice(0, n).map((f) => path.join(dir, f)) : []);
  return [...pick(nih, 3), ...pick(covid, 2), path.join(sharedData, 'dicom/original/siim_cr_pa_jpegbaseline_mono2.dcm')];
}

async function makeModel(dir) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const { loadBackbone, createClassifier, saveModel } = await import('@cxr/model/node');
  const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: path.join(sharedData, 'weights/mobilenet_v1_1.0_224_conv_pw_12') });
  const classifier = createClassifier(backbone, { seed: 11, units: 16, poolSize: 7 });
  await saveModel(dir, { classifier, backbone, classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.5, quantize: 'float16' });
  classifier.dispose();
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
  const notes = [];
  let server;
  let browser;
  try {
    const dist = path.join(tmp, 'dist');
    execFileSync(process.execPath, [path.join(webRoot, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--logLevel', 'error'], { cwd: webRoot, stdio: 'inherit' });
    const modelDir = path.join(tmp, 'model');
    await makeModel(modelDir);
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
    const probabilities = {};
    for (const [backend, weights] of [['wasm', 'float32'], ['wasm', 'float16'], ['webgl', 'float16'], ['cpu', 'float16']]) {
      const label = `${backend} ${weights}`;
      const page = await browser.newPage();
      await page.goto(`${server.url}?backend=${backend}&weights=${weights}`);
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
    rows.push({ metric: `max |p float16 - p float32| (wasm, ${files.length} images)`, value: diff('wasm float16', 'wasm float32'), unit: 'probability' });
    rows.push({ metric: `max |p webgl - p wasm| (float16, ${files.length} images)`, value: diff('webgl float16', 'wasm float16'), unit: 'probability' });
    notes.push(`${files.length} images (NIH PNG, covid-chestxray JPEG, JPEG-baseline DICOM); MobileNet v1 224 + head; WebGL is SwiftShader (no GPU); model files served ${served.filter((u) => u.startsWith('/model/')).length} times`);
  } finally {
    await browser?.close();
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  }
  return { name, rows, notes: notes.join('; ') };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)), (e) => {
    console.error(e);
    process.exit(1);
  });
}
