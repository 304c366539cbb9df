import { precisionRecallCurve } from './precisionRecallCurve';

describe('precisionRecallCurve', () => {
  it('matches the scikit-learn precision_recall_curve documentation example', () => {
    // sklearn: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8] ->
    // precision [0.5, 0.6667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8]
    const pr = precisionRecallCurve(['n', 'n', 'c', 'c'], [0.1, 0.4, 0.35, 0.8], 'c');
    expect(pr.thresholds).toEqual([0.1, 0.35, 0.4, 0.8]);
    expect(pr.recall).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(pr.precision).toEqual([0.5, 2 / 3, 0.5, 1, 1]);
  });

  it('groups tied scores (hand computation)', () => {
    // Thresholds 0.1, 0.4, 0.6, 0.9: predicted positives 6, 5, 3, 2 with 3, 3, 2, 1 true positives.
    const pr = precisionRecallCurve(['c', 'n', 'c', 'n', 'c', 'n'], [0.9, 0.9, 0.6, 0.4, 0.4, 0.1], 'c');
    expect(pr.thresholds).toEqual([0.1, 0.4, 0.6, 0.9]);
    expect(pr.precision).toEqual([3 / 6, 3 / 5, 2 / 3, 1 / 2, 1]);
    expect(pr.recall).toEqual([1, 1, 2 / 3, 1 / 3, 0]);
  });
});
