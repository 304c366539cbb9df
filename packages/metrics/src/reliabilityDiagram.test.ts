import { EmptyInputError, InvalidOptionError, InvalidScoreError } from './errors';
import { reliabilityDiagram } from './reliabilityDiagram';

describe('reliabilityDiagram', () => {
  it('matches a hand computation (5 bins)', () => {
    // bin [0.8,1]: 0.9 (pos), 0.85 (neg) -> mean 0.875, rate 0.5, gap 0.375
    // bin [0.2,0.4): 0.2 (neg), 0.3 (pos) -> mean 0.25, rate 0.5, gap 0.25
    // bin [0,0.2): 0.1 (neg) -> gap 0.1
    // ECE = 2/5*0.375 + 2/5*0.25 + 1/5*0.1 = 0.15 + 0.1 + 0.02 = 0.27
    const labels = ['c', 'n', 'n', 'c', 'n'];
    const p = [0.9, 0.85, 0.2, 0.3, 0.1];
    const r = reliabilityDiagram(labels, p, 'c', { bins: 5 });
    expect(r.ece).toBeCloseTo(0.27, 12);
    expect(r.mce).toBeCloseTo(0.375, 12);
    expect(r.bins.map((b) => b.count)).toEqual([1, 2, 0, 0, 2]);
    expect(r.bins[4]).toMatchObject({ lower: 0.8, upper: 1 });
    expect(r.bins[4].meanPredicted).toBeCloseTo(0.875, 12);
    expect(r.bins[2].observedRate).toBeNaN();
  });

  it('is near 0 for probabilities that come true at their stated rate, and large for overconfident ones', () => {
    // 10 images at 0.1 of which 1 positive, 10 at 0.7 of which 7 positive: exactly calibrated
    const labels = [...Array(10)].map((_, i) => (i < 1 ? 'c' : 'n')).concat([...Array(10)].map((_, i) => (i < 7 ? 'c' : 'n')));
    const p = [...Array(10).fill(0.1), ...Array(10).fill(0.7)];
    expect(reliabilityDiagram(labels, p, 'c').ece).toBeCloseTo(0, 12);
    const over = p.map((x) => (x > 0.5 ? 0.99 : 0.01));
    expect(reliabilityDiagram(labels, over, 'c').ece).toBeCloseTo((10 * 0.09 + 10 * 0.29) / 20, 12);
  });

  it('puts 1.0 in the last bin and refuses bad input', () => {
    expect(reliabilityDiagram(['c'], [1], 'c', { bins: 4 }).bins[3].count).toBe(1);
    expect(() => reliabilityDiagram([], [], 'c')).toThrow(EmptyInputError);
    expect(() => reliabilityDiagram(['c'], [1.5], 'c')).toThrow(InvalidScoreError);
    expect(() => reliabilityDiagram(['c'], [0.5], 'c', { bins: 0 })).toThrow(InvalidOptionError);
  });
});
