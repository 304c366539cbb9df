// The MobileNet v1 int8 variants side by side (issue 17, part 2): the same calibration (32 training images of the
// shared data, min/max), quantised without bias correction (quantizer version 1), with the weight-only correction
// from channel means, with the correction measured per convolution (version 2), and with some convolutions kept in
// float32 (`keepFloat`, each with its own measured correction): every depthwise one, every depthwise one and the
// first, or the stem (the first and the first depthwise one: what `--precision int8` does, version 3).
// For each: images/s of a bare onnxruntime session (2 threads, batch 8) interleaved with float32 in one run,
// per-image feature cosine to float32 on the test images, and the test AUC of the int8 bench's head (L2 logistic
// regression on pooled features, patient-disjoint split). Not part of `npm run bench` (it repeats the int8 bench's
// MobileNet rows for variants that are not shipped):
//
//   node tools/bench/src/int8Variants.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSharedDataset, cosine, inTrain } from './int8Data.mjs';
import { interleave } from './interleave.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.CXR_SHARED_DATA ?? path.resolve(here, '../../../../shared/data');
const THREADS = 2;

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu');
const ort = await import('onnxruntime-node');
const model = await import('@cxr/model/node');
const dataset = await import('@cxr/dataset/node');
const pre = await import('@cxr/preprocess/node');
const { rocAuc } = await import('@cxr/metrics');
const { positiveClass } = dataset.recipeClasses();

const load0 = os.loadavg();
const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-int8-variants-'));
try {
  const { manifest, file } = await buildSharedDataset(dataset, SHARED, path.join(tmp, 'data'));
  const backbone = await model.openBackbone({ name: 'mobilenet_v1', weights: path.join(SHARED, 'weights/mobilenet_v1_1.0_224_conv_pw_12') });
  const size = 224 * 224 * 3;
  const pack = async (records) => {
    const ims = await Promise.all(records.map((m) => pre.preprocessImage(file(m), backbone.preprocessing).then((r) => r.data)));
    const all = new Float32Array(ims.length * size);
    ims.forEach((im, i) => all.set(im, i * size));
    return all;
  };
  const train = manifest.filter(inTrain);
  const K = model.DEFAULT_CALIBRATION_IMAGES;
  const calib = await pack(Array.from({ length: K }, (_, i) => train[Math.floor((i * train.length) / K)]));
  const everything = await pack(manifest);
  const graph = model.buildOnnxGraph(backbone.model);
  const ranges = await model.calibrateOnnxGraph(graph, calib, K, { intraOpNumThreads: THREADS });
  const corrected = async (quantize) =>
    model.quantizeOnnxGraph(graph, ranges, { ...quantize, biasCorrections: await model.measureBiasCorrections(graph, ranges, calib, K, { intraOpNumThreads: THREADS, quantize }) });
  const variants = [
    ['fp32', graph],
    ['int8, no bias correction (quantizer 1)', model.quantizeOnnxGraph(graph, ranges, { biasCorrection: false })],
    ['int8, weight-rounding correction (channel means)', model.quantizeOnnxGraph(graph, ranges)],
    ['int8, + measured per convolution (quantizer 2)', await corrected({})],
    ['int8 (2), depthwise convolutions float32', await corrected({ keepFloat: 'depthwise' })],
    ['int8 (2), depthwise and first convolutions float32', await corrected({ keepFloat: (n, i) => i === 0 || model.isGroupedConv(n) })],
    ['int8 (2), stem (conv1, conv_dw_1) float32 (quantizer 3, shipped)', await corrected({ keepFloat: 'stem' })],
  ];
  const sessions = await Promise.all(variants.map(([, g]) => ort.InferenceSession.create(model.encodeOnnxModel(g), { intraOpNumThreads: THREADS })));
  const batch = new ort.Tensor('float32', everything.subarray(0, 8 * size), [8, 224, 224, 3]);
  const speed = await interleave(sessions.map((s) => () => s.run({ input: batch })), 8, Number(process.env.CXR_BENCH_SECONDS ?? 6));
  const features = [];
  for (const s of sessions) {
    const out = [];
    for (let start = 0; start < manifest.length; start += 8) {
      const m = Math.min(8, manifest.length - start);
      const data = (await s.run({ input: new ort.Tensor('float32', everything.subarray(start * size, (start + m) * size), [m, 224, 224, 3]) })).features.data;
      for (let i = 0; i < m; i++) out.push(data.slice((i * data.length) / m, ((i + 1) * data.length) / m));
    }
    features.push(out);
  }
  const shape = backbone.model.outputs[0].shape.slice(1);
  const trainIdx = manifest.map((m, i) => (inTrain(m) ? i : -1)).filter((i) => i >= 0);
  const testIdx = manifest.map((m, i) => (inTrain(m) ? -1 : i)).filter((i) => i >= 0);
  console.log(`MobileNet v1, ${manifest.length} images (train ${trainIdx.length} / test ${testIdx.length}); load average before ${load0.map((l) => l.toFixed(1)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| variant | images/s (median) | vs fp32 | cosine mean | cosine min | test AUC |\n| --- | --- | --- | --- | --- | --- |');
  variants.forEach(([name], v) => {
    const cos = testIdx.map((i) => cosine(features[0][i], features[v][i]));
    const pooled = features[v].map((f) => model.globalAveragePool(f, shape));
    const lr = model.fitLogisticRegression(trainIdx.map((i) => pooled[i]), trainIdx.map((i) => (manifest[i].label === positiveClass ? 1 : 0)));
    const auc = rocAuc(testIdx.map((i) => manifest[i].label), testIdx.map((i) => 1 / (1 + Math.exp(-lr.decision(pooled[i])))), positiveClass);
    console.log(`| ${name} | ${speed[v].median.toFixed(1)} | ${(speed[v].median / speed[0].median).toFixed(2)}x | ${(cos.reduce((a, c) => a + c, 0) / cos.length).toFixed(4)} | ${Math.min(...cos).toFixed(4)} | ${auc.toFixed(4)} |`);
  });
  for (const s of sessions) await s.release();
  backbone.model.dispose();
} finally {
  await rm(tmp, { recursive: true, force: true });
}
