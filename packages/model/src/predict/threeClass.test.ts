import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_PREPROCESS_SPEC } from '@cxr/preprocess';
import { tinyBackbone, useCpu } from '../__fixtures__/tinyBackbone';
import { gradCam } from '../explain/gradCam';
import { createClassifier } from '../head/createClassifier';
import { createModelConfig } from '../io/createModelConfig';
import { validateModelConfig } from '../io/modelConfig';
import { computeClassWeights } from '../train/computeClassWeights';
import { trainHead } from '../train/trainHead';
import { decide, predict } from './predict';

beforeAll(useCpu);

const CLASSES = ['covid', 'pneumonia', 'normal'];

/** 32x32 grey-in-RGB images: covid brighter lower half, pneumonia brighter upper half, normal uniform (7/5/3 of each 15). */
function threeClassImages(n: number): { images: Float32Array[]; labels: string[] } {
  const images: Float32Array[] = [];
  const labels: string[] = [];
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    const k = i % 15;
    const label = k < 7 ? 'covid' : k < 12 ? 'pneumonia' : 'normal';
    const img = new Float32Array(32 * 32 * 3);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const bright = (label === 'covid' && y > 16) || (label === 'pneumonia' && y < 16);
        const v = Math.min(1, Math.max(0, (bright ? 0.75 : 0.25) + (rand() - 0.5) * 0.3));
        for (let c = 0; c < 3; c++) img[(y * 32 + x) * 3 + c] = v;
      }
    images.push(img);
    labels.push(label);
  }
  return { images, labels };
}

describe('three classes end to end: train, save config, predict, Grad-CAM', () => {
  it('weights classes as n / (k * count) (hand: 45 images, 21/15/9 -> 0.714, 1, 1.667)', () => {
    const { labels } = threeClassImages(45);
    const w = computeClassWeights(labels.map((l) => CLASSES.indexOf(l)), CLASSES, 'balanced');
    expect(Object.values(w).map((v) => Number(v.toFixed(3)))).toEqual([0.714, 1, 1.667]);
  });

  it('learns three separable classes, predicts a probability for every class, decides by argmax, explains any class', async () => {
    const before = tf.memory().numTensors;
    const { images, labels } = threeClassImages(45);
    const backbone = { ...tinyBackbone(), preprocessing: { ...DEFAULT_PREPROCESS_SPEC, height: 32, width: 32 } };
    const x = tf.tensor4d(Float32Array.from(images.flatMap((i) => Array.from(i))), [45, 32, 32, 3]);
    const features = backbone.model.predict(x) as tf.Tensor4D;
    const result = await trainHead(features, labels, {
      classes: CLASSES,
      head: { poolSize: 4, units: 6, dropout: 0 },
      epochs: 30,
      learningRate: 1e-2,
      classWeight: 'balanced',
      seed: 3,
    });
    tf.dispose([x, features]);
    expect(result.classes).toEqual(CLASSES);
    const model = createClassifier(backbone, { head: result.head });
    const config = createModelConfig({ backbone, classes: CLASSES, positiveClass: null });
    expect(validateModelConfig(JSON.parse(JSON.stringify(config)), 'cxr.json').positiveClass).toBeNull();
    const cxr = { model, config };

    const preds = await predict(cxr, images);
    for (const p of preds) {
      expect(Object.keys(p.probabilities)).toEqual(CLASSES);
      expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const best = CLASSES.reduce((a, c) => (p.probabilities[c] > p.probabilities[a] ? c : a));
      expect(p.decision).toBe(best);
      expect(p.decisionRule).toBe('argmax');
    }
    const correct = preds.filter((p, i) => p.decision === labels[i]).length;
    expect(correct).toBeGreaterThanOrEqual(40);

    const cam = await gradCam(model, images[7], { classIndex: 1 });
    expect(cam.classIndex).toBe(1);
    expect(cam.probabilities).toHaveLength(3);
    expect(cam.heatmap).toHaveLength(cam.width * cam.height);
    // Normalised by its maximum: 1 at the peak, or all 0 when no location raises the class score.
    expect([0, 1]).toContain(Number(Math.max(...cam.heatmap).toFixed(5)));
    model.layers.filter((l) => !backbone.model.layers.includes(l)).forEach((l) => l.dispose());
    result.head.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + backbone.model.weights.length);
  });

  it('keeps the binary rule: the positive class at or above the threshold', () => {
    expect(decide([0.4, 0.6], ['covid', 'normal'], 'covid', 0.4)).toEqual({
      probabilities: { covid: 0.4, normal: 0.6 },
      decision: 'covid',
      decisionRule: 'threshold',
      threshold: 0.4,
      inputCheck: null,
    });
    expect(decide([0.34, 0.33, 0.33], CLASSES, null, 0.9).decision).toBe('covid');
    expect(decide([0.3, 0.4, 0.3], CLASSES, null, 0.5).decision).toBe('pneumonia');
  });
});
