// The model the web benches serve: the shared ImageNet MobileNet v1 with a seeded random head, saved with float16
// weights too (as `cxr train --float16` does). One copy for web.bench.mjs and webProfile.mjs.
import path from 'node:path';

/** Saves that model into `dir`; `sharedData` is the shared data folder (its weights/ holds the MobileNet). */
export async function makeWebModel(dir, sharedData) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const { loadBackbone, createClassifier, saveModel } = await import('@cxr/model/node');
  const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: path.join(sharedData, 'weights/mobilenet_v1_1.0_224_conv_pw_12') });
  const classifier = createClassifier(backbone, { seed: 11, units: 16, poolSize: 7 });
  await saveModel(dir, { classifier, backbone, classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.5, quantize: 'float16' });
  classifier.dispose();
}
