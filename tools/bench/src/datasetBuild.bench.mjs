// Dataset build throughput of @cxr/dataset (the BUILT package, @cxr/dataset/node): the notebook recipe over the
// shared covid-chestxray and NIH ChestX-ray14 folders (163 covid + 110 normal images converted to 8-bit grey PNG),
// cold with a pool of 1 and of 2-4 conversions (the default), then a rerun that reuses every PNG (hash check), and
// the metadata scan alone (`sourceStats` over NIH's 112,120 rows). CPU time / wall time shows how busy the cores were;
// on Linux the CPU time is split by thread (/proc/self/task): the main thread (metadata scan, hashing, the JPEG frame
// check), libvips' workers (decode, grey, PNG encode) and the rest (libuv's fs/zlib threads, V8's GC helpers).
// `CXR_BENCH_BUILD_ROUNDS` (default 1) repeats the cold builds, pools alternating (1 2, then 2 1), and reports medians.
// Run alone: `npx nx build @cxr/dataset && node tools/bench/src/datasetBuild.bench.mjs`, or via the runner.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(process.env.CXR_SHARED_DATA ?? path.join(repoRoot, '../shared/data'));

/**
 * CPU seconds of this process's threads by kind: `main`, `libvips` (threads named "libvips worker"), `other`; null
 * where /proc/self/task is not readable (not Linux). Threads that ended between two readings lose their time (libvips
 * and libuv keep theirs for the process's life).
 */
