// Frozen-backbone feature extraction on onnxruntime-node: the project's API (@cxr/model/node
// createOnnxExtractor, BUILT package: `npx nx build @cxr/model`) against a bare onnxruntime
// InferenceSession on the same exported graph, for VGG16 (seeded random weights: speed does not depend
// on the values) and MobileNet v1 (the shared ImageNet weights), at batch sizes 1 and 8, 2 intra-op
// threads. Also tfjs-wasm (one thread in Node) on a few VGG16/MobileNet images, as the baseline.
//
// Project and bare runs are interleaved (A B, B A, A B...) so that load from other processes on a shared
// machine hits both alike; each reports the median of its per-run throughputs, and the ratio is given
// for the medians and for the best runs (the least disturbed by other processes).
//
//   node tools/bench/src/run.mjs onnx
//   CXR_BENCH_SECONDS=4 node tools/bench/src/run.mjs onnx   # seconds of measurement per case (default 6)
import { execSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleave } from './interleave.mjs';
import { median } from './median.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.CXR_SHARED_DATA ?? path.resolve(here, '../../../../shared/data');
const MOBILENET_DIR = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const SECONDS = Number(process.env.CXR_BENCH_SECONDS ?? 6);
const THREADS = 2;

function randomBatch(n) {
  let a = 12345;
  const out = new Float32Array(n * 224 * 224 * 3);
  for (let i = 0; i < out.length; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    out[i] = (a / 2 ** 32) * 2 - 1;
  }
  return out;
}


export async function run() {
  const load = [os.loadavg()];
  const uptimeBefore = execSync('uptime').toString().trim();
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu'); // model building only
  const ort = await import('onnxruntime-node');
  const model = await import('@cxr/model/node');

  const rows = [];
  const notes = [];
  const backbones = [
    ['vgg16', () => model.createVgg16({ seed: 1 })],
    ['mobilenet_v1', () => model.loadLayersModelFromDir(MOBILENET_DIR)],
  ];
  for (const [name, make] of backbones) {
    const net = await make();
    let t0 = performance.now();
    const bytes = model.exportOnnx(net);
    rows.push({ metric: `${name} exportOnnx`, value: (performance.now() - t0) / 1000, unit: 's' });
    rows.push({ metric: `${name} ONNX graph size`, value: bytes.byteLength / 2 ** 20, unit: 'MiB' });

    t0 = performance.now();
    const extractor = await model.createOnnxExtractor({ onnxBytes: bytes, intraOpNumThreads: THREADS });
    rows.push({ metric: `${name} session create`, value: (performance.now() - t0) / 1000, unit: 's' });
    // The bare reference: onnxruntime's defaults, only the thread count set as in the project.
    const bare = await ort.InferenceSession.create(bytes, { intraOpNumThreads: THREADS });

    for (const n of [1, 8]) {
      const batch = randomBatch(n);
      const tensor = new ort.Tensor('float32', batch, [n, 224, 224, 3]);
      const [project, reference] = await interleave(
        [() => extractor.run(batch, n), () => bare.run({ input: tensor })],
        n,
        SECONDS,
      );
      rows.push({ metric: `${name} batch ${n} project (createOnnxExtractor)`, value: project.median, unit: 'images/s' });
      rows.push({ metric: `${name} batch ${n} bare InferenceSession`, value: reference.median, unit: 'images/s' });
      rows.push({ metric: `${name} batch ${n} project / bare (medians)`, value: project.median / reference.median, unit: 'ratio' });
      // The fastest run is the least disturbed by other processes: the fairer ratio on a shared machine.
      rows.push({ metric: `${name} batch ${n} project / bare (best runs)`, value: project.best / reference.best, unit: 'ratio' });
      notes.push(`${name} batch ${n}: ${project.runs} project and ${reference.runs} bare runs`);
    }
    await extractor.dispose();
    await bare.release();

    if (name === 'vgg16') {
      // Share of the NHWC->NCHW input Transpose in a batch of 8: a graph holding only that Transpose.
      const transposeOnly = model.encodeOnnxModel({
        name: 'transpose',
        nodes: [{ opType: 'Transpose', name: 't', inputs: ['input'], outputs: ['features'], attributes: { perm: { type: 'ints', value: [0, 3, 1, 2] } } }],
        initializers: [],
        inputs: [{ name: 'input', dims: ['N', 224, 224, 3] }],
        outputs: [{ name: 'features', dims: ['N', 3, 224, 224] }],
      });
      const t = await ort.InferenceSession.create(transposeOnly, { intraOpNumThreads: THREADS });
      const batch = randomBatch(8);
      const tensor = new ort.Tensor('float32', batch, [8, 224, 224, 3]);
      const [rate] = await interleave([() => t.run({ input: tensor })], 8, SECONDS);
      const whole = rows.find((r) => r.metric === 'vgg16 batch 8 project (createOnnxExtractor)').value;
      rows.push({ metric: 'vgg16 batch 8 input Transpose share of the forward pass', value: (100 * whole) / rate.median, unit: '%' });
      await t.release();
    }

    // Baseline: tfjs on the wasm backend (one thread in Node), a couple of single images.
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    const wasmNet = await make(); // weights on the wasm backend
    const x = tf.tensor4d(randomBatch(1), [1, 224, 224, 3]);
    const times = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const y = wasmNet.predict(x);
      await y.data();
      y.dispose();
      if (i > 0) times.push(performance.now() - t); // first run warms up
    }
    x.dispose();
    const wasmRate = 1000 / median(times);
    rows.push({ metric: `${name} batch 1 tfjs-wasm (1 thread)`, value: wasmRate, unit: 'images/s' });
    const onnx1 = rows.find((r) => r.metric === `${name} batch 1 project (createOnnxExtractor)`).value;
    rows.push({ metric: `${name} batch 1 onnxruntime / tfjs-wasm`, value: onnx1 / wasmRate, unit: 'ratio' });
    wasmNet.dispose();
    await tf.setBackend('cpu');
    net.dispose();
  }
  load.push(os.loadavg());
  notes.unshift(
    `intraOpNumThreads ${THREADS}; ${os.cpus().length} CPUs; load average before ${load[0].map((l) => l.toFixed(2)).join(' ')}, after ${load[1].map((l) => l.toFixed(2)).join(' ')} (uptime: ${uptimeBefore})`,
  );
  return { name: 'onnx', rows, notes };
}
