import { mcc } from './mcc';

describe('mcc', () => {
  it('matches the Wikipedia worked example (TP 90, FN 5, FP 4, TN 1: MCC 0.135)', () => {
    // (90*1 - 4*5) / sqrt(94 * 95 * 5 * 6) = 70 / 517.59 = 0.13524 (scikit-learn matthews_corrcoef: 0.135242)
    expect(mcc({ tp: 90, fp: 4, tn: 1, fn: 5 })).toBeCloseTo(0.135242, 6);
  });

  it('is 1 for perfect, -1 for inverted, NaN for an empty row or column', () => {
    expect(mcc({ tp: 3, fp: 0, tn: 4, fn: 0 })).toBe(1);
    expect(mcc({ tp: 0, fp: 4, tn: 0, fn: 3 })).toBe(-1);
    expect(mcc({ tp: 3, fp: 4, tn: 0, fn: 0 })).toBeNaN();
  });
});
