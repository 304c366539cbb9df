// Benchmark of @cxr/preprocess (the BUILT package: run `npx nx build @cxr/preprocess` first).
//
//   node tools/bench/src/preprocess.bench.mjs          # prints the rows as JSON
//   CXR_BENCH_ROUNDS=5 node tools/bench/src/preprocess.bench.mjs
//
// 1. Throughput on the real images of ../shared/data (NIH + covid-chestxray, 224x224 `unit` spec),
//    against sharp alone doing decode + greyscale + resize to a raw buffer, in the same run, with
//    the same concurrency. Rounds alternate the pipelines; medians are reported. Both wall time
//    and process CPU time (all threads, libvips included) are measured: on a shared machine the
//    CPU-time ratio is the steadier one.
// 2. Peak RSS while iterating `batches()` over the whole list and over the list repeated 4 times,
//    each in a fresh child process: it should stay flat as the dataset grows.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
// Imported lazily, as int8 and train benches do (a static import of a lazily loaded library is a lint error).
const { batches, DEFAULT_PREPROCESS_SPEC, preprocessImage } = await import('@cxr/preprocess/node');

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const sharedData = process.env.CXR_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const SPEC = { ...DEFAULT_PREPROCESS_SPEC, width: 224, height: 224, channels: 3, normalization: 'unit' };
const CONCURRENCY = 2;

function imageFiles() {
  const dirs = ['nih-cxr14/images', 'covid-chestxray/images'].map((d) => path.join(sharedData, d));
  const files = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) if (/\.(png|jpe?g)$/i.test(f)) files.push(path.join(d, f));
  }
  return files;
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function measure(files, fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pool(files, CONCURRENCY, fn);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const PIPELINES = {
  // the reference: sharp alone, decode + grey + resize (JPEG shrink-on-load allowed), raw 8-bit
  sharpBaseline: (f) => sharp(f).greyscale().resize(SPEC.width, SPEC.height, { fit: 'fill' }).raw().toBuffer(),
  // the same with a full decode (what a bit-exact browser-equivalent pipeline must do)
  sharpFullDecode: (f) => sharp(f).greyscale().resize(SPEC.width, SPEC.height, { fit: 'fill', fastShrinkOnLoad: false }).raw().toBuffer(),
  exact: (f) => preprocessImage(f, SPEC),
  libvips: (f) => preprocessImage(f, SPEC, { resampler: 'libvips' }),
};

async function throughput(files, rounds) {
  for (const fn of Object.values(PIPELINES)) await pool(files.slice(0, 4), CONCURRENCY, fn); // warm-up
  const res = Object.fromEntries(Object.keys(PIPELINES).map((k) => [k, { wall: [], cpu: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(PIPELINES)) {
      const m = await measure(files, fn);
      res[name].wall.push(m.wall);
      res[name].cpu.push(m.cpu);
    }
  }
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { wall: median(v.wall), cpu: median(v.cpu) }]));
}

