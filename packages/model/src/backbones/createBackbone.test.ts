import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BackboneConfigError } from '../errors';
import { createBackbone } from './createBackbone';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createBackbone', () => {
  it('makes reproducible random VGG16 weights from a seed, and says they are not pretrained', () => {
    const opts = { name: 'vgg16' as const, inputShape: [32, 32, 3] as [number, number, number], blocks: 2, widthMultiplier: 1 / 8 };
    const a = createBackbone({ ...opts, seed: 7 });
    const b = createBackbone({ ...opts, seed: 7 });
    const c = createBackbone({ ...opts, seed: 8 });
    const k = (x: typeof a) => x.model.getLayer('block2_conv1').getWeights()[0].dataSync();
    expect(k(a)).toEqual(k(b));
    expect(k(a)).not.toEqual(k(c));
    expect(a.weightsHash).toBe(b.weightsHash);
    expect(a.weightsHash).not.toBe(c.weightsHash);
    expect(a.weightsHash).toMatch(/^random:[0-9a-f]{8}$/);
    expect(a.info).toMatchObject({ pretrained: false, weightsFormat: 'random', seed: 7, inputShape: [32, 32, 3], normalization: 'vgg16-caffe' });
    expect(a.outputShape).toEqual([8, 8, 16]);
    // Glorot-uniform bound for a 3x3x8->16 kernel: sqrt(6 / (fanIn + fanOut)) = sqrt(6 / (72 + 144))
    const bound = Math.sqrt(6 / (9 * 8 + 9 * 16));
    const w = k(a);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w)).toBeGreaterThan(bound * 0.9);
    for (const x of [a, b, c]) x.model.dispose();
  });

  it('has no random MobileNet, and refuses a normalisation the backbone does not fit', () => {
    expect(() => createBackbone({ name: 'mobilenet_v1' })).toThrow(BackboneConfigError);
    expect(() => createBackbone({ name: 'vgg16', normalization: 'mobilenet' })).toThrow(/'mobilenet' does not fit vgg16/);
  });
});
