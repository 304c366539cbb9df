// `cxr predict` latency for one image (issue 8), MobileNet v1 model, BUILT CLI and packages:
// - cold: process start to answer, `node apps/cli/bin/cxr.js predict --model <dir> <img> --json` in a fresh child
//   process each time (median of 3), with its peak RSS (`/usr/bin/time %M`, else /proc VmHWM polling);
// - warm: in this process, the model loaded once with `loadModel` (@cxr/model/node), then `predictFiles` on the same
//   image (read, preprocess, classify) timed 10 times after a warm-up (median), and this process's peak RSS.
// The image: one NIH ChestX-ray14 PNG (1024x1024 grey) of the shared data, read in place. The model: MobileNet v1
// (the shared weights) + the notebook's head, trained here (dataset built from the shared data into a temp folder,
// 2 epochs on a 32-image patient-level subset): the same architecture as train.bench.mjs's model, and prediction
// speed does not depend on the training. (The runner runs benches sorted by name, predict before train, so this
// bench does not rely on a model left by train.bench.mjs.)
//
//   npx nx run-many -t build && node tools/bench/src/run.mjs train predict
import { execSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './train.bench.mjs';
import { median } from './median.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../../..');
const SHARED = path.resolve(process.env.CXR_SHARED_DATA ?? path.join(REPO, '../shared/data'));
const MOBILENET_DIR = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const CLI = path.join(REPO, 'apps/cli/bin/cxr.js');
const COLD_RUNS = 3;
const WARM_RUNS = 10;

/** Run alone: builds the dataset, keeps 16 covid + 16 normal images in its split, trains MobileNet 2 epochs. */
async function trainSmallModel(tmp, env) {
  const data = path.join(tmp, 'data');
  await measure([CLI, 'dataset', 'build', '--source', `covid-chestxray=${path.join(SHARED, 'covid-chestxray')}`, '--source', `nih=${path.join(SHARED, 'nih-cxr14')}`, '--out', data], { env });
  // A subset through the split file: the first 12 + 4 patients of each class (by the
  // label first seen), train and val; the rest test (unused).
  const manifest = (await readFile(path.join(data, 'manifest.csv'), 'utf8')).trim().split(/\r?\n/);
  const header = manifest[0].split(',');
  const [iPath, iLabel, iSource, iPatient] = ['path', 'label', 'source', 'patientId'].map((c) => header.indexOf(c));
  // A patient stays on one side (a patient may have covid and normal images); counted by the label seen first.
  const side = new Map();
  const count = { covid: 0, normal: 0 };
  const lines = ['path,patientId,label,source,split'];
  for (const l of manifest.slice(1)) {
    const f = l.split(',');
    const key = `${f[iSource]}/${f[iPatient]}`;
    if (!side.has(key)) {
      const n = count[f[iLabel]]++;
      side.set(key, n < 12 ? 'train' : n < 16 ? 'val' : 'test');
    }
    lines.push([f[iPath], f[iPatient], f[iLabel], f[iSource], side.get(key)].join(','));
  }
  const splitFile = path.join(tmp, 'split.csv');
  await writeFile(splitFile, `${lines.join('\n')}\n`);
  const out = path.join(tmp, 'model');
  await measure([CLI, 'train', '--data', data, '--split', splitFile, '--backbone', 'mobilenet_v1', '--weights', MOBILENET_DIR, '--out', out, '--epochs', '2', '--cache-dir', path.join(tmp, 'cache')], { env });
  return out;
}

export async function run() {
  const rows = [];
  const notes = [`${os.cpus().length} CPUs (${os.cpus()[0]?.model}), shared; at start: ${execSync('uptime').toString().trim()}`];
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-bench-predict-'));
  const env = { CXR_CACHE_DIR: path.join(tmp, 'cxr-cache') };
  try {
    const t0 = performance.now();
    const modelDir = await trainSmallModel(tmp, env);
    notes.push(`model: MobileNet v1 + the notebook's head, trained here (2 epochs, 24 train + 8 val patients of the shared data) in ${((performance.now() - t0) / 1000).toFixed(1)} s, dataset build included`);
    const nihDir = path.join(SHARED, 'nih-cxr14/images');
    const image = path.join(nihDir, (await readdir(nihDir)).filter((f) => f.endsWith('.png')).sort()[0]);
    notes.push(`image: ${path.relative(SHARED, image)} (${((await stat(image)).size / 1024).toFixed(0)} KiB PNG, 1024x1024)`);

    // Cold: a fresh CLI process per prediction.
    const cold = [];
    let answer;
    for (let i = 0; i < COLD_RUNS; i++) {
      const r = await measure([CLI, 'predict', '--model', modelDir, image, '--json'], { env });
      answer = JSON.parse(r.stdout);
      if (answer.failed !== 0 || !answer.predictions[0]?.ok) throw new Error(`cxr predict failed: ${r.stdout}`);
      cold.push(r);
    }
    const p = answer.predictions[0];
    rows.push({ metric: `cxr predict 1 image cold (process start to answer, median of ${COLD_RUNS})`, value: median(cold.map((r) => r.seconds)), unit: 's' });
    rows.push({ metric: 'cxr predict cold peak RSS', value: Math.max(...cold.map((r) => r.peakRssMiB)), unit: 'MiB' });
    notes.push(
      `cold runs: ${cold.map((r) => r.seconds.toFixed(2)).join(', ')} s; peak RSS ${cold.map((r) => r.peakRssMiB.toFixed(0)).join(', ')} MiB; ` +
        `answer: ${p.decision} (${Object.entries(p.probabilities).map(([c, v]) => `${c} ${v.toFixed(3)}`).join(', ')}; threshold ${p.threshold})`,
    );

    // Warm: one process, model loaded once, the package API.
    const model = await import('@cxr/model/node');
    let t = performance.now();
    const backend = await model.initBackend();
    const initSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const cxr = await model.loadModel(modelDir);
    const loadSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const [first] = await model.predictFiles(cxr, [image]);
    const firstSeconds = (performance.now() - t) / 1000;
    if (Math.abs(first.probabilities.covid - p.probabilities.covid) > 1e-4) {
      throw new Error(`predictFiles (covid ${first.probabilities.covid}) disagrees with cxr predict (covid ${p.probabilities.covid})`);
    }
    const warm = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      t = performance.now();
      await model.predictFiles(cxr, [image]);
      warm.push((performance.now() - t) / 1000);
    }
    rows.push({ metric: `predictFiles 1 image warm (model loaded once, median of ${WARM_RUNS})`, value: median(warm) * 1000, unit: 'ms' });
    rows.push({ metric: 'warm process peak RSS (model loaded, after the predictions)', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' });
    rows.push({ metric: 'loadModel (in process)', value: loadSeconds, unit: 's' });
    notes.push(
      `warm: tfjs ${backend.name} (init ${initSeconds.toFixed(2)} s), loadModel ${loadSeconds.toFixed(2)} s, first predictFiles ${firstSeconds.toFixed(2)} s, ` +
        `then ${warm.map((s) => (s * 1000).toFixed(0)).join(', ')} ms (read + preprocess + classify the whole classifier, base and head); ` +
        `load at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    );
    cxr.model.dispose();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { name: 'predict', rows, notes };
}
