import { bootstrapAuc } from './bootstrapAuc';
import { createRng } from './createRng';
import { InvalidOptionError } from './errors';
import { pairwiseAuc, randomScores } from './__fixtures__/randomScores';

/** The textbook stratified bootstrap, written naively: resample indices, brute-force AUC, sort, interpolate. */
function naiveBootstrap(labels: string[], scores: number[], iterations: number, seed: number, level: number) {
  const pos = labels.flatMap((l, i) => (l === 'covid' ? [i] : []));
  const neg = labels.flatMap((l, i) => (l === 'covid' ? [] : [i]));
  const rng = createRng(seed);
  const aucs: number[] = [];
  for (let b = 0; b < iterations; b++) {
    const idx = [
      ...pos.map(() => pos[Math.floor(rng.next() * pos.length)]),
      ...neg.map(() => neg[Math.floor(rng.next() * neg.length)]),
    ];
    aucs.push(pairwiseAuc(idx.map((i) => labels[i]), idx.map((i) => scores[i]), 'covid'));
  }
  aucs.sort((a, b) => a - b);
  const q = (p: number) => {
    const h = (aucs.length - 1) * p;
    const lo = Math.floor(h);
    return aucs[lo] + (h - lo) * ((aucs[lo + 1] ?? aucs[lo]) - aucs[lo]);
  };
  return [q((1 - level) / 2), q((1 + level) / 2)];
}

describe('bootstrapAuc', () => {
  const { labels, scores } = randomScores(80, 11);

  it('equals a naive stratified percentile bootstrap driven by the same seeded draws', () => {
    const result = bootstrapAuc(labels, scores, 'covid', { iterations: 200, seed: 5 });
    const [lower, upper] = naiveBootstrap(labels, scores, 200, 5, 0.95);
    expect(result.lower).toBeCloseTo(lower, 12);
    expect(result.upper).toBeCloseTo(upper, 12);
    expect(result.value).toBeCloseTo(pairwiseAuc(labels, scores, 'covid'), 12);
    expect(result.lower).toBeLessThan(result.value);
    expect(result.upper).toBeGreaterThan(result.value);
    expect(result).toMatchObject({ iterations: 200, seed: 5, level: 0.95, method: 'stratified percentile bootstrap' });
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const a = bootstrapAuc(labels, scores, 'covid', { iterations: 300, seed: 1 });
    const b = bootstrapAuc(labels, scores, 'covid', { iterations: 300, seed: 1 });
    const c = bootstrapAuc(labels, scores, 'covid', { iterations: 300, seed: 2 });
    expect(b).toEqual(a);
    expect(c.lower).not.toBe(a.lower);
  });

  it('has roughly the Hanley-McNeil width on a larger sample', () => {
    // Hanley & McNeil (1982) standard error: Q1 = A/(2-A), Q2 = 2A^2/(1+A).
    const big = randomScores(400, 3);
    const r = bootstrapAuc(big.labels, big.scores, 'covid', { iterations: 1000, seed: 9 });
    const A = r.value;
    const n1 = big.labels.filter((l) => l === 'covid').length;
    const n0 = big.labels.length - n1;
    const q1 = A / (2 - A);
    const q2 = (2 * A * A) / (1 + A);
    const se = Math.sqrt((A * (1 - A) + (n1 - 1) * (q1 - A * A) + (n0 - 1) * (q2 - A * A)) / (n1 * n0));
    const width = r.upper - r.lower;
    expect(width / (2 * 1.96 * se)).toBeGreaterThan(0.8);
    expect(width / (2 * 1.96 * se)).toBeLessThan(1.25);
  });

  it('gives [1, 1] for perfectly separated classes', () => {
    const r = bootstrapAuc(['n', 'n', 'c', 'c'], [0.1, 0.2, 0.8, 0.9], 'c', { iterations: 50 });
    expect([r.value, r.lower, r.upper]).toEqual([1, 1, 1]);
  });

  it('is NaN with one class and rejects bad settings', () => {
    const r = bootstrapAuc(['n', 'n'], [0.1, 0.2], 'c');
    expect(r.value).toBeNaN();
    expect(r.lower).toBeNaN();
    expect(() => bootstrapAuc(labels, scores, 'covid', { iterations: 0 })).toThrow(InvalidOptionError);
    expect(() => bootstrapAuc(labels, scores, 'covid', { level: 1.5 })).toThrow(/confidenceLevel/);
  });
});
