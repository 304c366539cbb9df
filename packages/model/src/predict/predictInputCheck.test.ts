import * as tf from '@tensorflow/tfjs-core';
import { tinyBackbone, tinyImages, useCpu } from '../__fixtures__/tinyBackbone';
import { tinyCxrModel } from '../__fixtures__/tinyCxrModel';
import { createModelConfig } from '../io/createModelConfig';
import { validateModelConfig, type CxrModel } from '../io/modelConfig';
import { describeInputDistribution, inputDistance } from '../ood/inputDistribution';
import { NO_DECISION, predict } from './predict';

beforeAll(useCpu);

/** Pooled features computed apart from predict: the backbone's output, averaged over its 8 x 8 cells. */
function referencePooled(images: Float32Array[]): Float32Array[] {
  const base = tinyBackbone().model;
  return images.map((img) =>
    tf.tidy(() => Float32Array.from(tf.mean(base.predict(tf.tensor4d(img, [1, 32, 32, 3])) as tf.Tensor, [0, 1, 2]).dataSync())),
  );
}

function modelWith(extra: Parameters<typeof createModelConfig>[0] extends infer O ? Partial<O> : never): CxrModel {
  const { model, config } = tinyCxrModel();
  const backbone = { ...tinyBackbone(), preprocessing: config.preprocessing };
  return { model, config: createModelConfig({ backbone, classes: config.classes, positiveClass: config.positiveClass, ...extra }) };
}

describe('predict with an inputDistribution', () => {
  const { images } = tinyImages(12, 3);
  const train = images.slice(0, 10);
  const description = describeInputDistribution({ features: referencePooled(train), k: 2 });

  it('measures the same feature distance as the features computed apart, and decides in-distribution inputs', async () => {
    const cxr = modelWith({ inputDistribution: description });
    const before = tf.memory().numTensors;
    const preds = await predict(cxr, images, { batchSize: 5 });
    expect(tf.memory().numTensors).toBe(before);
    const ref = referencePooled(images);
    preds.forEach((p, i) => {
      expect(p.inputCheck).not.toBeNull();
      expect(p.inputCheck!.distance).toBeCloseTo(inputDistance(description, ref[i]), 5);
      expect(p.decision === null).toBe(!p.inputCheck!.inDistribution);
    });
    // a training image is its own nearest neighbour: its k = 2 distance is its nearest OTHER image, within the threshold
    // for all but the held-out tail
    expect(preds.slice(0, 10).filter((p) => p.decision !== null).length).toBeGreaterThanOrEqual(9);
  });

  it('refuses an input far from the training images (no decision, probabilities kept) and one failing the image checks', async () => {
    const cxr = modelWith({ inputDistribution: { ...description, threshold: -1 } }); // every distance is above -1
    const [p] = await predict(cxr, images[0]);
    expect(p.decision).toBeNull();
    expect(p.probabilities.covid + p.probabilities.normal).toBeCloseTo(1, 5);
    expect(p.inputCheck!.reasons[0]).toMatch(/unlike the training images/);
    expect(NO_DECISION).toBe('outside what this model was trained on: no decision');
    const ok = modelWith({ inputDistribution: { ...description, threshold: 2 } }); // cosine distances are <= 2
    const [strip] = await predict(ok, images[0], { images: [{ width: 440, height: 1, greyLevels: 200 }] });
    expect(strip.decision).toBeNull();
    expect(strip.inputCheck!.reasons).toContain('aspect ratio 440.0:1 is beyond 2:1');
    const [skipped] = await predict(cxr, images[0], { checkInputs: false });
    expect(skipped.decision).not.toBeNull();
    expect(skipped.inputCheck).toBeNull();
  });
});

describe('predict with a calibration', () => {
  it('applies the saved temperature: T = 2 takes the square root of the odds', async () => {
    const { images } = tinyImages(3, 4);
    const raw = await predict(tinyCxrModel(), images);
    const cxr = modelWith({ calibration: { method: 'temperature-scaling', temperature: 2, fittedOn: 'test', nllBefore: 1, nllAfter: 0.5 } });
    const cal = await predict(cxr, images);
    cal.forEach((p, i) => {
      const a = Math.sqrt(raw[i].probabilities.covid);
      const b = Math.sqrt(raw[i].probabilities.normal);
      expect(p.probabilities.covid).toBeCloseTo(a / (a + b), 5);
    });
    const off = await predict(cxr, images, { calibrated: false });
    expect(off[0].probabilities.covid).toBeCloseTo(raw[0].probabilities.covid, 6);
  });
});

describe('cxr.json fields of issue 15', () => {
  const { config } = tinyCxrModel();
  const json = JSON.parse(JSON.stringify(config));

  it('accepts a model without them (older cxr.json) and refuses malformed ones, naming the field', () => {
    expect(() => validateModelConfig(json, 'cxr.json')).not.toThrow();
    expect(() => validateModelConfig({ ...json, calibration: { method: 'temperature-scaling', temperature: 0 } }, 'm/cxr.json')).toThrow(/m\/cxr.json: calibration must be/);
    const d = describeInputDistribution({ features: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], k: 1 });
    expect(() => validateModelConfig({ ...json, inputDistribution: d }, 'cxr.json')).toThrow(/inputDistribution.dims 3 is not the backbone's 8 channels/);
    expect(() => validateModelConfig({ ...json, inputDistribution: { ...d, method: 'magic' } }, 'cxr.json')).toThrow(/inputDistribution method "magic" is unknown/);
    expect(() => validateModelConfig({ ...json, dataDesign: { confounded: 'yes' } }, 'cxr.json')).toThrow(/dataDesign must be/);
    expect(() => validateModelConfig({ ...json, surprise: 1 }, 'cxr.json')).toThrow(/unknown field "surprise"/);
  });
});
