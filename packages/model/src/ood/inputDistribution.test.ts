import { InputCheckError } from '../errors';
import { fromFloat16Base64, toFloat16Base64 } from './float16Base64';
import { checkInput, describeImage, describeInputDistribution, inputDistance } from './inputDistribution';

const deg = (a: number): number[] => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];
const cosDist = (a: number): number => 1 - Math.cos((a * Math.PI) / 180);

describe('float16 base64', () => {
  it('round-trips values float16 holds exactly, and rounds others to 11 significant bits', () => {
    const v = Float32Array.of(1, -2, 0.5, 65504, 0, 2 ** -24, 0.1);
    const back = fromFloat16Base64(toFloat16Base64(v));
    expect(Array.from(back.subarray(0, 6))).toEqual([1, -2, 0.5, 65504, 0, 2 ** -24]);
    expect(back[6]).toBeCloseTo(0.0999755859375, 12); // the float16 nearest to 0.1
    expect(toFloat16Base64(Float32Array.of(1))).toBe('ADw='); // 0x3c00 little-endian: bytes 00 3c
  });
});

describe('describeInputDistribution / checkInput', () => {
  // unit vectors at 0, 10, 20 and 50 degrees, each its own patient: nearest-other distances d10, d10, d10, d30
  const features = [0, 10, 20, 50].map(deg);

  it('puts the threshold at the held-out quantile of a hand computation', () => {
    const d = describeInputDistribution({ features, k: 1, falseRefusalRate: 0.25 });
    // ceil(0.75 * 4) = 3rd smallest of [d10, d10, d10, d30] = d10
    expect(d.threshold).toBeCloseTo(cosDist(10), 6);
    expect(d.heldOutDistances.max).toBeCloseTo(cosDist(30), 6);
    expect(d).toMatchObject({ method: 'knn-cosine', k: 1, dims: 2, count: 4, heldOut: 'leave-one-patient-out' });
    // 5 degrees is 5 from its nearest (0 or 10): in; 90 degrees is 40 from 50: out
    expect(inputDistance(d, deg(5))).toBeCloseTo(cosDist(5), 3);
    expect(checkInput(d, { feature: deg(5) }).inDistribution).toBe(true);
    const far = checkInput(d, { feature: deg(90).map((x) => x * 7) }); // scale does not matter (cosine)
    expect(far.inDistribution).toBe(false);
    expect(far.distance).toBeCloseTo(cosDist(40), 3);
    expect(far.reasons[0]).toMatch(/unlike the training images \(feature distance 0\.234 > 0\.015/);
  });

  it('k-th neighbour: k = 2 uses the second nearest (hand computation)', () => {
    const d = describeInputDistribution({ features, k: 2, falseRefusalRate: 0.25 });
    // second-nearest others: 0 -> 20, 10 -> 10, 20 -> 20, 50 -> 40; sorted [d10, d20, d20, d40]; 3rd = d20
    expect(d.threshold).toBeCloseTo(cosDist(20), 6);
  });

  it("leaves the image's own patient out (a duplicate does not make it look typical)", () => {
    const dup = [...features, deg(50)];
    const alone = describeInputDistribution({ features: dup, k: 1, falseRefusalRate: 0.2 });
    expect(alone.heldOutDistances.median).toBeCloseTo(cosDist(10), 6);
    expect(alone.heldOutDistances.max).toBeCloseTo(cosDist(10), 6); // ungrouped: the two 50s are each other's neighbour
    const grouped = describeInputDistribution({ features: dup, groups: ['a', 'b', 'c', 'd', 'd'], k: 1, falseRefusalRate: 0.2 });
    expect(grouped.heldOutDistances.max).toBeCloseTo(cosDist(30), 6);
  });

  it('refuses strips, tiny images and images with few grey levels, saying why', () => {
    const d = describeInputDistribution({ features, k: 1 });
    const strip = checkInput(d, { image: { width: 440, height: 1, greyLevels: 200 } });
    expect(strip.inDistribution).toBe(false);
    expect(strip.reasons).toEqual(['image is 440x1, smaller than 64 px on a side', 'aspect ratio 440.0:1 is beyond 2:1']);
    expect(checkInput(d, { image: { width: 512, height: 512, greyLevels: 2 } }).reasons).toEqual(['only 2 grey levels (radiographs have hundreds)']);
    expect(checkInput(d, { image: { width: 1024, height: 900, greyLevels: 256 }, feature: deg(12) }).inDistribution).toBe(true);
  });

  it('widens the image limits to admit every training image', () => {
    const images = [{ width: 1024, height: 1024, greyLevels: 256 }, { width: 900, height: 400, greyLevels: 13 }, { width: 60, height: 70, greyLevels: 200 }];
    const d = describeInputDistribution({ features, k: 1, images });
    expect(d.image).toEqual({ minSide: 60, maxAspectRatio: 2.25, minGreyLevels: 13 });
    expect(checkInput(d, { image: images[1] }).inDistribution).toBe(true);
    expect(checkInput(d, { image: { width: 512, height: 512, greyLevels: 12 } }).reasons).toEqual(['only 12 grey levels (radiographs have hundreds)']);
    // never stricter than the defaults
    expect(describeInputDistribution({ features, k: 1, images: [images[0]] }).image).toEqual({ minSide: 64, maxAspectRatio: 2, minGreyLevels: 32 });
  });

  it('refuses bad input with InputCheckError', () => {
    expect(() => describeInputDistribution({ features: [deg(0)], k: 1 })).toThrow(InputCheckError);
    expect(() => describeInputDistribution({ features, groups: ['a'] })).toThrow(/4 feature vectors but 1 groups/);
    expect(() => describeInputDistribution({ features: [[0, NaN], ...features], k: 1 })).toThrow(/not finite/);
    expect(() => describeInputDistribution({ features, groups: ['a', 'a', 'a', 'a'], k: 1 })).toThrow(/one patient/);
    const d = describeInputDistribution({ features, k: 1 });
    expect(() => checkInput(d, { feature: [1, 2, 3] })).toThrow(/3 values, the model's training features 2/);
  });
});

describe('describeImage', () => {
  it("counts distinct grey levels over the image's own range in 256 bins", () => {
    expect(describeImage({ data: Uint8Array.of(0, 0, 5, 255), width: 2, height: 2 })).toEqual({ width: 2, height: 2, greyLevels: 3 });
    // 12-bit values in 16-bit words: 0..4095 spread over 256 bins -> 0, 4095 and 2048 (bin 128) and 2049 (bin 128): 3
    expect(describeImage({ data: Uint16Array.of(0, 4095, 2048, 2049), width: 4, height: 1 }).greyLevels).toBe(3);
    // every 8-bit value of a narrow 30-level range stays distinct
    expect(describeImage({ data: Uint8Array.from({ length: 30 }, (_, i) => 100 + i), width: 30, height: 1 }).greyLevels).toBe(30);
    expect(describeImage({ data: Float32Array.of(0.5, 0.5), width: 2, height: 1 }).greyLevels).toBe(1);
    // RGBA (canvas): the first channel of each pixel
    expect(describeImage({ data: Uint8Array.of(0, 9, 9, 255, 10, 9, 9, 255), width: 2, height: 1 }).greyLevels).toBe(2);
  });
});