function threadCpu() {
  const ticks = 100; // USER_HZ: clock ticks per second in /proc stat files on Linux
  const out = new Map();
  let names;
  try {
    names = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  for (const tid of names) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      const kind = tid === String(process.pid) ? 'main' : name.startsWith('libvips') ? 'libvips' : 'other';
      out.set(tid, { kind, seconds: (Number(fields[11]) + Number(fields[12])) / ticks });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

function threadCpuSince(before) {
  const after = threadCpu();
  if (!before || !after) return null;
  const by = { main: 0, libvips: 0, other: 0 };
  for (const [tid, t] of after) by[t.kind] += t.seconds - (before.get(tid)?.seconds ?? 0);
  return by;
}

async function timed(fn) {
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, threads: threadCpuSince(threads0) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run() {
  const dataset = await import('@cxr/dataset/node');
  const sources = [
    { kind: 'covid-chestxray', dir: path.join(shared, 'covid-chestxray') },
    { kind: 'nih-cxr14', dir: path.join(shared, 'nih-cxr14') },
  ];
  const sharpThreads = (await import('sharp')).default.concurrency();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-bench-build-'));
  const rows = [];
  const load0 = os.loadavg()[0];
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    // The metadata alone: rows/s of the streaming readers and filters, no image touched but for a stat of each kept one.
    const scan = await timed(() =>
      dataset.sourceStats(sources[1], { filter: { finding: 'No Finding', views: ['PA'], minAge: 18 } }),
    );
    if (scan.value.filtered.kept !== 37414) throw new Error(`NIH scan kept ${scan.value.filtered.kept} rows, expected 37414`);
    rows.push({ metric: 'NIH metadata scan (112,120 rows, filter + image check)', value: scan.value.rowsRead / scan.seconds, unit: 'rows/s' });

    const defaultConcurrency = Math.max(2, Math.min(4, os.availableParallelism()));
    const cores = os.availableParallelism();
    const rounds = Math.max(1, Number(process.env.CXR_BENCH_BUILD_ROUNDS ?? 1));
    // The pools with sharp's own libvips threads per image; and, where that is fewer than the cores (sharp uses 1 on
    // glibc Linux without jemalloc), a pool of 1 with one libvips thread per core: does libvips spread one image wider?
    const cases = [
      { name: `pool of 1`, concurrency: 1, vipsThreads: sharpThreads },
      { name: `pool of ${defaultConcurrency}`, concurrency: defaultConcurrency, vipsThreads: sharpThreads },
      ...(sharpThreads < cores ? [{ name: `pool of 1, ${cores} libvips threads`, concurrency: 1, vipsThreads: cores }] : []),
    ];
    const cold = new Map(cases.map((c) => [c, []]));
    const sharpModule = (await import('sharp')).default;
    for (let round = 0; round < rounds; round++) {
      for (const c of round % 2 ? [...cases].reverse() : cases) {
        const out = path.join(tmp, `c${c.concurrency}`);
        await rm(out, { recursive: true, force: true });
        sharpModule.concurrency(c.vipsThreads);
        const run = await timed(() => dataset.buildDataset({ sources, outDir: out, concurrency: c.concurrency })).finally(() =>
          sharpModule.concurrency(sharpThreads),
        );
        const s = run.value;
        if (s.images.total !== 273 || s.written !== 273) throw new Error(`build wrote ${s.written} of ${s.images.total} images, expected 273`);
        cold.get(c).push(run);
      }
    }
    for (const c of cases) {
      const runs = cold.get(c);
      const at = (f) => median(runs.map(f));
      rows.push(
        { metric: `cold build, ${c.name} (273 images)`, value: at((r) => r.value.written / r.seconds), unit: 'img/s' },
        { metric: `cold build, ${c.name}: CPU time / wall time`, value: at((r) => r.cpuSeconds / r.seconds), unit: 'cores' },
        { metric: `cold build, ${c.name}: wall time`, value: at((r) => r.seconds), unit: 's' },
        { metric: `cold build, ${c.name}: CPU time`, value: at((r) => r.cpuSeconds), unit: 's' },
      );
      if (runs[0].threads) {
        rows.push(
          { metric: `cold build, ${c.name}: CPU time of the main thread`, value: at((r) => r.threads.main), unit: 's' },
          { metric: `cold build, ${c.name}: CPU time of libvips' workers`, value: at((r) => r.threads.libvips), unit: 's' },
          { metric: `cold build, ${c.name}: CPU time of other threads (libuv, V8)`, value: at((r) => r.threads.other), unit: 's' },
        );
      }
    }
    {
      const out = path.join(tmp, `c${defaultConcurrency}`);
      const warm = await timed(() => dataset.buildDataset({ sources, outDir: out, concurrency: defaultConcurrency }));
      if (warm.value.reused !== 273 || warm.value.written !== 0) throw new Error(`rerun converted ${warm.value.written} images, expected 0`);
      rows.push({ metric: 'rerun (all 273 reused after SHA-256 check): wall time', value: warm.seconds, unit: 's' });
    }
    const [one, many] = [rows.find((r) => r.metric === 'cold build, pool of 1 (273 images)'), rows.find((r) => r.metric === `cold build, pool of ${defaultConcurrency} (273 images)`)];
    rows.push({ metric: `pool of ${defaultConcurrency} vs 1 speed-up`, value: many.value / one.value, unit: 'x' });
    // However well a pool of N spreads its work, it cannot finish before its CPU time, spread over every core, has
    // passed: the speed-up is at most wall(pool of 1) / (CPU(pool of N) / cores). A pool of 1 that already keeps more
    // than one core busy (libvips decodes and encodes in separate threads) leaves that much less to gain.
    const wallOne = median(cold.get(cases[0]).map((r) => r.seconds));
    const cpuMany = median(cold.get(cases[1]).map((r) => r.cpuSeconds));
    rows.push({ metric: `pool of ${defaultConcurrency} vs 1 speed-up ceiling: wall(1) x ${cores} cores / CPU(${defaultConcurrency})`, value: (wallOne * cores) / cpuMany, unit: 'x' });

    // The bare reference: a plain sharp loop over the same 273 input files with the same number of images in
    // flight, doing only decode -> grey -> the same PNG encoding -> write. No metadata, no hashing, no journal.
    const { readManifest } = dataset;
    const manifest = await readManifest(path.join(tmp, `c${defaultConcurrency}`, 'manifest.csv'));
    // The input files as the readers resolve them (source, original path -> image path); not timed.
    const wanted = new Map(manifest.map((m) => [`${m.source}\0${m.originalPath}`, undefined]));
    for (const spec of sources) {
      for await (const r of dataset.openSource(spec)) {
        const key = `${r.source}\0${r.originalPath}`;
        if (wanted.has(key)) wanted.set(key, r.imagePath);
      }
    }
    const inputs = [...wanted.values()];
    if (inputs.length !== 273 || inputs.some((p) => p === undefined)) throw new Error('could not resolve the 273 input files');
    const sharp = (await import('sharp')).default;
    const level = dataset.PNG_COMPRESSION_LEVEL ?? 6;
    const bareOut = path.join(tmp, 'bare');
    await mkdir(bareOut);
    const bareLoop = (inFlight) =>
      timed(async () => {
        let next = 0;
        const worker = async () => {
          for (let i = next++; i < inputs.length; i = next++) {
            const png = await sharp(inputs[i], { limitInputPixels: 50_000_000, failOn: 'warning' })
              .rotate()
              .removeAlpha()
              .toColourspace('b-w')
              .png({ compressionLevel: level })
              .toBuffer();
            await writeFile(path.join(bareOut, `${i}.png`), png);
          }
        };
        await Promise.all(Array.from({ length: inFlight }, worker));
      });
    const bare1 = await bareLoop(1);
    const bare = await bareLoop(defaultConcurrency);
    rows.push(
      { metric: 'bare sharp loop, 1 in flight: CPU time / wall time', value: bare1.cpuSeconds / bare1.seconds, unit: 'cores' },
      { metric: `bare sharp loop, ${defaultConcurrency} vs 1 in flight speed-up ceiling: wall(1) x ${cores} cores / CPU(${defaultConcurrency})`, value: (bare1.seconds * cores) / bare.cpuSeconds, unit: 'x' },
    );
    rows.push(
      { metric: `bare sharp loop, ${defaultConcurrency} in flight (same 273 files, same PNG level ${level})`, value: inputs.length / bare.seconds, unit: 'img/s' },
      { metric: `bare sharp loop: CPU time / wall time`, value: bare.cpuSeconds / bare.seconds, unit: 'cores' },
      { metric: `cold build, pool of ${defaultConcurrency} / bare sharp loop`, value: many.value / (inputs.length / bare.seconds), unit: 'ratio' },
      { metric: 'bare sharp loop, 1 in flight', value: inputs.length / bare1.seconds, unit: 'img/s' },
      { metric: `bare sharp loop ${defaultConcurrency} vs 1 in flight speed-up (what the machine allows now)`, value: bare1.seconds / bare.seconds, unit: 'x' },
    );
    rows.push({ metric: 'peak RSS of the process', value: peakRss / 2 ** 20, unit: 'MiB' });
  } finally {
    clearInterval(sampler);
    await rm(tmp, { recursive: true, force: true });
  }
  const notes = [
    'the bare sharp loop runs after the builds, on warm OS file caches; the builds read the same files (the pool of 1 first)',
    'sources: shared covid-chestxray (751 rows, 177 images, JPEG/PNG 157-4280 px) and NIH ChestX-ray14 (112,120 rows, 99 PNG 1024x1024)',
    'a cold build includes reading and filtering all 112,871 metadata rows (the NIH scan alone is the first row)',
    `libvips threads per image (sharp.concurrency()): ${sharpThreads}; libuv thread pool: ${process.env.UV_THREADPOOL_SIZE ?? 4}; cold builds: ${Math.max(1, Number(process.env.CXR_BENCH_BUILD_ROUNDS ?? 1))} round(s), medians`,
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model}), shared with other users: load average ${load0.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`,
  ];
  return { name: 'datasetBuild', rows, notes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run();
  for (const r of result.rows) console.log(`${r.metric.padEnd(60)} ${r.value.toFixed(2).padStart(10)} ${r.unit}`);
  console.log(result.notes.join('\n'));
  process.exit(0);
}
