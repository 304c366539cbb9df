import { createRng } from './createRng';

describe('createRng', () => {
  it('is deterministic per seed and continues from a saved state', () => {
    const a = createRng(42);
    const b = createRng(42);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(createRng(43).next()).not.toBe(seqA[0]);
    const c = createRng(42);
    c.next();
    c.next();
    const resumed = createRng(0, c.state);
    expect([resumed.next(), resumed.next(), resumed.next()]).toEqual(seqA.slice(2));
  });

  it('is uniform on [0, 1): mean 1/2 and variance 1/12 within sampling error', () => {
    const r = createRng(1);
    const n = 100000;
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 2);
  });

  it('shuffles into a permutation, every position reachable', () => {
    const r = createRng(7);
    const firsts = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const p = r.shuffle([0, 1, 2, 3, 4]);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      firsts.add(p[0]);
    }
    expect(firsts.size).toBe(5);
  });
});
