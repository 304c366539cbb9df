import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { preprocessImage } from '@cxr/preprocess/node';
import { initBackend } from '../backend/initBackend';
import { loadBackbone } from '../backbones/loadBackbone';
import { createClassifier } from '../head/createClassifier';
import { findGradCamLayer, gradCam } from './gradCam';

// <repo root>/../shared/data
const DATA = process.env.CXR_SHARED_DATA ?? path.resolve(__dirname, '../../../..', '../shared/data');
const WEIGHTS = path.join(DATA, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const IMAGE = path.join(DATA, 'nih-cxr14/images/00001281_000.png');

// wasm: the Node default, and several times faster than cpu on a 224x224 MobileNet
beforeAll(() => initBackend({ backend: 'wasm' }));

(existsSync(WEIGHTS) && existsSync(IMAGE) ? describe : describe.skip)('gradCam on the real MobileNet v1 base (shared weights)', () => {
  it('explains conv_pw_12_relu (7x7) of MobileNet + the notebook head on a real X-ray', async () => {
    const backbone = await loadBackbone({ name: 'mobilenet_v1', weights: WEIGHTS });
    const classifier = createClassifier(backbone, { seed: 1 });
    // the last conv is conv_pw_12; its batch norm and ReLU follow, and the heatmap is taken after the ReLU
    expect(findGradCamLayer(classifier).name).toBe('conv_pw_12_relu');
    const { data } = await preprocessImage(IMAGE, backbone.preprocessing);
    const before = tf.memory().numTensors;
    const cam = await gradCam(classifier, data);
    expect([cam.layerName, cam.width, cam.height]).toEqual(['conv_pw_12_relu', 7, 7]);
    expect(Math.max(...cam.heatmap)).toBeCloseTo(1, 6);
    expect(cam.heatmap.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(cam.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
