import { averagePrecision } from './averagePrecision';

describe('averagePrecision', () => {
  it('matches the scikit-learn average_precision_score documentation example (0.8333)', () => {
    // Decreasing thresholds: 0.8 (P=1, R=0.5), 0.4 (P=0.5, R=0.5), 0.35 (P=2/3, R=1), 0.1 (P=0.5, R=1).
    // AP = 0.5 * 1 + 0 * 0.5 + 0.5 * 2/3 + 0 * 0.5 = 0.83333
    expect(averagePrecision(['n', 'n', 'c', 'c'], [0.1, 0.4, 0.35, 0.8], 'c')).toBeCloseTo(5 / 6, 15);
  });

  it('uses the step definition with tied scores (hand computation, sklearn gives 0.588889)', () => {
    // Groups 0.9 (1c, 1n): P = 1/2; 0.6 (1c): P = 2/3; 0.4 (1c, 1n): P = 3/5; each adds recall 1/3.
    const ap = averagePrecision(['c', 'n', 'c', 'n', 'c', 'n'], [0.9, 0.9, 0.6, 0.4, 0.4, 0.1], 'c');
    expect(ap).toBeCloseTo((1 / 2 + 2 / 3 + 3 / 5) / 3, 15);
    expect(ap).toBeCloseTo(0.588889, 6);
  });

  it('is NaN without a positive sample, and 1 when every sample is positive', () => {
    expect(averagePrecision(['n', 'n'], [0.2, 0.9], 'c')).toBeNaN();
    expect(averagePrecision(['c', 'c'], [0.2, 0.9], 'c')).toBe(1);
  });
});
