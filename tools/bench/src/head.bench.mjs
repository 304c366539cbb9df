// Head training, prediction and Grad-CAM speed of @cxr/model (the BUILT package, @cxr/model/node):
// - trainHead epochs/s on the notebook's data size (273 images: 163 covid, 110 normal) with VGG16-shaped
//   (7x7x512) and MobileNet-shaped (7x7x1024) features, batch 8, on tfjs-wasm and cpu;
// - predict throughput and gradCam latency of the full VGG16 classifier (base + head) at 224x224 on wasm.
// Features and weights are random (speed does not depend on their values).
// Run alone: `npx nx build @cxr/model && node tools/bench/src/head.bench.mjs`, or via the runner.
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const EPOCHS = Number(process.env.CXR_BENCH_HEAD_EPOCHS ?? 3);
const load = () => os.loadavg()[0];

function randomFeatures(n, size, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => rand() * 2));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run() {
  const model = await import('@cxr/model/node');
  const tf = await import('@tensorflow/tfjs-core');
  const rows = [];
  const notes = [
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model}), shared: load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `trainHead: 273 samples (163/110), batch 8 (35 batches/epoch), ${EPOCHS} epochs, class weights balanced, dropout 0.5`,
  ];
  const labels = Array.from({ length: 273 }, (_, i) => (i < 163 ? 'covid' : 'normal'));
  for (const backend of ['wasm', 'cpu']) {
    await model.initBackend({ backend });
    for (const [label, shape] of [['vgg16 7x7x512', [7, 7, 512]], ['mobilenet 7x7x1024', [7, 7, 1024]]]) {
      const features = randomFeatures(273, shape[0] * shape[1] * shape[2], 1);
      const l0 = load();
      const t = performance.now();
      const r = await model.trainHead(features, labels, { classes: ['covid', 'normal'], head: { inputShape: shape }, epochs: EPOCHS, classWeight: 'balanced', seed: 1 });
      const s = (performance.now() - t) / 1000;
      r.head.dispose();
      rows.push({ metric: `trainHead ${label} (${backend})`, value: s / EPOCHS, unit: 's/epoch' });
      rows.push({ metric: `trainHead ${label} (${backend}) load average`, value: (l0 + load()) / 2, unit: 'load' });
    }
  }
  await model.initBackend({ backend: 'wasm' });
  const backbone = model.createBackbone({ name: 'vgg16', seed: 1 });
  const classifier = model.createClassifier(backbone, { seed: 1 });
  const cxr = { model: classifier, config: model.createModelConfig({ backbone, classes: ['covid', 'normal'], positiveClass: 'covid' }) };
  const images = randomFeatures(8, 224 * 224 * 3, 2);
  await model.predict(cxr, images.slice(0, 1)); // warm-up
  let t = performance.now();
  await model.predict(cxr, images, { batchSize: 8 });
  rows.push({ metric: 'predict vgg16 classifier 224 batch 8 (wasm)', value: 8 / ((performance.now() - t) / 1000), unit: 'img/s' });
  await model.gradCam(cxr, images[0]); // warm-up
  const times = [];
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    await model.gradCam(cxr, images[i]);
    times.push((performance.now() - t) / 1000);
  }
  if (tf.memory().numTensors !== before) throw new Error('gradCam leaked tensors');
  rows.push({ metric: 'gradCam vgg16 block5_conv3 224 (wasm, median of 3)', value: median(times), unit: 's' });
  return { name: 'head', rows, notes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run();
  for (const r of result.rows) console.log(`${r.metric.padEnd(56)} ${r.value.toFixed(3).padStart(9)} ${r.unit}`);
  for (const n of result.notes) console.log(`- ${n}`);
}
