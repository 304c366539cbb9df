// Feature-extraction throughput of @cxr/model (the BUILT package, @cxr/model/node): images/s of VGG16
// (random weights: speed does not depend on their values) and MobileNet v1 (the shared tfjs weights) on
// tfjs-wasm, one thread in this process vs a worker pool (2 workers, one wasm backend each), and onnxruntime-node
// (the default engine when installed), on 16 real
// X-rays from the shared data at 224x224. Both include preprocessing (decode, resize, normalise).
// Run alone: `npx nx build @cxr/model && node tools/bench/src/features.bench.mjs`, or via the runner.
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(process.env.CXR_SHARED_DATA ?? path.join(repoRoot, '../shared/data'));
const N = Number(process.env.CXR_BENCH_FEATURE_IMAGES ?? 16);
const WORKERS = Number(process.env.CXR_BENCH_FEATURE_WORKERS ?? 2);

async function images() {
  const nih = path.join(shared, 'nih-cxr14/images');
  const covid = path.join(shared, 'covid-chestxray/images');
  const a = (await readdir(nih)).sort().slice(0, N / 2).map((f) => path.join(nih, f));
  const b = (await readdir(covid)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().slice(0, N - a.length).map((f) => path.join(covid, f));
  return [...a, ...b];
}

const load = () => os.loadavg()[0];

export async function run() {
  const model = await import('@cxr/model/node');
  const files = await images();
  const backend = await model.initBackend({ backend: 'wasm' });
  const rows = [];
  const notes = [
    `${files.length} images (${files.length / 2} NIH PNG 1024x1024, ${files.length / 2} covid-chestxray JPEG/PNG), 224x224x3, batch 4`,
    `main thread: ${backend.name} (${backend.threads ?? '?'} thread): ${backend.reason}`,
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model}), shared with other users: load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    'VGG16 weights are random (createBackbone): throughput does not depend on weight values; its features are not ImageNet features',
  ];
  const configs = [
    { label: 'vgg16', spec: { name: 'vgg16', seed: 1 } },
    { label: 'mobilenet_v1', spec: { name: 'mobilenet_v1', weights: path.join(shared, 'weights/mobilenet_v1_1.0_224_conv_pw_12') } },
  ];
  for (const { label, spec } of configs) {
    const backbone = await model.openBackbone(spec);
    // engine 'tfjs': the single-thread wasm row must not be served by onnxruntime (the default engine 'auto')
    await model.extractFileFeatures(backbone, files.slice(0, 1), { engine: 'tfjs' }); // warm-up: allocates and compiles
    const l0 = load();
    let t = performance.now();
    const single = await model.extractFileFeatures(backbone, files, { batchSize: 4, engine: 'tfjs' });
    const singleS = (performance.now() - t) / 1000;
    // the same images through the project's default engine when onnxruntime-node is installed
    let onnxS = null;
    if (await model.isOnnxRuntimeAvailable()) {
      await model.extractFileFeatures(backbone, files.slice(0, 1), { engine: 'onnx' });
      t = performance.now();
      const viaOnnx = await model.extractFileFeatures(backbone, files, { batchSize: 4, engine: 'onnx' });
      onnxS = (performance.now() - t) / 1000;
      for (let i = 0; i < files.length; i++)
        for (let j = 0; j < single[i].length; j += 97)
          if (Math.abs(single[i][j] - viaOnnx[i][j]) / (1 + Math.abs(single[i][j])) > 1e-3) throw new Error(`${label}: onnx and tfjs features differ`);
    }
    backbone.model.dispose();
    t = performance.now();
    const pool = await model.createFeaturePool({ backbone: spec, workers: WORKERS, backend: 'wasm', chunkSize: 4 });
    const startS = (performance.now() - t) / 1000;
    let pooled;
    let poolS;
    try {
      await pool.extract(files.slice(0, WORKERS)); // warm-up each worker
      t = performance.now();
      pooled = await pool.extract(files);
      poolS = (performance.now() - t) / 1000;
    } finally {
      await pool.close();
    }
    // the pool must compute what the single thread computed (same weights, same backend)
    let worst = 0;
    for (let i = 0; i < files.length; i++)
      for (let j = 0; j < single[i].length; j += 97) worst = Math.max(worst, Math.abs(single[i][j] - pooled[i][j]) / (1 + Math.abs(single[i][j])));
    if (worst > 1e-3) throw new Error(`${label}: pool and single-thread features differ (worst relative ${worst})`);
    rows.push(
      { metric: `${label} single thread (wasm)`, value: files.length / singleS, unit: 'img/s' },
      { metric: `${label} pool of ${WORKERS} workers (wasm)`, value: files.length / poolS, unit: 'img/s' },
      { metric: `${label} pool speed-up`, value: singleS / poolS, unit: 'x' },
      ...(onnxS === null ? [] : [{ metric: `${label} onnxruntime-node (engine 'onnx', same images)`, value: files.length / onnxS, unit: 'img/s' }]),
      { metric: `${label} pool start (${WORKERS} workers load the backbone)`, value: startS, unit: 's' },
      { metric: `${label} load average during`, value: (l0 + load()) / 2, unit: 'load' },
    );
  }
  return { name: 'features', rows, notes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run();
  for (const r of result.rows) console.log(`${r.metric.padEnd(52)} ${r.value.toFixed(3).padStart(9)} ${r.unit}`);
  console.log(result.notes.join('\n'));
  process.exit(0);
}
