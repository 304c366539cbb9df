import { TrainingInputError } from '../errors';
import { sourceBalancedWeights } from './sourceBalancedWeights';

describe('sourceBalancedWeights', () => {
  it('makes every source of a class weigh the same and keeps the class total (by hand)', () => {
    // class 0: 2 from source 0, 1 from source 1 -> 3 / (2 * 2) = 0.75 each, 3 / (2 * 1) = 1.5; class 1: one source -> 1
    const w = sourceBalancedWeights([0, 0, 0, 1], [0, 0, 1, 0]);
    expect(w).toEqual([0.75, 0.75, 1.5, 1]);
    // the class total is kept: 0.75 + 0.75 + 1.5 = 3 samples of class 0
    expect(w[0] + w[1] + w[2]).toBeCloseTo(3, 12);
    // 99 NIH normals and 11 covid-chestxray normals: each source then carries 55 of the 110
    const labels = Array.from({ length: 110 }, () => 1);
    const sources = labels.map((_, i) => (i < 11 ? 0 : 1));
    const nw = sourceBalancedWeights(labels, sources);
    expect(nw.slice(0, 11).reduce((a, b) => a + b, 0)).toBeCloseTo(55, 9);
    expect(nw.slice(11).reduce((a, b) => a + b, 0)).toBeCloseTo(55, 9);
  });

  it('refuses sources of another length', () => {
    expect(() => sourceBalancedWeights([0, 1], [0])).toThrow(TrainingInputError);
  });
});
