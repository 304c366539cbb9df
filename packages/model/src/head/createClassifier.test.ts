import * as tf from '@tensorflow/tfjs-core';
import { tinyBackbone, tinyImages, useCpu } from '../__fixtures__/tinyBackbone';
import { TrainingInputError } from '../errors';
import { createClassifier } from './createClassifier';
import { createHead } from './createHead';

beforeAll(useCpu);

describe('createClassifier', () => {
  it('joins the frozen base and the head into one flat model whose output is head(base(x))', () => {
    const backbone = tinyBackbone();
    const head = createHead({ inputShape: [8, 8, 8], poolSize: 4, units: 6, seed: 5 });
    const classifier = createClassifier(backbone, { head });
    // flat: the base's layers are the classifier's own, then the head's five
    expect(classifier.layers.map((l) => l.name)).toEqual([
      'image', 'conv1', 'pool1', 'conv2', 'pool2',
      'head_average_pooling', 'head_flatten', 'head_dense', 'head_dropout', 'head_output',
    ]);
    // only the head trains: 2 dense layers x (kernel, bias)
    expect(classifier.trainableWeights.map((w) => w.originalName)).toEqual([
      'head_dense/kernel', 'head_dense/bias', 'head_output/kernel', 'head_output/bias',
    ]);
    const { images } = tinyImages(3);
    const x = tf.tensor4d(Float32Array.from(images.flatMap((i) => Array.from(i))), [3, 32, 32, 3]);
    const features = backbone.model.predict(x) as tf.Tensor;
    const viaHead = (head.predict(features) as tf.Tensor).arraySync();
    const viaClassifier = (classifier.predict(x) as tf.Tensor).arraySync();
    expect(viaClassifier).toEqual(viaHead);
    tf.dispose([x, features]);
  });

  it('builds a new notebook head from sizes, seeded', () => {
    const a = createClassifier(tinyBackbone(), { poolSize: 2, seed: 9 });
    const b = createClassifier(tinyBackbone(), { poolSize: 2, seed: 9 });
    expect(a.getLayer('head_dense').getWeights()[0].shape).toEqual([4 * 4 * 8, 64]);
    expect(Array.from(a.getLayer('head_dense').getWeights()[0].dataSync())).toEqual(
      Array.from(b.getLayer('head_dense').getWeights()[0].dataSync()),
    );
  });

  it('rejects a head whose input does not match the base output', () => {
    const head = createHead({ inputShape: [7, 7, 512] });
    expect(() => createClassifier(tinyBackbone(), { head })).toThrow(TrainingInputError);
    expect(() => createClassifier(tinyBackbone(), { head })).toThrow(/\[7, 7, 512\].*\[8, 8, 8\]/);
  });
});
