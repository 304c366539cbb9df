import { normalizeIntensity } from './normalizeIntensity';
import { toModelInput } from './preprocessPixels';
import { DEFAULT_PREPROCESS_SPEC } from './preprocessSpec';
import { replicateChannels } from './replicateChannels';

describe('normalizeIntensity', () => {
  it('unit keeps [0, 1]; mobilenet maps to [-1, 1]', () => {
    const d = new Float32Array([0, 0.25, 1]);
    expect(Array.from(normalizeIntensity(d, 1, 'unit'))).toEqual([0, 0.25, 1]);
    expect(Array.from(normalizeIntensity(d, 1, 'mobilenet'))).toEqual([-1, -0.5, 1]);
  });

  it('vgg16-caffe: RGB -> BGR, 0-255 minus ImageNet BGR means (Keras caffe mode, by hand)', () => {
    // RGB pixel (1, 0.5, 0) is (255, 127.5, 0); BGR is (0, 127.5, 255);
    // minus (103.939, 116.779, 123.68): (-103.939, 10.721, 131.32)
    const out = normalizeIntensity(new Float32Array([1, 0.5, 0]), 3, 'vgg16-caffe');
    expect(out[0]).toBeCloseTo(-103.939, 3);
    expect(out[1]).toBeCloseTo(10.721, 3);
    expect(out[2]).toBeCloseTo(131.32, 3);
    expect(() => normalizeIntensity(new Float32Array(2), 1, 'vgg16-caffe')).toThrow(/needs 3 channels/);
  });

  it('toModelInput fuses replication and normalisation with the same numbers', () => {
    const grey = { data: new Float32Array([0.5, 0]), width: 2, height: 1, channels: 1 };
    const caffe = toModelInput(grey, { ...DEFAULT_PREPROCESS_SPEC, width: 2, height: 1, normalization: 'vgg16-caffe' });
    // 0.5 -> 127.5 minus (103.939, 116.779, 123.68)
    expect(Array.from(caffe).map((v) => Number(v.toFixed(3)))).toEqual([23.561, 10.721, 3.82, -103.939, -116.779, -123.68]);
    const mob = toModelInput(grey, { ...DEFAULT_PREPROCESS_SPEC, width: 2, height: 1, normalization: 'mobilenet' });
    expect(Array.from(mob)).toEqual([0, 0, 0, -1, -1, -1]);
    const rep = replicateChannels(grey, 3);
    expect(Array.from(normalizeIntensity(rep.data, 3, 'mobilenet'))).toEqual(Array.from(mob));
    const one = toModelInput(grey, { ...DEFAULT_PREPROCESS_SPEC, width: 2, height: 1, channels: 1 });
    expect(Array.from(one)).toEqual([0.5, 0]);
  });
});
