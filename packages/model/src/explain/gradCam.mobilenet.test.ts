import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { preprocessImage } from '@cxr/preprocess/node';
import { initBackend } from '../backend/initBackend';
import { describeWithData, SHARED_DATA, SHARED_MOBILENET } from '../__fixtures__/sharedData';
import { loadBackbone } from '../backbones/loadBackbone';
import { createClassifier } from '../head/createClassifier';
import { findGradCamLayer, gradCam } from './gradCam';

const WEIGHTS = SHARED_MOBILENET;
const IMAGE = path.join(SHARED_DATA, 'nih-cxr14/images/00001281_000.png');

// wasm: the Node default, and several times faster than cpu on a 224x224 MobileNet
beforeAll(() => initBackend({ backend: 'wasm' }));

describeWithData([WEIGHTS, IMAGE])('gradCam on the real MobileNet v1 base (shared weights)', () => {
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
