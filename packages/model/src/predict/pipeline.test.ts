import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { preprocessImage } from '@cxr/preprocess/node';
import { describeWithData, SHARED_DATA } from '../__fixtures__/sharedData';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { createBackbone } from '../backbones/createBackbone';
import { gradCam } from '../explain/gradCam';
import { extractFeatures } from '../features/extractFeatures';
import { loadModel } from '../io/loadModel';
import { saveModel } from '../io/saveModel';
import { trainHead } from '../train/trainHead';
import { predictFiles } from './predictFiles';

const DATA = SHARED_DATA;
const list = (dir: string, n: number) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().slice(0, n).map((f) => path.join(dir, f)) : [];
const NORMAL = list(path.join(DATA, 'nih-cxr14/images'), 6);
const COVID = list(path.join(DATA, 'covid-chestxray/images'), 6);

beforeAll(useCpu);

describeWithData([path.join(DATA, 'nih-cxr14/images'), path.join(DATA, 'covid-chestxray/images')])('pipeline on real images: part A backbone -> head -> save -> load -> predict -> Grad-CAM', () => {
  it('trains, saves, reloads and explains with the same preprocessing throughout', async () => {
    const backbone = createBackbone({ name: 'vgg16', seed: 1, inputShape: [32, 32, 3], widthMultiplier: 1 / 16, blocks: 2, normalization: 'unit' });
    expect(backbone.outputShape).toEqual([8, 8, 8]);
    const files = [...COVID, ...NORMAL];
    const labels = files.map((f) => (COVID.includes(f) ? 'covid' : 'normal'));
    const inputs = await Promise.all(files.map(async (f) => (await preprocessImage(f, backbone.preprocessing)).data));
    const features = await extractFeatures(backbone, inputs);
    const result = await trainHead(features, labels, {
      classes: ['covid', 'normal'],
      head: { inputShape: backbone.outputShape, poolSize: 4, units: 8 },
      epochs: 3,
      seed: 1,
      classWeight: 'balanced',
    });
    expect(result.history.loss).toHaveLength(3);
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-pipeline-'));
    try {
      const dir = path.join(tmp, 'model');
      await saveModel(dir, {
        head: result.head,
        backbone,
        classes: ['covid', 'normal'],
        positiveClass: 'covid',
        trainingMetrics: { history: result.history as unknown as Record<string, unknown> },
        quantize: 'float16',
      });
      const cxr = await loadModel(dir);
      expect(cxr.config.preprocessing).toEqual(backbone.preprocessing);
      expect(cxr.config.backbone).toMatchObject({ name: 'vgg16', weightsHash: backbone.weightsHash, info: { weightsFormat: 'random', pretrained: false } });
      // the saved full model reproduces head(base(x)) on the training images
      const viaFiles = await predictFiles(cxr, files.slice(0, 3));
      const direct = (result.head.predict(tf.tensor4d(Float32Array.from(features.slice(0, 3).flatMap((f) => Array.from(f))), [3, 8, 8, 8])) as tf.Tensor).arraySync() as number[][];
      viaFiles.forEach((p, i) => expect(p.probabilities.covid).toBeCloseTo(direct[i][0], 5));
      const cam = await gradCam(cxr, inputs[0]);
      expect([cam.layerName, cam.width, cam.height]).toEqual(['block2_conv2', 16, 16]);
      expect(Math.max(...cam.heatmap)).toBeCloseTo(1, 6);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
