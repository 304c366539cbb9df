// int8 backbones (@cxr/model/node, BUILT package): the QDQ graph quantizeOnnxGraph makes, calibrated on 32
// training images of the shared data, against the float32 graph, both as bare onnxruntime sessions (2 intra-op
// threads, batch 8, interleaved runs, medians). VGG16 (seeded random weights: the shared data has no VGG16
// weights; speed does not depend on the values) and MobileNet v1 (the shared ImageNet weights).
// - images/s int8 vs fp32 (goal >= 1.8x for VGG16);
// - per-image cosine similarity of int8 vs fp32 features on held-out shared images (goal >= 0.995);
// - MobileNet: test AUC of the same head (L2 logistic regression on globally pooled features) trained on int8 vs
//   fp32 features, covid vs normal, patient-disjoint split of the dataset built from the shared data (goal: within 0.01).
//
//   node tools/bench/src/run.mjs int8
import { execSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSharedDataset, cosine, inTrain } from './int8Data.mjs';
import { interleave } from './interleave.mjs';
import { median } from './median.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.CXR_SHARED_DATA ?? path.resolve(here, '../../../../shared/data');
const MOBILENET_DIR = path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const SECONDS = Number(process.env.CXR_BENCH_SECONDS ?? 6);
const THREADS = 2;


