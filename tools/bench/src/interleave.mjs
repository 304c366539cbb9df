import { median } from './median.mjs';

/**
 * Runs each async runner once to warm up (the first run allocates and plans), then interleaves them until each has
 * run at least 4 times and `seconds` have passed: A B, then B A, so neither always goes first (right after the
 * other's thread pool was busy). Returns images/s for `n` images a run: median, best and run count per runner.
 */
export async function interleave(runners, n, seconds) {
  for (const r of runners) await r();
  const rates = runners.map(() => []);
  const started = performance.now();
  let round = 0;
  while (rates[0].length < 4 || performance.now() - started < seconds * 1000) {
    const order = runners.map((_, i) => i);
    if (round++ % 2 === 1) order.reverse();
    for (const i of order) {
      const t0 = performance.now();
      await runners[i]();
      rates[i].push(n / ((performance.now() - t0) / 1000));
    }
  }
  return rates.map((r) => ({ median: median(r), best: Math.max(...r), runs: r.length }));
}
