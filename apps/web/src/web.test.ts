/**
 * The demo in a real browser: builds the app, serves it with a model made here, drives Debian's Chromium with
 * Playwright and checks what a user sees against the Node API (an independent runtime: sharp decoding and
 * the tfjs CPU backend in Node, the browser's decoder and the WebAssembly backend in the page).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { decodeDicom } from '@cxr/dataset';
import { createClassifier, createHead, describeInputDistribution, fineTuneRecord, fineTuneWeights, loadBackbone, loadModel, planFineTune, predict, predictFiles, saveModel, type CxrModel } from '@cxr/model/node';
import { preprocessPixels } from '@cxr/preprocess';
import { preprocessImage } from '@cxr/preprocess/node';
import type { Browser, Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const WEB = path.resolve(__dirname, '..');
const REPO = path.resolve(WEB, '../..');
const SHARED = process.env.CXR_SHARED_DATA ?? path.resolve(REPO, '../shared/data');
const ARTIFACTS = path.join(WEB, 'test-artifacts');
const NIH_PNG = path.join(SHARED, 'nih-cxr14/images/00001281_000.png');
const DICOM_JPEG = path.join(SHARED, 'dicom/original/siim_cr_pa_jpegbaseline_mono2.dcm');
const DICOM_EXPLICIT_LE = path.join(SHARED, 'dicom/derived/siim_cr_pa_mono2_DECOMPRESSED_explicitLE.dcm');
const MOBILENET = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');

const haveChromium = existsSync(CHROMIUM);
const haveShared = existsSync(MOBILENET);
/** What CI installs (.ci/run): there a missing piece fails the suite; elsewhere it skips, loudly. */
const missing = [...(haveChromium ? [] : [`${CHROMIUM} (apt-get install chromium)`]), ...(haveShared ? [] : [`${MOBILENET} (shared test data; or set CXR_SHARED_DATA)`])];
if (missing.length > 0) {
  if (process.env.CI) throw new Error(`apps/web browser tests need ${missing.join(' and ')}: CI must provide it`);
  console.warn(`SKIPPED apps/web browser tests: ${missing.join(' and ')} absent`);
}
const describeBrowser = missing.length === 0 ? describe : describe.skip;

