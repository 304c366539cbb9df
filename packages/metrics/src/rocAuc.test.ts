import { rocAuc } from './rocAuc';
import { rocCurve } from './rocCurve';
import { pairwiseAuc, randomScores } from './__fixtures__/randomScores';

describe('rocAuc', () => {
  it('handles ties exactly (hand-computed Mann-Whitney U / (n1 * n0))', () => {
    // Positives 0.9, 0.6, 0.4; negatives 0.9, 0.4, 0.1. Pairs won by each positive:
    // 0.9: 0.5 (tie) + 1 + 1 = 2.5; 0.6: 0 + 1 + 1 = 2; 0.4: 0 + 0.5 (tie) + 1 = 1.5; U = 6, AUC = 6/9.
    // Ranks (midranks for ties): 0.1->1, 0.4->2.5 x2, 0.6->4, 0.9->5.5 x2; R1 = 5.5+4+2.5 = 12, U = 12 - 3*4/2 = 6.
    const labels = ['c', 'n', 'c', 'n', 'c', 'n'];
    const scores = [0.9, 0.9, 0.6, 0.4, 0.4, 0.1];
    expect(rocAuc(labels, scores, 'c')).toBeCloseTo(6 / 9, 15);
  });

  it('reproduces the published AUC of Hanley & McNeil (1982), five-point ratings with heavy ties: 0.893', () => {
    // Radiology 143:29-36, Table 1: CT ratings 1..5 of 58 normal and 51 abnormal patients.
    const normal = [33, 6, 6, 11, 2];
    const abnormal = [3, 2, 2, 11, 33];
    const labels: string[] = [];
    const scores: number[] = [];
    normal.forEach((count, r) => {
      for (let k = 0; k < count + abnormal[r]; k++) {
        labels.push(k < count ? 'normal' : 'abnormal');
        scores.push(r / 4);
      }
    });
    const auc = rocAuc(labels, scores, 'abnormal');
    expect(auc).toBeCloseTo(0.893, 3);
    // Exact value from the counts: sum over ratings of abnormal(r) * (normals below r + normals at r / 2) / (51 * 58).
    expect(auc * 51 * 58).toBeCloseTo(3 * 16.5 + 2 * 36 + 2 * 42 + 11 * 50.5 + 33 * 57, 9);
  });

  it('is 1 for separable scores, 0 for reversed, 0.5 when all tie', () => {
    expect(rocAuc(['n', 'c', 'c'], [0.1, 0.8, 0.9], 'c')).toBe(1);
    expect(rocAuc(['n', 'c', 'c'], [0.9, 0.1, 0.2], 'c')).toBe(0);
    expect(rocAuc(['n', 'c', 'n'], [0.3, 0.3, 0.3], 'c')).toBe(0.5);
  });

  it('equals the pairwise definition and the trapezoidal area under the ROC curve on random tied data', () => {
    for (const seed of [1, 2, 3]) {
      const { labels, scores } = randomScores(300, seed);
      const auc = rocAuc(labels, scores, 'covid');
      expect(auc).toBeCloseTo(pairwiseAuc(labels, scores, 'covid'), 12);
      const { fpr, tpr } = rocCurve(labels, scores, 'covid');
      let area = 0;
      for (let i = 1; i < fpr.length; i++) area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
      expect(auc).toBeCloseTo(area, 12);
    }
  });

  it('is NaN with only one class', () => {
    expect(rocAuc(['n', 'n'], [0.1, 0.2], 'c')).toBeNaN();
  });
});
