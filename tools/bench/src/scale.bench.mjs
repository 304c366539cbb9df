// Memory flat with size: peak RSS of a dataset build + feature extraction (cache warming, `collect: false`, as one
// shard of a large run does) over 1,000 and 10,000 synthetic images (goal: ratio <= 1.2), each size in a fresh
// child process (process.resourceUsage().maxRSS). Small images (128x128 grey PNG) and a small backbone (VGG16, 2
// blocks, 1/16 width, 64x64 input) keep the run short: memory that grows with the number of images shows just as
// well. Also the per-image wall time of both steps at each size (flat too, if nothing is quadratic).
//
//   node tools/bench/src/run.mjs scale
//   CXR_BENCH_SCALE_SIZES=1000,10000 (default)
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const SIZES = (process.env.CXR_BENCH_SCALE_SIZES ?? '1000,10000').split(',').map(Number);

/** N synthetic grey PNGs, half in covid/, half in normal/ (the folder source's layout), seeded noise + a gradient. */
async function makeImages(dir, n) {
  const sharp = (await import('sharp')).default;
  for (const label of ['covid', 'normal']) await mkdir(path.join(dir, label), { recursive: true });
  let a = 7;
  const pixels = Buffer.alloc(128 * 128);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < pixels.length; p++) {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      pixels[p] = ((p >> 7) + (a >>> 26)) & 255;
    }
    const label = i % 2 === 0 ? 'covid' : 'normal';
    await sharp(pixels, { raw: { width: 128, height: 128, channels: 1 } }).png().toFile(path.join(dir, label, `img${String(i).padStart(6, '0')}.png`));
  }
}

/** Child: build + extract over the images in `dir`, report peak RSS and timings. */
async function measure(dir, out) {
  const dataset = await import('@cxr/dataset/node');
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const model = await import('@cxr/model/node');
  let t0 = performance.now();
  const summary = await dataset.buildDataset({ sources: [{ kind: 'folder', dir }], outDir: path.join(out, 'data') });
  const buildS = (performance.now() - t0) / 1000;
  const afterBuild = process.resourceUsage().maxRSS;
  const manifest = await dataset.readManifest(summary.manifestFile);
  const backbone = model.createBackbone({ name: 'vgg16', seed: 1, blocks: 2, widthMultiplier: 1 / 16, inputShape: [64, 64, 3] });
  const cache = new model.FeatureCache(path.join(out, 'cache'));
  t0 = performance.now();
  await model.extractFileFeatures(backbone, manifest.map((m) => path.join(out, 'data', m.path)), { cache, collect: false, engine: 'onnx', threads: 2 });
  const extractS = (performance.now() - t0) / 1000;
  return { n: summary.images.total, buildS, extractS, afterBuildKiB: afterBuild, peakKiB: process.resourceUsage().maxRSS };
}

function inChild(dir, out) {
  return new Promise((resolve, reject) => {
    const proc = fork(self, ['--measure', dir, out], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    proc.on('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
    proc.on('exit', (code) => code !== 0 && reject(new Error(`measurement exited with ${code}`)));
  });
}

export async function run() {
  const load0 = os.loadavg();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-bench-scale-'));
  const rows = [];
  const results = [];
  try {
    for (const n of SIZES) {
      const dir = path.join(tmp, `src-${n}`);
      await makeImages(dir, n);
      const r = await inChild(dir, path.join(tmp, `out-${n}`));
      if (r.n !== n) throw new Error(`built ${r.n} of ${n} images`);
      results.push(r);
      rows.push(
        { metric: `${n} images: peak RSS, build + feature extraction`, value: r.peakKiB / 1024, unit: 'MiB' },
        { metric: `${n} images: peak RSS after the build alone`, value: r.afterBuildKiB / 1024, unit: 'MiB' },
        { metric: `${n} images: build wall time per image`, value: (1000 * r.buildS) / n, unit: 'ms' },
        { metric: `${n} images: feature extraction wall time per image`, value: (1000 * r.extractS) / n, unit: 'ms' },
      );
      await rm(dir, { recursive: true, force: true });
      await rm(path.join(tmp, `out-${n}`), { recursive: true, force: true });
    }
    const [small, large] = [results[0], results[results.length - 1]];
    rows.push({ metric: `peak RSS ${large.n} / ${small.n} images`, value: large.peakKiB / small.peakKiB, unit: 'ratio' });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const notes = [
    'synthetic 128x128 grey PNGs (folder source, each its own patient); VGG16 2 blocks, 1/16 width, 64x64 input, onnxruntime 2 threads; features into a disk cache with collect: false',
    `${os.cpus().length} CPUs, load average ${load0[0].toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`,
  ];
  return { name: 'scale', rows, notes };
}

if (process.argv[2] === '--measure') {
  try {
    process.send(await measure(process.argv[3], process.argv[4]), () => process.exit(0));
  } catch (error) {
    process.send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
  }
} else if (process.argv[1] === self) {
  const result = await run();
  for (const r of result.rows) console.log(`${r.metric.padEnd(60)} ${r.value.toFixed(3).padStart(10)} ${r.unit}`);
  console.log(result.notes.join('\n'));
  process.exit(0);
}
