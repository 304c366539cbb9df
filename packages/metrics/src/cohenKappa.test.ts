import { balancedAccuracy } from './balancedAccuracy';
import { cohenKappa } from './cohenKappa';

/** Expands a 2x2 agreement table into two label lists. */
function table(yy: number, yn: number, ny: number, nn: number): [string[], string[]] {
  const a: string[] = [];
  const b: string[] = [];
  const add = (count: number, x: string, y: string): void => {
    for (let i = 0; i < count; i++) {
      a.push(x);
      b.push(y);
    }
  };
  add(yy, 'yes', 'yes');
  add(yn, 'yes', 'no');
  add(ny, 'no', 'yes');
  add(nn, 'no', 'no');
  return [a, b];
}

describe('cohenKappa', () => {
  it("matches the worked examples of Wikipedia's Cohen's kappa article", () => {
    // 50 applications: po = 0.7, pe = 0.5, kappa = 0.4.
    expect(cohenKappa(...table(20, 5, 10, 15), { labels: ['yes', 'no'] })).toBeCloseTo(0.4, 12);
    // 100 items: po = 0.60, pe = 0.54, kappa = 0.06 / 0.46 = 0.1304.
    expect(cohenKappa(...table(45, 15, 25, 15), { labels: ['yes', 'no'] })).toBeCloseTo(0.06 / 0.46, 12);
  });

  it('is 1 for perfect agreement, and undefined when both put everything in one class', () => {
    expect(cohenKappa(['a', 'b', 'c'], ['a', 'b', 'c'], { labels: ['a', 'b', 'c'] })).toBe(1);
    expect(cohenKappa(['a', 'a'], ['a', 'a'], { labels: ['a', 'b'] })).toBeNaN();
  });
});

describe('balancedAccuracy', () => {
  it("matches scikit-learn's documented example (0.625)", () => {
    expect(balancedAccuracy(['0', '1', '0', '0', '1', '0'], ['0', '1', '0', '0', '0', '1'], { labels: ['0', '1'] })).toBe(0.625);
  });

  it('leaves a class without samples out of the mean', () => {
    // recalls: a 1/2, b 1/1; c absent.
    expect(balancedAccuracy(['a', 'a', 'b'], ['a', 'c', 'b'], { labels: ['a', 'b', 'c'] })).toBe(0.75);
  });
});
