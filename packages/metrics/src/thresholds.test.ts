import { MetricsError, InvalidOptionError } from './errors';
import { thresholdForSensitivity } from './thresholdForSensitivity';
import { thresholdForSpecificity } from './thresholdForSpecificity';
import { youdenThreshold } from './youdenThreshold';

// 4 covid, 4 normal. Operating points (score >= t), by hand:
// t     0.95 0.8  0.7  0.6  0.4  0.3  0.2  0.1
// TP    1    2    2    3    3    4    4    4
// FP    0    0    1    1    2    2    3    4
// sens  .25  .5   .5   .75  .75  1    1    1
// spec  1    1    .75  .75  .5   .5   .25  0
// J     .25  .5   .25  .5   .25  .5   .25  0
const labels = ['covid', 'covid', 'normal', 'covid', 'normal', 'covid', 'normal', 'normal'];
const scores = [0.95, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1];

describe('youdenThreshold', () => {
  it('maximises sensitivity + specificity - 1, preferring the highest threshold on ties', () => {
    expect(youdenThreshold(labels, scores, 'covid')).toEqual({ threshold: 0.8, sensitivity: 0.5, specificity: 1, youdenJ: 0.5 });
  });

  it('finds the unique best cut', () => {
    const r = youdenThreshold(['n', 'c', 'n', 'c', 'c'], [0.1, 0.35, 0.4, 0.6, 0.9], 'c');
    // t=0.6: sens 2/3, spec 1 -> J 2/3; t=0.35: sens 1, spec 1/2 -> J 1/2.
    expect(r.threshold).toBe(0.6);
    expect(r.youdenJ).toBeCloseTo(2 / 3, 15);
  });

  it('needs both classes', () => {
    expect(() => youdenThreshold(['c', 'c'], [0.1, 0.2], 'c')).toThrow(MetricsError);
  });
});

describe('thresholdForSensitivity', () => {
  it('returns the HIGHEST threshold reaching the target sensitivity', () => {
    expect(thresholdForSensitivity(labels, scores, 'covid', 0.75)).toEqual({ threshold: 0.6, sensitivity: 0.75, specificity: 0.75, youdenJ: 0.5 });
    expect(thresholdForSensitivity(labels, scores, 'covid', 0.7).threshold).toBe(0.6);
    expect(thresholdForSensitivity(labels, scores, 'covid', 1).threshold).toBe(0.3);
    expect(thresholdForSensitivity(labels, scores, 'covid', 0.5).threshold).toBe(0.8);
  });

  it('rejects targets outside (0, 1] and data without positives', () => {
    expect(() => thresholdForSensitivity(labels, scores, 'covid', 0)).toThrow(InvalidOptionError);
    expect(() => thresholdForSensitivity(labels, scores, 'covid', 1.2)).toThrow(InvalidOptionError);
    expect(() => thresholdForSensitivity(['n'], [0.3], 'c', 0.9)).toThrow(/no sample labelled "c"/);
  });
});

describe('thresholdForSpecificity', () => {
  it('returns the LOWEST threshold keeping the target specificity', () => {
    expect(thresholdForSpecificity(labels, scores, 'covid', 0.75)).toEqual({ threshold: 0.6, sensitivity: 0.75, specificity: 0.75, youdenJ: 0.5 });
    expect(thresholdForSpecificity(labels, scores, 'covid', 1).threshold).toBe(0.8);
    expect(thresholdForSpecificity(labels, scores, 'covid', 0.5).threshold).toBe(0.3);
  });

  it('returns Infinity when even the top score is a negative and the target is 1', () => {
    const r = thresholdForSpecificity(['n', 'c'], [0.9, 0.5], 'c', 1);
    expect(r.threshold).toBe(Infinity);
    expect(r.sensitivity).toBe(0);
  });

  it('needs a negative sample', () => {
    expect(() => thresholdForSpecificity(['c'], [0.3], 'c', 0.9)).toThrow(/no negative sample/);
  });
});
