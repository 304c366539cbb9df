// `cxr train` on the shared real data (issue 8): the BUILT CLI (`node apps/cli/bin/cxr.js`) in child processes,
// wall time and peak RSS of each (`/usr/bin/time -f '%e %M'`, else polling /proc/<pid>/status VmHWM).
// - builds the dataset once from ../shared/data into a temp folder (notebook recipe: 163 covid + 110 normal);
// - `cxr train` with the notebook's recipe (10 epochs, batch 8, frozen base): MobileNet v1 (the shared ImageNet
//   weights) and VGG16 (`--random-weights`: same speed as real weights), each with the feature cache COLD (fresh
//   `--cache-dir`, which also holds the exported ONNX graph) then WARM (the same cache, second run);
// - against the naive way (the notebook's): a plain tfjs `model.fit` of the whole classifier (base + head as one
//   tf.LayersModel, base frozen, tfjs-wasm) on the same preprocessed images, run here on a few batches in a child
//   process (`node train.bench.mjs --plain-fit ...`) and scaled to one epoch (train images + validation pass),
//   then to 10 epochs plus model load and preprocessing of every image once.
// Everything is written under one temp folder, removed at the end. `measure` is shared with predict.bench.mjs.
//
//   npx nx run-many -t build && node tools/bench/src/run.mjs train
//   CXR_BENCH_PLAIN_BATCHES=4 ...   # timed batches of 8 for the plain fit (default: 4 MobileNet, 2 VGG16)
import { execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../../..');
const SHARED = path.resolve(process.env.CXR_SHARED_DATA ?? path.join(REPO, '../shared/data'));
const MOBILENET_DIR = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const CLI = path.join(REPO, 'apps/cli/bin/cxr.js');
const TIME = ['/usr/bin/time', '/bin/time'].find((f) => existsSync(f));

const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * Runs `node <args>` in a child process; resolves to { seconds, peakRssMiB, stdout, stderr }. Peak RSS from GNU time
 * (`%M`, KiB) when present, else the last VmHWM read from /proc while polling. Rejects on a non-zero exit.
 */
export function measure(args, { env = {}, cwd = REPO } = {}) {
  return new Promise((resolve, reject) => {
    const timeFile = TIME ? path.join(os.tmpdir(), `cxr-bench-time-${process.pid}-${Date.now()}.txt`) : null;
    const [cmd, argv] = TIME ? [TIME, ['-f', '%e %M', '-o', timeFile, process.execPath, ...args]] : [process.execPath, args];
    const started = performance.now();
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let hwmKiB = 0;
    // Without GNU time: the node process is the child itself; VmHWM only grows, so the last read is close to the peak.
    const poll = TIME ? null : setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8').then((s) => {
        const m = /VmHWM:\s+(\d+) kB/.exec(s);
        if (m) hwmKiB = Math.max(hwmKiB, Number(m[1]));
      }, () => {});
    }, 50);
    child.on('error', reject);
    child.on('close', async (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (poll) clearInterval(poll);
      let peakRssMiB = hwmKiB / 1024;
      if (timeFile) {
        const text = await readFile(timeFile, 'utf8').catch(() => '');
        await rm(timeFile, { force: true });
        const last = text.trim().split('\n').pop() ?? '';
        const [, kib] = last.split(' ').map(Number);
        if (Number.isFinite(kib)) peakRssMiB = kib / 1024;
      }
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${stderr.slice(-3000)}`));
        return;
      }
      resolve({ seconds, peakRssMiB, stdout, stderr });
    });
  });
}

/**
 * Child mode: the notebook's naive training on tfjs-wasm: the whole classifier (base frozen + head) fitted on
 * preprocessed images. Times one warm-up batch (not counted), `batches` timed batches of 8 train images, and a
 * validation pass over 8 val images; prints one JSON line.
 */
async function plainFit(backboneName, dataDir, batches) {
  const t0 = performance.now();
  const model = await import('@cxr/model/node');
  const { preprocessImage } = await import('@cxr/preprocess/node');
  const { readSplitFile, recipeClasses } = await import('@cxr/dataset/node');
  // The built dataset's classes in output order, as the default recipe names them (positive first).
  const { classes } = recipeClasses();
  const tf = await import('@tensorflow/tfjs-core');
  const info = await model.initBackend({ backend: 'wasm' });
  const backbone =
    backboneName === 'mobilenet_v1'
      ? await model.loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET_DIR })
      : model.createBackbone({ name: 'vgg16', seed: 42, normalization: 'vgg16-caffe' });
  const classifier = model.createClassifier(backbone, { seed: 42 });
  classifier.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const loadSeconds = (performance.now() - t0) / 1000;

  const split = (await readSplitFile(path.join(dataDir, 'split.csv'))).map((a) => ({ ...a, path: path.join(dataDir, a.path) }));
  const train = split.filter((r) => r.split === 'train');
  const val = split.filter((r) => r.split === 'val');
  // Alternate classes so each batch has both (the split lists the positive class first).
  const [first, second] = classes.map((c) => train.filter((r) => r.label === c));
  const nFit = 8 * (batches + 1);
  const picked = Array.from({ length: nFit }, (_, i) => (i % 2 ? second : first)[Math.floor(i / 2)]);
  const valPicked = val.slice(0, 8);
  const toTensors = async (rows) => {
    const t = performance.now();
    const data = new Float32Array(rows.length * 224 * 224 * 3);
    for (const [i, r] of rows.entries()) data.set((await preprocessImage(r.path, backbone.preprocessing)).data, i * 224 * 224 * 3);
    const seconds = (performance.now() - t) / 1000;
    return {
      xs: tf.tensor4d(data, [rows.length, 224, 224, 3]),
      ys: tf.cast(tf.oneHot(tf.tensor1d(rows.map((r) => classes.indexOf(r.label)), 'int32'), 2), 'float32'),
      seconds,
    };
  };
  const fitSet = await toTensors(picked);
  const valSet = await toTensors(valPicked);
  const preprocessPerImage = (fitSet.seconds + valSet.seconds) / (picked.length + valPicked.length);

  // Functional ops: tfjs-core alone does not register the chained tensor methods.
  const [warmX, timedX] = [tf.slice(fitSet.xs, 0, 8), tf.slice(fitSet.xs, 8)];
  const [warmY, timedY] = [tf.slice(fitSet.ys, 0, 8), tf.slice(fitSet.ys, 8)];
  // tfjs-layers' BatchNormalization ignores `trainable = false` in fit: it normalises with batch statistics and
  // updates its moving mean/variance. Does the naive fit change the "frozen" base (MobileNet has BN, VGG16 none)?
  const bn = classifier.layers.find((l) => l.getClassName() === 'BatchNormalization');
  const bnBefore = bn ? bn.getWeights().map((w) => w.dataSync().slice()) : null;
  let t = performance.now();
  await classifier.fit(warmX, warmY, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
  const warmupBatchSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  await classifier.fit(timedX, timedY, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
  const fitPerImage = (performance.now() - t) / 1000 / (8 * batches);
  t = performance.now();
  const evaluated = classifier.evaluate(valSet.xs, valSet.ys, { batchSize: 8 });
  for (const e of [evaluated].flat()) await e.data();
  const valPerImage = (performance.now() - t) / 1000 / valPicked.length;
  const epochSeconds = train.length * fitPerImage + val.length * valPerImage;
  const frozenBaseChanged = bn ? bn.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== bnBefore[i][j])) : null;
  process.stdout.write(
    `${JSON.stringify({
      backend: info.name,
      nTrain: train.length,
      nVal: val.length,
      batches,
      loadSeconds,
      preprocessPerImage,
      warmupBatchSeconds,
      fitPerImage,
      valPerImage,
      epochSeconds,
      frozenBaseChanged: frozenBaseChanged === null ? null : `${bn.name} ${frozenBaseChanged ? 'changed' : 'unchanged'}`,
      // What the notebook's way costs for the recipe: load, preprocess every image once, 10 epochs with validation.
      tenEpochSeconds: loadSeconds + (train.length + val.length) * preprocessPerImage + 10 * epochSeconds,
    })}\n`,
  );
}

export async function run() {
  const rows = [];
  const uptimeStart = execSync('uptime').toString().trim();
  const notes = [
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model}), shared; at start: ${uptimeStart}`,
    `peak RSS from ${TIME ? `${TIME} %M` : 'polling /proc/<pid>/status VmHWM'}; every command a fresh \`node apps/cli/bin/cxr.js\` process (BUILT CLI)`,
  ];
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-bench-train-'));
  const env = { CXR_CACHE_DIR: path.join(tmp, 'cxr-cache') };
  const row = (metric, value, unit) => rows.push({ metric, value, unit });
  try {
    const data = path.join(tmp, 'data');
    const build = await measure([CLI, 'dataset', 'build', '--source', `covid-chestxray=${path.join(SHARED, 'covid-chestxray')}`, '--source', `nih=${path.join(SHARED, 'nih-cxr14')}`, '--out', data, '--json'], { env });
    const summary = JSON.parse(build.stdout);
    row('dataset build (shared data, once)', build.seconds, 's');
    notes.push(`dataset: ${summary.images?.total} images (${JSON.stringify(summary.images?.byLabel)}) built in ${build.seconds.toFixed(1)} s, peak RSS ${build.peakRssMiB.toFixed(0)} MiB (load ${loadavg()})`);

    const cases = [
      ['mobilenet_v1', ['--backbone', 'mobilenet_v1', '--weights', MOBILENET_DIR], 4],
      ['vgg16', ['--backbone', 'vgg16', '--random-weights'], 2],
    ];
    const trained = {};
    for (const [name, flags] of cases) {
      const cache = path.join(tmp, `cache-${name}`);
      for (const phase of ['cold', 'warm']) {
        const out = path.join(tmp, `model-${name}-${phase}`);
        const l0 = os.loadavg()[0];
        const r = await measure([CLI, 'train', '--data', data, ...flags, '--out', out, '--epochs', '10', '--batch-size', '8', '--cache-dir', cache, '--json'], { env });
        const result = JSON.parse(r.stdout);
        trained[`${name} ${phase}`] = { ...r, result, out };
        row(`cxr train ${name} 10 epochs, cache ${phase}`, r.seconds, 's');
        row(`cxr train ${name} cache ${phase} peak RSS`, r.peakRssMiB, 'MiB');
        const best = result.history?.valAccuracy?.[result.bestEpoch - 1];
        notes.push(
          `cxr train ${name} ${phase}: ${r.seconds.toFixed(1)} s (inside the command ${result.seconds} s), peak RSS ${r.peakRssMiB.toFixed(0)} MiB; ` +
            `features engine ${result.engine} (${result.engineNote}); tfjs backend ${result.backend.name}; split ${result.split.train}/${result.split.val}/${result.split.test}; ` +
            `best epoch ${result.bestEpoch}${best !== undefined ? ` (val acc ${Number(best).toFixed(3)})` : ''}; load ${l0.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}`,
        );
      }
    }

    const plain = {};
    for (const [name, , defaultBatches] of cases) {
      const batches = Number(process.env.CXR_BENCH_PLAIN_BATCHES ?? defaultBatches);
      const l0 = os.loadavg()[0];
      const r = await measure([fileURLToPath(import.meta.url), '--plain-fit', name, data, String(batches)], { env });
      const p = JSON.parse(r.stdout.trim().split('\n').pop());
      plain[name] = p;
      row(`plain tfjs fit ${name} (wasm) 1 epoch, scaled`, p.epochSeconds, 's');
      row(`plain tfjs fit ${name} (wasm) 10 epochs, scaled`, p.tenEpochSeconds, 's');
      row(`plain tfjs fit ${name} process peak RSS (${8 * (batches + 1) + 8} images in memory)`, r.peakRssMiB, 'MiB');
      const cold = trained[`${name} cold`].seconds;
      row(`${name} cxr train cold / plain fit (10 epochs)`, cold / p.tenEpochSeconds, 'ratio');
      notes.push(
        `plain fit ${name}: tfjs ${p.backend}, whole classifier (base frozen), ${p.batches} timed batches of 8 after a warm-up batch ` +
          `(${p.warmupBatchSeconds.toFixed(1)} s, not counted): ${p.fitPerImage.toFixed(3)} s/train image, validation ${p.valPerImage.toFixed(3)} s/image, ` +
          `preprocessing ${p.preprocessPerImage.toFixed(3)} s/image, load ${p.loadSeconds.toFixed(1)} s; epoch = ${p.nTrain} train + ${p.nVal} val images = ` +
          `${p.epochSeconds.toFixed(1)} s; 10 epochs + load + preprocessing ${p.nTrain + p.nVal} images once = ${p.tenEpochSeconds.toFixed(0)} s; ` +
          `process ${r.seconds.toFixed(1)} s; load ${l0.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}. Its peak RSS is with only ` +
          `${8 * (p.batches + 1) + 8} images in memory (the notebook holds all ${p.nTrain + p.nVal}: +${(((p.nTrain + p.nVal - 8 * (p.batches + 1) - 8) * 224 * 224 * 3 * 4) / 2 ** 20).toFixed(0)} MiB of float32 inputs)` +
          (p.frozenBaseChanged ? `; frozen base's BatchNormalization moving statistics after the fit: ${p.frozenBaseChanged} (tfjs-layers BN updates them in fit despite trainable = false; cxr train's cached features never run the base in training mode)` : ''),
      );
    }
    notes.push(`aims (issue 8): MobileNet cold < 60 s, VGG16 cold < 180 s; at end: ${execSync('uptime').toString().trim()}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { name: 'train', rows, notes };
}

if (process.argv[2] === '--plain-fit' && process.argv[1] === fileURLToPath(import.meta.url)) {
  plainFit(process.argv[3], process.argv[4], Number(process.argv[5])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
