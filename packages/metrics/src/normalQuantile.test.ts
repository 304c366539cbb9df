import { InvalidOptionError } from './errors';
import { normalQuantile } from './normalQuantile';

describe('normalQuantile', () => {
  // Reference values: standard normal table / Python's statistics.NormalDist().inv_cdf.
  it.each([
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489],
    [0.95, 1.6448536269514715],
    [0.5, 0],
    [0.001, -3.090232306167813],
    [0.02, -2.0537489106318225],
  ])('quantile(%f) = %f', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 8);
  });

  it('is antisymmetric', () => {
    expect(normalQuantile(0.01)).toBeCloseTo(-normalQuantile(0.99), 12);
  });

  it('rejects probabilities outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow(InvalidOptionError);
    expect(() => normalQuantile(1)).toThrow(InvalidOptionError);
    expect(() => normalQuantile(NaN)).toThrow(InvalidOptionError);
  });
});
