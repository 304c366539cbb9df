import { rocCurve } from './rocCurve';

describe('rocCurve', () => {
  it('matches the scikit-learn roc_curve documentation example (drop_intermediate=False)', () => {
    // sklearn: y = [1, 1, 2, 2], scores = [0.1, 0.4, 0.35, 0.8], pos_label=2
    // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [inf, 0.8, 0.4, 0.35, 0.1]
    const roc = rocCurve(['1', '1', '2', '2'], [0.1, 0.4, 0.35, 0.8], '2');
    expect(roc).toEqual({
      fpr: [0, 0, 0.5, 0.5, 1],
      tpr: [0, 0.5, 0.5, 1, 1],
      thresholds: [Infinity, 0.8, 0.4, 0.35, 0.1],
    });
  });

  it('uses the declared positive label, not alphabetical order', () => {
    // Same data with 'normal' (alphabetically after 'covid') as the positive class.
    const roc = rocCurve(['covid', 'covid', 'normal', 'normal'], [0.1, 0.4, 0.35, 0.8], 'normal');
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
  });

  it('merges tied scores into one point', () => {
    const roc = rocCurve(['p', 'n', 'p', 'n'], [0.7, 0.7, 0.2, 0.1], 'p');
    expect(roc.thresholds).toEqual([Infinity, 0.7, 0.2, 0.1]);
    expect(roc.tpr).toEqual([0, 0.5, 1, 1]);
    expect(roc.fpr).toEqual([0, 0.5, 0.5, 1]);
  });

  it('has NaN rates for an absent class', () => {
    const roc = rocCurve(['p', 'p'], [0.7, 0.2], 'p', { negativeLabel: 'n' });
    expect(roc.tpr).toEqual([0, 0.5, 1]);
    expect(roc.fpr.length).toBe(3);
    expect(roc.fpr.every(Number.isNaN)).toBe(true);
  });
});