export async function run() {
  const load0 = os.loadavg();
  const uptime = execSync('uptime').toString().trim();
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const ort = await import('onnxruntime-node');
  const model = await import('@cxr/model/node');
  const dataset = await import('@cxr/dataset/node');
  const { rocAuc } = await import('@cxr/metrics');
  // The positive class of the default (notebook) recipe the shared data is built with.
  const { positiveClass } = dataset.recipeClasses();
  const pre = await import('@cxr/preprocess/node');

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-bench-int8-'));
  const rows = [];
  const notes = [];
  try {
    // The dataset built from the shared data (notebook recipe): 163 covid + 110 normal PNGs.
    const { manifest, file } = await buildSharedDataset(dataset, SHARED, path.join(tmp, 'data'));
    const train = manifest.filter(inTrain);
    const test = manifest.filter((m) => !inTrain(m));
    notes.push(`dataset: ${manifest.length} images, train ${train.length} / test ${test.length} (patient-disjoint), calibration: ${model.DEFAULT_CALIBRATION_IMAGES} training images evenly spaced`);

    const backbones = [
      ['vgg16', () => model.openBackbone({ name: 'vgg16', seed: 1 })],
      ['mobilenet_v1', () => model.openBackbone({ name: 'mobilenet_v1', weights: MOBILENET_DIR })],
    ];
    for (const [name, open] of backbones) {
      const backbone = await open();
      // The graphs through the library (fp32 export; int8 = calibrated + quantised), via the ONNX cache.
      const cacheDir = path.join(tmp, `onnx-${name}`);
      const trainFiles = train.map(file);
      const calibFiles = Array.from({ length: model.DEFAULT_CALIBRATION_IMAGES }, (_, i) => trainFiles[Math.floor((i * trainFiles.length) / model.DEFAULT_CALIBRATION_IMAGES)]);
      const calibration = {
        id: `bench-${name}`,
        load: async () => {
          const images = await Promise.all(calibFiles.map((f) => pre.preprocessImage(f, backbone.preprocessing).then((r) => r.data)));
          const all = new Float32Array(images.length * images[0].length);
          images.forEach((im, i) => all.set(im, i * images[0].length));
          return { images: all, n: images.length };
        },
        options: { intraOpNumThreads: THREADS },
      };
      let t0 = performance.now();
      const fp32 = await model.getOrExportOnnx({ model: backbone.model, weightsHash: backbone.weightsHash, cacheDir });
      t0 = performance.now();
      const int8 = await model.getOrExportOnnx({ model: backbone.model, weightsHash: backbone.weightsHash, cacheDir, precision: 'int8', calibration });
      rows.push({ metric: `${name} int8 export (calibration on 32 images, bias correction, quantisation)`, value: (performance.now() - t0) / 1000, unit: 's' });
      rows.push({ metric: `${name} int8 / fp32 graph size`, value: int8.bytes.byteLength / fp32.bytes.byteLength, unit: 'ratio' });

      const sf = await ort.InferenceSession.create(fp32.bytes, { intraOpNumThreads: THREADS });
      const sq = await ort.InferenceSession.create(int8.bytes, { intraOpNumThreads: THREADS });
      // Speed on 8 real test images.
      const n = 8;
      const batchImages = await Promise.all(test.slice(0, n).map((m) => pre.preprocessImage(file(m), backbone.preprocessing).then((r) => r.data)));
      const size = batchImages[0].length;
      const batch = new Float32Array(n * size);
      batchImages.forEach((im, i) => batch.set(im, i * size));
      const [h, w, c] = backbone.model.inputs[0].shape.slice(1);
      const tensor = new ort.Tensor('float32', batch, [n, h, w, c]);
      const [rq, rf] = await interleave([() => sq.run({ input: tensor }), () => sf.run({ input: tensor })], n, SECONDS);
      rows.push({ metric: `${name} batch ${n} int8 bare session`, value: rq.median, unit: 'images/s' });
      rows.push({ metric: `${name} batch ${n} fp32 bare session`, value: rf.median, unit: 'images/s' });
      rows.push({ metric: `${name} int8 / fp32 (medians)`, value: rq.median / rf.median, unit: 'x' });
      rows.push({ metric: `${name} int8 / fp32 (best runs)`, value: rq.best / rf.best, unit: 'x' });
      notes.push(`${name}: ${rq.runs} int8 and ${rf.runs} fp32 runs of batch ${n}`);

      // Per-image cosine on every test image (MobileNet) or 16 of them (VGG16: slow), features of both graphs.
      const cosImages = name === 'vgg16' ? test.slice(0, 16) : test;
      const fpFeatures = [];
      const qFeatures = [];
      for (let s = 0; s < cosImages.length; s += n) {
        const chunk = cosImages.slice(s, s + n);
        const ims = await Promise.all(chunk.map((m) => pre.preprocessImage(file(m), backbone.preprocessing).then((r) => r.data)));
        const x = new Float32Array(chunk.length * size);
        ims.forEach((im, i) => x.set(im, i * size));
        const t = new ort.Tensor('float32', x, [chunk.length, h, w, c]);
        const a = (await sf.run({ input: t })).features.data;
        const b = (await sq.run({ input: t })).features.data;
        const per = a.length / chunk.length;
        for (let i = 0; i < chunk.length; i++) {
          fpFeatures.push(a.slice(i * per, (i + 1) * per));
          qFeatures.push(b.slice(i * per, (i + 1) * per));
        }
      }
      const cos = fpFeatures.map((a, i) => cosine(a, qFeatures[i])).sort((p, q) => p - q);
      rows.push({ metric: `${name} int8 vs fp32 feature cosine, median of ${cos.length} test images`, value: median(cos), unit: 'cosine' });
      rows.push({ metric: `${name} int8 vs fp32 feature cosine, mean of ${cos.length} test images`, value: cos.reduce((a, v) => a + v, 0) / cos.length, unit: 'cosine' });
      rows.push({ metric: `${name} int8 vs fp32 feature cosine, worst image`, value: cos[0], unit: 'cosine' });
      await sf.release();
      await sq.release();

      if (name === 'mobilenet_v1') {
        // The same head on each: extractFileFeatures (the library path, precision fp32 / int8 calibrated on the
        // training images), globally pooled, L2 logistic regression on train, AUC on test.
        const shape = backbone.model.outputs[0].shape.slice(1);
        const auc = {};
        for (const precision of ['fp32', 'int8']) {
          const feats = await model.extractFileFeatures(backbone, manifest.map(file), {
            engine: 'onnx',
            threads: THREADS,
            precision,
            calibrationFiles: trainFiles,
          });
          const pooled = feats.map((f) => model.globalAveragePool(f, shape));
          const trainIdx = manifest.map((m, i) => (inTrain(m) ? i : -1)).filter((i) => i >= 0);
          const testIdx = manifest.map((m, i) => (inTrain(m) ? -1 : i)).filter((i) => i >= 0);
          const lr = model.fitLogisticRegression(
            trainIdx.map((i) => pooled[i]),
            trainIdx.map((i) => (manifest[i].label === positiveClass ? 1 : 0)),
          );
          auc[precision] = rocAuc(testIdx.map((i) => manifest[i].label), testIdx.map((i) => 1 / (1 + Math.exp(-lr.decision(pooled[i])))), positiveClass);
          rows.push({ metric: `mobilenet_v1 head on ${precision} features: test AUC (${positiveClass} vs the rest)`, value: auc[precision], unit: 'AUC' });
        }
        rows.push({ metric: 'mobilenet_v1 test AUC int8 - fp32', value: auc.int8 - auc.fp32, unit: 'AUC' });
      }
      backbone.model.dispose();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  notes.unshift(
    `intraOpNumThreads ${THREADS}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model}); load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (uptime: ${uptime})`,
  );
  return { name: 'int8', rows, notes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run();
  for (const r of result.rows) console.log(`${r.metric.padEnd(70)} ${r.value.toFixed(4).padStart(10)} ${r.unit}`);
  console.log(result.notes.join('\n'));
  process.exit(0);
}
