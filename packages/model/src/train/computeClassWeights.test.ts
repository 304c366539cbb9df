import { TrainingInputError } from '../errors';
import { computeClassWeights } from './computeClassWeights';

describe('computeClassWeights', () => {
  it("matches scikit-learn compute_class_weight('balanced') = n / (k * n_c)", () => {
    // sklearn: compute_class_weight('balanced', classes=[0, 1], y=[0, 0, 0, 1]) -> [0.6667, 2.0]
    const w = computeClassWeights([0, 0, 0, 1], ['covid', 'normal'], 'balanced');
    expect(w[0]).toBeCloseTo(2 / 3, 12);
    expect(w[1]).toBe(2);
    // the notebook data: 163 covid, 110 normal
    const labels = [...Array(163).fill(0), ...Array(110).fill(1)];
    const [wc, wn] = computeClassWeights(labels, ['covid', 'normal'], 'balanced');
    expect(wc * 163).toBeCloseTo(wn * 110, 9); // each class carries the same total weight
    expect(wc).toBeCloseTo(273 / 326, 12);
  });

  it('takes explicit weights by class name, 1 for unnamed classes', () => {
    expect(computeClassWeights([0, 1], ['covid', 'normal'], { normal: 1.5 })).toEqual([1, 1.5]);
  });

  it('rejects unknown names, bad values and empty classes', () => {
    expect(() => computeClassWeights([0], ['covid', 'normal'], { Covid: 2 })).toThrow(/unknown class "Covid"/);
    expect(() => computeClassWeights([0], ['covid', 'normal'], { covid: -1 })).toThrow(TrainingInputError);
    expect(() => computeClassWeights([0, 0], ['covid', 'normal'], 'balanced')).toThrow(/class normal has no training samples/);
  });
});