/** Child process: iterate batches over the files repeated `repeat` times, sampling RSS. */
async function memoryChild(repeat) {
  // libvips' operation cache keeps up to 50 MB of recent results whatever the dataset; off here so
  // that the measurement shows what the iteration itself holds
  sharp.cache(false);
  const files = imageFiles();
  const records = [];
  // batches() resolves record paths inside baseDir (a manifest's paths are relative and may not escape it)
  const baseDir = path.resolve(sharedData);
  for (let r = 0; r < repeat; r++) for (const f of files) records.push({ path: path.relative(baseDir, f), label: f.includes('nih') ? 'normal' : 'covid' });
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  let images = 0;
  const it = batches(records, {
    spec: SPEC,
    labels: ['covid', 'normal'],
    batchSize: 8,
    prefetch: 2,
    concurrency: CONCURRENCY,
    baseDir,
    onError: (error) => {
      throw error;
    },
  });
  for await (const b of it) {
    images += b.shape[0];
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  clearInterval(timer);
  process.stdout.write(JSON.stringify({ repeat, images, peakRssMiB: peak / 2 ** 20, peakImagesBuffered: it.stats.peakImagesBuffered }) + '\n');
}

function memoryRun(repeat) {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--memory-child', String(repeat)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    // glibc gives each libvips thread its own malloc arena; fragmentation then grows RSS with time
    // (sharp's documentation recommends this setting, or jemalloc, for long-running processes)
    env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
  });
  if (out.status !== 0) throw new Error(`memory child failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop());
}

/** Bench entry point for tools/bench/src/run.mjs. */
export async function run() {
  const files = imageFiles();
  if (files.length === 0) return { name: 'preprocess', rows: [], notes: `no images under ${sharedData}; skipped` };
  const rounds = Number(process.env.CXR_BENCH_ROUNDS ?? 3);
  const t = await throughput(files, rounds);
  const n = files.length;
  const rows = [];
  for (const [k, v] of Object.entries(t)) {
    rows.push({ metric: `${k} throughput (wall)`, value: +(n / (v.wall / 1000)).toFixed(1), unit: 'images/s' });
    rows.push({ metric: `${k} CPU per image`, value: +(v.cpu / n).toFixed(1), unit: 'ms' });
  }
  const ratio = (a, b) => +(t[b].wall / t[a].wall).toFixed(2);
  const cpuRatio = (a, b) => +(t[b].cpu / t[a].cpu).toFixed(2);
  rows.push({ metric: 'exact / sharpBaseline throughput (wall)', value: ratio('exact', 'sharpBaseline'), unit: 'x' });
  rows.push({ metric: 'exact / sharpBaseline throughput (CPU)', value: cpuRatio('exact', 'sharpBaseline'), unit: 'x' });
  rows.push({ metric: 'exact / sharpFullDecode throughput (wall)', value: ratio('exact', 'sharpFullDecode'), unit: 'x' });
  rows.push({ metric: 'exact / sharpFullDecode throughput (CPU)', value: cpuRatio('exact', 'sharpFullDecode'), unit: 'x' });
  rows.push({ metric: 'libvips / sharpBaseline throughput (wall)', value: ratio('libvips', 'sharpBaseline'), unit: 'x' });
  rows.push({ metric: 'libvips / sharpBaseline throughput (CPU)', value: cpuRatio('libvips', 'sharpBaseline'), unit: 'x' });
  // how far the fast resampler is from the exact (browser-identical) one, in [0, 1] intensity units
  let sum = 0;
  let max = 0;
  let count = 0;
  for (const f of files.filter((_, i) => i % 10 === 0)) {
    const [a, b] = await Promise.all([preprocessImage(f, SPEC), preprocessImage(f, SPEC, { resampler: 'libvips' })]);
    for (let i = 0; i < a.data.length; i += 3) {
      const d = Math.abs(a.data[i] - b.data[i]);
      sum += d;
      max = Math.max(max, d);
      count++;
    }
  }
  rows.push({ metric: 'libvips vs exact mean abs difference', value: +((sum / count) * 255).toFixed(2), unit: '/255' });
  rows.push({ metric: 'libvips vs exact max abs difference', value: +(max * 255).toFixed(1), unit: '/255' });
  const m1 = memoryRun(1);
  const m4 = memoryRun(4);
  rows.push({ metric: `peak RSS, batches over ${m1.images} images`, value: +m1.peakRssMiB.toFixed(0), unit: 'MiB' });
  rows.push({ metric: `peak RSS, batches over ${m4.images} images (4x)`, value: +m4.peakRssMiB.toFixed(0), unit: 'MiB' });
  rows.push({ metric: 'peak RSS growth 4x / 1x', value: +(m4.peakRssMiB / m1.peakRssMiB).toFixed(2), unit: 'x' });
  rows.push({ metric: 'peak images buffered (4x run)', value: m4.peakImagesBuffered, unit: 'images' });
  return {
    name: 'preprocess',
    rows,
    notes:
      `${n} images (NIH + covid-chestxray), spec 224x224x3 unit, concurrency ${CONCURRENCY}, median of ${rounds} rounds. ` +
      'exact = default preprocessImage (full decode, browser-identical resampler); libvips = resampler "libvips" ' +
      '(decode + resize in libvips, JPEG shrink-on-load). Ratios > 1 mean faster than the reference.',
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const i = process.argv.indexOf('--memory-child');
  if (i >= 0) await memoryChild(Number(process.argv[i + 1]));
  else console.log(JSON.stringify(await run(), null, 2));
}
