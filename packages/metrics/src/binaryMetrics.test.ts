import { binaryMetrics } from './binaryMetrics';
import { InvalidOptionError, UnknownLabelError } from './errors';

// 5 covid, 5 normal; at threshold 0.5: TP 4, FN 1 (0.3), FP 1 (0.55), TN 4.
const labels = ['covid', 'covid', 'covid', 'covid', 'covid', 'normal', 'normal', 'normal', 'normal', 'normal'];
const scores = [0.9, 0.8, 0.7, 0.6, 0.3, 0.55, 0.4, 0.2, 0.1, 0.05];

describe('binaryMetrics', () => {
  it('matches a hand computation', () => {
    const m = binaryMetrics({ labels, scores, positiveLabel: 'covid' });
    expect(m.n).toBe(10);
    expect(m.negativeLabel).toBe('normal');
    expect(m.confusionMatrix).toEqual({ labels: ['normal', 'covid'], matrix: [[4, 1], [1, 4]], tp: 4, fp: 1, tn: 4, fn: 1 });
    // Wilson 95% for 4/5 (Python, z = 1.959964): 0.375535 .. 0.963776; for 8/10: 0.490162 .. 0.943318.
    for (const key of ['sensitivity', 'specificity', 'precision', 'npv'] as const) {
      expect(m[key].value).toBeCloseTo(0.8, 15);
      expect(m[key].lower).toBeCloseTo(0.375535, 5);
      expect(m[key].upper).toBeCloseTo(0.963776, 5);
    }
    expect(m.accuracy.lower).toBeCloseTo(0.490162, 5);
    expect(m.accuracy.upper).toBeCloseTo(0.943318, 5);
    expect(m.prevalence.value).toBe(0.5);
    expect(m.balancedAccuracy).toBeCloseTo(0.8, 15);
    expect(m.f1).toBeCloseTo(0.8, 15);
    expect(m.mcc).toBeCloseTo(0.6, 12); // (16 - 1) / sqrt(5^4)
    expect(m.youdenJ).toBeCloseTo(0.6, 12);
    // AUC: four positives beat all five negatives, 0.3 beats three: 23/25 (sklearn roc_auc_score 0.92).
    expect(m.auc?.value).toBeCloseTo(0.92, 15);
    expect(m.auc?.lower).toBeLessThan(0.92);
    expect(m.auc?.upper).toBeLessThanOrEqual(1);
    // AP: 0.2 * (1 + 1 + 1 + 1) + 0.2 * 5/7 = 0.942857 (sklearn average_precision_score).
    expect(m.averagePrecision).toBeCloseTo(0.942857, 6);
    expect(m.roc.thresholds).toHaveLength(11);
    expect(m.pr.thresholds).toHaveLength(10);
    expect(m.warnings).toEqual([]);
    expect(m.aucBootstrap).toEqual({ iterations: 2000, seed: 42, method: 'stratified percentile bootstrap' });
  });

  it('never uses alphabetical order: swapping the positive label swaps the roles', () => {
    const m = binaryMetrics({ labels, scores: scores.map((s) => 1 - s), positiveLabel: 'normal', threshold: 0.5 });
    expect(m.confusionMatrix.labels).toEqual(['covid', 'normal']);
    expect(m.auc?.value).toBeCloseTo(0.92, 15);
  });

  it('applies the threshold with score >= threshold as positive', () => {
    const m = binaryMetrics({ labels, scores, positiveLabel: 'covid', threshold: 0.3 });
    // Positives at >= 0.3: all 5 covid, and normals 0.55, 0.4.
    expect(m.confusionMatrix).toMatchObject({ tp: 5, fn: 0, fp: 2, tn: 3 });
    expect(m.sensitivity.value).toBe(1);
    expect(m.sensitivity.upper).toBe(1);
  });

  it('is reproducible and follows the bootstrap settings', () => {
    const a = binaryMetrics({ labels, scores, positiveLabel: 'covid', bootstrap: { iterations: 300, seed: 3 } });
    const b = binaryMetrics({ labels, scores, positiveLabel: 'covid', bootstrap: { iterations: 300, seed: 3 } });
    expect(b.auc).toEqual(a.auc);
    expect(a.aucBootstrap.iterations).toBe(300);
  });

  it('with one class: AUC null with a warning, undefined values NaN in JS and null in JSON', () => {
    const m = binaryMetrics({ labels: ['normal', 'normal', 'normal'], scores: [0.2, 0.7, 0.1], positiveLabel: 'covid', negativeLabel: 'normal' });
    expect(m.auc).toBeNull();
    expect(m.averagePrecision).toBeNull();
    expect(m.warnings).toContain("AUC needs both classes; only 'normal' present");
    expect(m.sensitivity.value).toBeNaN();
    expect(m.specificity.value).toBeCloseTo(2 / 3, 15);
    const json = JSON.parse(JSON.stringify(m));
    expect(json.sensitivity).toEqual({ value: null, lower: null, upper: null });
    expect(json.auc).toBeNull();
    expect(json.roc.thresholds[0]).toBeNull(); // Infinity
  });

  it('warns about a precision that is undefined at the threshold', () => {
    const m = binaryMetrics({ labels, scores, positiveLabel: 'covid', threshold: 0.95 });
    expect(m.precision.value).toBeNaN();
    expect(m.mcc).toBeNaN();
    expect(m.warnings).toContain("precision (PPV) is undefined: no sample predicted 'covid' at threshold 0.95");
  });

  it('rejects a third class and labels outside the declared pair', () => {
    expect(() => binaryMetrics({ labels: ['covid', 'normal', 'pneumonia'], scores: [0.1, 0.2, 0.3], positiveLabel: 'covid' })).toThrow(
      UnknownLabelError,
    );
    expect(() =>
      binaryMetrics({ labels: ['covid', 'Normal'], scores: [0.1, 0.2], positiveLabel: 'covid', negativeLabel: 'normal', source: 'p.csv' }),
    ).toThrow('Unknown label "Normal" at index 1 in p.csv: expected the positive label "covid" or the negative label "normal"');
    expect(() => binaryMetrics({ labels, scores, positiveLabel: 'covid', threshold: NaN })).toThrow(InvalidOptionError);
  });
});