describeBrowser('web demo in Chromium', () => {
  let tmp: string;
  let modelDir: string;
  let cxr: CxrModel;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  const serverRequests: { method?: string; url?: string }[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-web-test-'));
    await mkdir(ARTIFACTS, { recursive: true });
    const dist = path.join(tmp, 'dist');
    const build = promisify(execFile)(process.execPath, [path.join(WEB, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: WEB,
    });
    // Real ImageNet features (the shared MobileNet) and a seeded random head: probabilities away from 0 and 1.
    const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET });
    const classifier = createClassifier(backbone, { seed: 11, units: 16, poolSize: 7 });
    modelDir = path.join(tmp, 'model');
    await saveModel(modelDir, { classifier, backbone, classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.5, quantize: 'float16' });
    cxr = await loadModel(modelDir);
    await build;
    const { startServer } = (await import(pathToFileURL(path.join(WEB, 'scripts/serve.mjs')).href)) as {
      startServer(o: object): Promise<{ url: string; close(): Promise<void> }>;
    };
    server = await startServer({ dist, model: modelDir, onRequest: (r: { method?: string; url?: string }) => serverRequests.push(r) });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cxr?.model.dispose();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  interface Seen {
    requests: { url: string; method: string; body: Buffer | null }[];
    errors: string[];
  }

  async function openPage(query = '?weights=float32'): Promise<{ page: Page; seen: Seen }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const seen: Seen = { requests: [], errors: [] };
    page.on('request', (r) => seen.requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() }));
    page.on('pageerror', (e) => seen.errors.push(e.message));
    await page.goto(`${server.url}${query}`);
    await page.waitForFunction(() => ['ready', 'error', 'no-model'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
    return { page, seen };
  }

  /** The built page served with another model folder (a second server, closed by the caller), opened and loaded. */
  async function openModelPage(modelDir: string): Promise<{ page: Page; errors: string[]; server: { close(): Promise<void> } }> {
    const { startServer } = (await import(pathToFileURL(path.join(WEB, 'scripts/serve.mjs')).href)) as {
      startServer(o: object): Promise<{ url: string; close(): Promise<void> }>;
    };
    const other = await startServer({ dist: path.join(tmp, 'dist'), model: modelDir });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${other.url}?weights=float32`);
      await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
      return { page, errors, server: other };
    } catch (error) {
      await other.close();
      throw error;
    }
  }

  async function upload(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<string> {
    await page.locator('#image-input').setInputFiles(file);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
    return page.evaluate(() => document.body.dataset.state ?? '');
  }

  async function shownProbabilities(page: Page): Promise<Record<string, number>> {
    const rows = await page.locator('#probabilities [data-class]').evaluateAll((els) =>
      els.map((e) => [(e as HTMLElement).dataset.class ?? '', Number((e as HTMLElement).dataset.probability)] as const),
    );
    return Object.fromEntries(rows);
  }

  /** Counts canvas pixels that are not grey (R, G, B not all equal): the colour of the heatmap. */
  const colouredPixels = (page: Page) =>
    page.evaluate(() => {
      const c = document.getElementById('view') as HTMLCanvasElement;
      const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) n++;
      return { coloured: n, total: d.length / 4 };
    });

  async function nodeProbabilities(input: Float32Array): Promise<Record<string, number>> {
    const [p] = await predict(cxr, input);
    return p.probabilities;
  }

  function expectClose(shown: Record<string, number>, expected: Record<string, number>): void {
    expect(Object.keys(shown).sort()).toEqual(['covid', 'normal']);
    const sum = shown.covid + shown.normal;
    expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    for (const k of Object.keys(expected)) expect(Math.abs(shown[k] - expected[k])).toBeLessThan(1e-3);
  }

  test('a PNG X-ray: probabilities match Node, decision, Grad-CAM overlay toggles and blends, banner, nothing uploaded', async () => {
    const { page, seen } = await openPage();
    await expect(page.locator('#banner').textContent()).resolves.toContain('NOT FOR CLINICAL USE');
    const backend = await page.locator('#model-info').textContent();
    expect(backend).toMatch(/WebGL|WebAssembly|CPU/);

    expect(await upload(page, NIH_PNG)).toBe('done');
    const shown = await shownProbabilities(page);
    const expected = await nodeProbabilities((await preprocessImage(NIH_PNG, cxr.config.preprocessing)).data);
    expectClose(shown, expected);
    // The decision rule, by hand: covid when p(covid) >= 0.5.
    const decision = await page.locator('#decision').getAttribute('data-decision');
    expect(decision).toBe(expected.covid >= 0.5 ? 'covid' : 'normal');
    await expect(page.locator('#decision').textContent()).resolves.toContain(decision);
    // The banner stays visible while scrolled: it is sticky at the top of the viewport.
    await page.mouse.wheel(0, 600);
    const box = await page.locator('#banner').boundingBox();
    expect(box?.y).toBeLessThanOrEqual(1);
    await page.mouse.wheel(0, -600);

    // No tensor leaks: a second analysis leaves as many tensors as the first.
    const tensors = await page.evaluate(() => Number(document.body.dataset.numTensors));
    expect(await upload(page, NIH_PNG)).toBe('done');
    expect(await page.evaluate(() => Number(document.body.dataset.numTensors))).toBe(tensors);

    const timing = page.locator('#timing');
    expect(Number(await timing.getAttribute('data-inference-ms'))).toBeGreaterThan(0);
    expect(await timing.textContent()).toMatch(/Inference \d+ ms on (WebGL|WebAssembly|CPU)/);

    // The overlay: coloured pixels when on, a pure grey image when toggled off, more colour at full blend.
    const on = await colouredPixels(page);
    expect(on.total).toBe(768 * 768);
    expect(on.coloured).toBeGreaterThan(on.total * 0.5);
    await page.screenshot({ path: path.join(ARTIFACTS, 'png-overlay.png'), fullPage: true });
    await page.locator('#overlay-toggle').uncheck();
    expect((await colouredPixels(page)).coloured).toBe(0);
    await page.locator('#overlay-toggle').check();
    await page.locator('#alpha').fill('100');
    const full = await page.evaluate(() => {
      const c = document.getElementById('view') as HTMLCanvasElement;
      return Array.from((c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, 1, 1).data.slice(0, 3));
    });
    // At alpha 1 the corner pixel is jet(heat) alone: jet's blue channel is never 0 where red is 0.
    expect(full[0] === full[1] && full[1] === full[2]).toBe(false);
    await expect(page.locator('#alpha-value').textContent()).resolves.toBe('100%');

    // Privacy: every request is a GET/HEAD to this server for app or model files; none carries a body.
    const origin = new URL(server.url).origin;
    const image = await readFile(NIH_PNG);
    for (const r of seen.requests) {
      expect(r.url.startsWith(origin) || r.url.startsWith('blob:') || r.url.startsWith('data:')).toBe(true);
      expect(['GET', 'HEAD']).toContain(r.method);
      expect(r.body).toBeNull();
      expect(r.url).not.toContain('00001281_000');
    }
    expect(serverRequests.every((r) => r.method === 'GET' || r.method === 'HEAD')).toBe(true);
    expect(seen.requests.some((r) => r.url.endsWith('/model/model.json'))).toBe(true);
    expect(image.length).toBeGreaterThan(0);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 180_000);

  test('a JPEG-baseline DICOM (WebAssembly codec, dropped on the page) and two JPEGs match Node on the WASM backend', async () => {
    const { page, seen } = await openPage('?weights=float32&backend=wasm');
    await expect(page.locator('#model-info').textContent()).resolves.toContain('WebAssembly');
    expect(seen.requests.some((r) => /tfjs-backend-wasm.*\.wasm$/.test(r.url))).toBe(true);
    // Dropped on the page, as a user would (the file input is tested with the PNG).
    const bytes = Array.from(await readFile(DICOM_JPEG));
    const transfer = await page.evaluateHandle((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], 'siim_cr_pa_jpegbaseline_mono2.dcm', { type: 'application/dicom' }));
      return dt;
    }, bytes);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
    const decoded = await decodeDicom(new Uint8Array(await readFile(DICOM_JPEG)), { fileName: DICOM_JPEG, outputBits: 8 });
    const input = preprocessPixels({ data: decoded.pixels, width: decoded.width, height: decoded.height, channels: 1 }, cxr.config.preprocessing);
    expectClose(await shownProbabilities(page), await nodeProbabilities(input));
    await expect(page.locator('#image-info').textContent()).resolves.toContain('JPEG Baseline (1.2.840.10008.1.2.4.50)');
    expect(seen.requests.some((r) => /libjpegturbowasm_decode.*\.wasm$/.test(r.url))).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dicom-jpeg-baseline.png'), fullPage: true });

    // JPEGs of covid-chestxray: one grey, one YCbCr 4:2:0 (the browser's and libvips' decoders must agree).
    for (const name of ['0a7faa2a.jpg', '01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg']) {
      const file = path.join(SHARED, 'covid-chestxray/images', name);
      expect(await upload(page, file)).toBe('done');
      expectClose(await shownProbabilities(page), await nodeProbabilities((await preprocessImage(file, cxr.config.preprocessing)).data));
    }

    // EXIF orientation 6 (rotate 90): the page and training must both turn the image upright. A left-right
    // asymmetric picture, so that an unrotated read would give other probabilities.
    const sharp = (await import('sharp')).default;
    const nih = await sharp(NIH_PNG).resize(256, 160, { fit: 'fill' }).raw().toBuffer();
    const rotated = await sharp(nih, { raw: { width: 256, height: 160, channels: 1 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const rotatedFile = path.join(tmp, 'rotated.jpg');
    await writeFile(rotatedFile, rotated);
    expect(await upload(page, rotatedFile)).toBe('done');
    const upright = await nodeProbabilities((await preprocessImage(rotatedFile, cxr.config.preprocessing)).data);
    expectClose(await shownProbabilities(page), upright);
    const unrotated = await nodeProbabilities((await preprocessImage(await sharp(rotated).withMetadata({ orientation: 1 }).toBuffer(), cxr.config.preprocessing)).data);
    expect(Math.abs(unrotated.covid - upright.covid)).toBeGreaterThan(1e-3);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 180_000);

  test('the page says which backend runs and why, and warms it; a 3-class model gets a bar per class and the rule of its cxr.json', async () => {
    const { page, seen } = await openPage();
    // Headless Chromium with --disable-gpu: WebGL, if any, is a software renderer, so WebAssembly is taken;
    // threads (half the logical cores, the page being cross-origin isolated) from 4 logical cores on.
    await expect(page.locator('#model-info [data-fact="why"]').textContent()).resolves.toMatch(/software renderer \(.*(SwiftShader|llvmpipe)|no WebGL/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const threads = Math.min(4, Math.floor((await page.evaluate(() => navigator.hardwareConcurrency)) / 2));
    await expect(page.locator('#model-info [data-fact="backend"]').textContent()).resolves.toBe(threads >= 2 ? `WebAssembly SIMD, ${threads} threads` : 'WebAssembly SIMD');
    // The warm-up ran on the loaded model before any file was chosen.
    await page.waitForFunction(() => document.body.dataset.warm === 'done', null, { timeout: 60_000 });
    expect(Number(await page.evaluate(() => document.body.dataset.warmMs))).toBeGreaterThan(0);
    expect(seen.errors).toEqual([]);
    await page.close();

    // Two threads asked for: the threaded build runs minified (its workers once failed with "e is not defined")
    // and gives Node's probabilities.
    const threaded = await openPage('?weights=float32&backend=wasm&threads=2');
    await expect(threaded.page.locator('#model-info [data-fact="backend"]').textContent()).resolves.toBe('WebAssembly SIMD, 2 threads');
    expect(threaded.seen.requests.some((r) => /tfjs-backend-wasm-threaded-simd.*\.wasm$/.test(r.url))).toBe(true);
    expect(await upload(threaded.page, NIH_PNG)).toBe('done');
    expectClose(await shownProbabilities(threaded.page), await nodeProbabilities((await preprocessImage(NIH_PNG, cxr.config.preprocessing)).data));
    expect(threaded.seen.errors).toEqual([]);
    await threaded.page.close();

    const classes = ['covid', 'pneumonia', 'normal'];
    const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET });
    const classifier = createClassifier(backbone, { seed: 5, units: 16, poolSize: 7, classes: 3 });
    const threeDir = path.join(tmp, 'model-3');
    await saveModel(threeDir, { classifier, backbone, classes, positiveClass: 'covid', threshold: 0.5 });
    classifier.dispose();
    const three = await loadModel(threeDir);
    const { startServer } = (await import(pathToFileURL(path.join(WEB, 'scripts/serve.mjs')).href)) as {
      startServer(o: object): Promise<{ url: string; close(): Promise<void> }>;
    };
    const server3 = await startServer({ dist: path.join(tmp, 'dist'), model: threeDir });
    try {
      const page3 = await browser.newPage();
      await page3.goto(`${server3.url}?weights=float32`);
      await page3.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
      await expect(page3.locator('#model-info [data-fact="decision"]').textContent()).resolves.toBe('covid if p ≥ 0.5, else the most probable other class');
      expect(await upload(page3, NIH_PNG)).toBe('done');
      const shown = await shownProbabilities(page3);
      expect(Object.keys(shown)).toEqual(classes); // one bar per class, in cxr.json's order
      expect(await page3.locator('#probabilities [role=meter]').count()).toBe(3);
      expect(Math.abs(shown.covid + shown.pneumonia + shown.normal - 1)).toBeLessThan(1e-5);
      const [expected] = await predict(three, (await preprocessImage(NIH_PNG, three.config.preprocessing)).data);
      for (const c of classes) expect(Math.abs(shown[c] - expected.probabilities[c])).toBeLessThan(1e-3);
      // The rule by hand: covid at p >= 0.5, else the larger of the other two.
      const byHand = shown.covid >= 0.5 ? 'covid' : shown.pneumonia >= shown.normal ? 'pneumonia' : 'normal';
      expect(await page3.locator('#decision').getAttribute('data-decision')).toBe(byHand);
      await page3.screenshot({ path: path.join(ARTIFACTS, 'three-classes.png'), fullPage: true });
      await page3.close();
    } finally {
      three.model.dispose();
      await server3.close();
    }
  }, 180_000);

  // As `cxr train --clahe` / `--lung-crop` save them: the step in cxr.json's preprocessing, a head on its features.
  const PREPROCESSING_STEPS = [
    { option: 'CLAHE', preprocessing: { clahe: { tileGridSize: 8, clipLimit: 2 } }, off: { clahe: null }, seed: 23, fact: 'CLAHE' },
    // 10% off each side, 8% off the top, 12% off the bottom
    { option: 'the lung-field crop', preprocessing: { lungCrop: { x: 0.1, y: 0.08, width: 0.8, height: 0.8 } }, off: { lungCrop: null }, seed: 29, fact: 'lung-field crop' },
  ];
  test.each(PREPROCESSING_STEPS)('a model trained with $option: the page applies it as cxr.json says and gives Node predictFiles probabilities within 1e-3', async ({ preprocessing, off, seed, fact }) => {
    const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET });
    const classifier = createClassifier(backbone, { seed, units: 16, poolSize: 7 });
    const dir = path.join(tmp, `model-${seed}`);
    await saveModel(dir, { classifier, backbone, preprocessing: { ...backbone.preprocessing, ...preprocessing }, classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.5 });
    classifier.dispose();
    const model = await loadModel(dir);
    expect(model.config.preprocessing).toMatchObject(preprocessing);
    const files = [NIH_PNG, DICOM_JPEG];
    const node = await predictFiles(model, files);
    // The step moves these probabilities by more than the tolerance: a page that skipped it would fail below.
    const plain = await loadModel(dir);
    plain.config.preprocessing = { ...plain.config.preprocessing, ...off };
    const without = await predictFiles(plain, files);
    for (const [i, p] of node.entries()) expect(Math.abs(p.probabilities.covid - without[i].probabilities.covid)).toBeGreaterThan(1e-3);
    const { page, errors, server: server } = await openModelPage(dir);
    try {
      await expect(page.locator('#model-info [data-fact="input"]').textContent()).resolves.toContain(fact);
      for (const [i, file] of files.entries()) {
        expect(await upload(page, file)).toBe('done');
        expectClose(await shownProbabilities(page), node[i].probabilities);
      }
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      model.model.dispose();
      plain.model.dispose();
      await server.close();
    }
  }, 180_000);

  test('bad files get a message in role=alert naming the file and the problem', async () => {
    const { page, seen } = await openPage();
    const alert = page.getByRole('alert');
    const sharp = (await import('sharp')).default;

    expect(await upload(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image at all\n') })).toBe('error');
    await expect(alert.textContent()).resolves.toMatch(/^notes\.txt is not a PNG, JPEG or DICOM image/);

    // A real DICOM whose transfer syntax UID is rewritten to Explicit VR Big Endian (same length, 20 bytes).
    const dicom = Buffer.from(await readFile(DICOM_EXPLICIT_LE));
    const at = dicom.indexOf('1.2.840.10008.1.2.1\0', 0, 'latin1');
    expect(at).toBeGreaterThan(128);
    dicom.write('1.2.840.10008.1.2.2\0', at, 'latin1');
    expect(await upload(page, { name: 'big-endian.dcm', mimeType: 'application/dicom', buffer: dicom })).toBe('error');
    const msg = await alert.textContent();
    expect(msg).toContain('1.2.840.10008.1.2.2');
    expect(msg).toContain('big-endian.dcm');
    expect(msg).toMatch(/Big Endian/i);
    await page.screenshot({ path: path.join(ARTIFACTS, 'error-big-endian.png'), fullPage: true });

    const tiny = await sharp({ create: { width: 40, height: 48, channels: 3, background: '#808080' } }).png().toBuffer();
    expect(await upload(page, { name: 'tiny.png', mimeType: 'image/png', buffer: tiny })).toBe('error');
    await expect(alert.textContent()).resolves.toBe('tiny.png is 40x48 pixels: too small to be a chest X-ray (at least 64x64)');

    const huge = await sharp({ create: { width: 8000, height: 7000, channels: 3, background: '#000' } }).toColourspace('b-w').png().toBuffer();
    expect(await upload(page, { name: 'huge.png', mimeType: 'image/png', buffer: huge })).toBe('error');
    await expect(alert.textContent()).resolves.toContain('huge.png is 8000x7000 (56.0 megapixels), over the 50 megapixel limit');

    const bigFile = path.join(tmp, 'big.dcm');
    await writeFile(bigFile, Buffer.alloc(50 * 1024 * 1024 + 1));
    expect(await upload(page, bigFile)).toBe('error');
    await expect(alert.textContent()).resolves.toBe('big.dcm is 50.0 MiB, over the 50.0 MiB limit of this demo');

    // A good image after errors clears the alert; a bad one after it hides the old result.
    expect(await upload(page, NIH_PNG)).toBe('done');
    await expect(alert.count()).resolves.toBe(0);
    await expect(page.locator('#result').isVisible()).resolves.toBe(true);
    expect(await upload(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('again') })).toBe('error');
    await expect(page.locator('#result').isVisible()).resolves.toBe(false);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 180_000);

  test('an error that escapes a handler, or a rejected promise nobody awaits, is shown in role=alert too', async () => {
    const { page } = await openPage();
    await page.evaluate(() => {
      setTimeout(() => {
        throw new Error('thrown by a handler');
      }, 0);
    });
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Unexpected error: thrown by a handler');
    await page.evaluate(() => {
      void Promise.reject(new Error('a lost promise'));
    });
    await page.waitForFunction(() => document.getElementById('error')?.textContent?.includes('a lost promise'));
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Unexpected error: a lost promise');
    await page.close();
  }, 120_000);

  test('without a served model the user picks a model folder; a folder without cxr.json is refused', async () => {
    const { page, seen } = await openPage('?model=missing/&backend=wasm');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('no-model');
    await expect(page.locator('#model-status').textContent()).resolves.toContain('choose a model folder');

    const notModel = path.join(tmp, 'not-a-model');
    await mkdir(notModel, { recursive: true });
    await writeFile(path.join(notModel, 'readme.txt'), 'hello');
    await page.locator('#model-input').setInputFiles(notModel);
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'not-a-model is not a cxr model folder: no cxr.json (choose the folder saveModel or cxr train wrote)',
    );

    await page.locator('#model-input').setInputFiles(modelDir);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''));
    await expect(page.locator('#model-info').textContent()).resolves.toContain('model (local folder)');
    expect(await upload(page, NIH_PNG)).toBe('done');
    expectClose(await shownProbabilities(page), await nodeProbabilities((await preprocessImage(NIH_PNG, cxr.config.preprocessing)).data));
    // The folder was read from disk by the page: no request for model files went out.
    expect(seen.requests.filter((r) => /model\.json|\.bin$/.test(r.url))).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 180_000);

  test('out-of-distribution refusal: the page refuses or decides each file as Node does (feature distance, aspect ratio, a chest film)', async () => {
    // The model of beforeAll plus an inputDistribution made here, apart from predict: MobileNet's pooled features
    // (mean over the 7 x 7 cells) of 8 NIH films that are not NIH_PNG.
    const names = (await readdir(path.dirname(NIH_PNG))).filter((n) => n.endsWith('.png') && n !== path.basename(NIH_PNG)).sort().slice(0, 8);
    const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET });
    const features: Float32Array[] = [];
    for (const n of names) {
      const { data } = await preprocessImage(path.join(path.dirname(NIH_PNG), n), cxr.config.preprocessing);
      features.push(tf.tidy(() => (tf.mean(backbone.model.predict(tf.tensor4d(data, [1, 224, 224, 3])) as tf.Tensor, [0, 1, 2]) as tf.Tensor).dataSync() as Float32Array));
    }
    backbone.model.dispose();
    const inputDistribution = describeInputDistribution({ features, k: 2, falseRefusalRate: 0.05 });
    const oodDir = path.join(tmp, 'model-ood');
    await cp(modelDir, oodDir, { recursive: true });
    const config = JSON.parse(await readFile(path.join(oodDir, 'cxr.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(oodDir, 'cxr.json'), JSON.stringify({ ...config, inputDistribution }));
    const ood = await loadModel(oodDir);

    // Files: a chest film; seeded grey noise (256 levels, square: only the feature distance can refuse it); a
    // 500 x 200 crop of a film (2.5:1: past the model's 2:1, short of the 3:1 that no radiograph decoder accepts).
    const sharp = (await import('sharp')).default;
    const noiseFile = path.join(tmp, 'noise.png');
    const noise = Buffer.alloc(256 * 256);
    let seed = 12345;
    for (let i = 0; i < noise.length; i++) noise[i] = (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    await sharp(noise, { raw: { width: 256, height: 256, channels: 1 } }).png().toFile(noiseFile);
    const wideFile = path.join(tmp, 'wide.png');
    await sharp(NIH_PNG).extract({ left: 262, top: 400, width: 500, height: 200 }).png().toFile(wideFile);
    const files = [NIH_PNG, noiseFile, wideFile];
    const node = await predictFiles(ood, files);
    // What each file must get, by the rules of checkInput: the film decided, the noise refused by its feature distance
    // alone, the crop refused by its aspect ratio.
    expect(node[0].decision).not.toBeNull();
    expect(node[0].inputCheck!.distance).toBeLessThanOrEqual(inputDistribution.threshold);
    expect(node[1].decision).toBeNull();
    expect(node[1].inputCheck!.reasons).toEqual([expect.stringMatching(/^unlike the training images \(feature distance/)]);
    expect(node[2].decision).toBeNull();
    expect(node[2].inputCheck!.reasons).toContain('aspect ratio 2.5:1 is beyond 2:1');
    console.log(
      `OOD web/Node: threshold ${inputDistribution.threshold.toFixed(4)}; ` +
        node.map((p) => `${path.basename(p.path)} ${p.decision ?? 'none'} d=${p.inputCheck!.distance.toFixed(4)} [${p.inputCheck!.reasons.join('; ')}]`).join(', '),
    );

    const { page, errors, server: serverOod } = await openModelPage(oodDir);
    try {
      for (const [i, file] of files.entries()) {
        expect(await upload(page, file)).toBe('done');
        // Same decision (a class, or 'none' for refused) and the same reasons as Node, probabilities within 1e-3.
        expect(await page.locator('#decision').getAttribute('data-decision')).toBe(node[i].decision ?? 'none');
        if (node[i].decision === null) {
          await expect(page.locator('#decision strong').textContent()).resolves.toBe('outside what this model was trained on: no decision');
          const why = /^Why: (.*)\. Not a diagnosis\.$/.exec((await page.locator('#decision small').textContent()) ?? '');
          expect(why).not.toBeNull();
          // the same reasons; the feature distance (printed to 3 decimals) within 2e-3 of Node's
          const blank = (r: string) => r.replace(/feature distance \d+\.\d+/, 'feature distance _');
          const reasons = why![1].split('; ');
          expect(reasons.map(blank)).toEqual(node[i].inputCheck!.reasons.map(blank));
          const shownDistance = /feature distance (\d+\.\d+)/.exec(why![1]);
          if (shownDistance) expect(Math.abs(Number(shownDistance[1]) - node[i].inputCheck!.distance)).toBeLessThan(2e-3);
        }
        expectClose(await shownProbabilities(page), node[i].probabilities);
      }
      await page.screenshot({ path: path.join(ARTIFACTS, 'refused-wide.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      ood.model.dispose();
      await serverOod.close();
    }
  }, 240_000);
  test('a fine-tuned model (MobileNet conv_pw_12 in the head): the page gives the probabilities of Node predictFiles (1e-3), Grad-CAM included', async () => {
    // The backbone cut below its last block, the block as the head's first layer: its ImageNet weights (batch norm
    // folded) moved by a seeded +-10% as training would, and a seeded random head on top.
    const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET });
    const plan = planFineTune(backbone, { blocks: 1 });
    let seed = 777;
    const jitter = () => 1 + 0.2 * (((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24 - 0.5);
    const moved = plan.layers.map((l) => ({ ...l, kernel: l.kernel.map((v) => v * jitter()), bias: l.bias.map((v) => v * jitter()) }));
    const head = createHead({ inputShape: plan.backbone.outputShape, blocks: moved, seed: 17, units: 16, poolSize: 7 });
    const blockWeights = fineTuneWeights(moved);
    head.getLayer('finetune_conv_pw_12').setWeights(blockWeights);
    tf.dispose(blockWeights);
    const ftDir = path.join(tmp, 'model-finetuned');
    await saveModel(ftDir, { head, backbone: plan.backbone, classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.5, fineTune: fineTuneRecord(plan, 1e-4) });
    head.dispose();
    backbone.model.dispose();
    const tuned = await loadModel(ftDir);
    expect(tuned.config.fineTune?.backboneCut).toBe('conv_dw_12_relu');
    const files = [NIH_PNG, DICOM_JPEG];
    const node = await predictFiles(tuned, files);
    // not the model of beforeAll, and away from 0 and 1
    for (const p of node) expect(p.probabilities.covid).toBeGreaterThan(0.01);
    const { page, errors, server: serverFt } = await openModelPage(ftDir);
    try {
      for (const [i, file] of files.entries()) {
        expect(await upload(page, file)).toBe('done');
        expectClose(await shownProbabilities(page), node[i].probabilities);
        expect(await page.locator('#decision').getAttribute('data-decision')).toBe(node[i].decision);
      }
      console.log(`fine-tuned web/Node: ${node.map((p) => `${path.basename(p.path)} covid ${p.probabilities.covid.toFixed(4)}`).join(', ')}`);
      expect((await colouredPixels(page)).coloured).toBeGreaterThan(0); // the Grad-CAM overlay was drawn
      await page.screenshot({ path: path.join(ARTIFACTS, 'fine-tuned.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      tuned.model.dispose();
      await serverFt.close();
    }
  }, 240_000);
});
