import { createRng } from './createRng';
import { EmptyInputError, InvalidOptionError, InvalidScoreError } from './errors';
import { applyTemperature, fitTemperature } from './temperatureScaling';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** n images whose true log-odds z ~ N(0, 2^2), labels drawn with P(positive) = sigmoid(z); the model reports sigmoid(scale * z). */
function simulate(n: number, scale: number, seed: number): { rows: number[][]; targets: number[] } {
  const rng = createRng(seed).next;
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const u1 = Math.max(1e-12, rng());
    const z = 2 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng());
    const y = rng() < sigmoid(z) ? 1 : 0;
    const p = sigmoid(scale * z);
    rows.push([1 - p, p]);
    targets.push(y);
  }
  return { rows, targets };
}

describe('applyTemperature', () => {
  it('matches hand values: T = 2 takes square roots of the odds', () => {
    const [a, b] = applyTemperature([0.9, 0.1], 2);
    expect(a).toBeCloseTo(3 / 4, 10); // sqrt(9) : sqrt(1) = 3 : 1
    expect(b).toBeCloseTo(1 / 4, 10);
    const r = applyTemperature([0.5, 0.3, 0.2], 0.5); // squares: 0.25 : 0.09 : 0.04
    expect(r[1]).toBeCloseTo(0.09 / 0.38, 10);
    expect(applyTemperature([0.8, 0.2], 1)[0]).toBeCloseTo(0.8, 10);
  });

  it('refuses a non-positive temperature', () => {
    expect(() => applyTemperature([0.5, 0.5], 0)).toThrow(InvalidOptionError);
  });
});

describe('fitTemperature', () => {
  it('recovers the overconfidence factor of a simulated model (reports sigmoid(3z), truth sigmoid(z): T ~ 3)', () => {
    const sim = simulate(2000, 3, 1);
    const fit = fitTemperature(sim.rows, sim.targets);
    expect(fit.temperature).toBeGreaterThan(2.6);
    expect(fit.temperature).toBeLessThan(3.4);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
  });

  it('leaves a calibrated model near T = 1 and sharpens an underconfident one (T ~ 0.5)', () => {
    const cal = simulate(2000, 1, 2);
    const t1 = fitTemperature(cal.rows, cal.targets).temperature;
    expect(t1).toBeGreaterThan(0.85);
    expect(t1).toBeLessThan(1.15);
    const under = simulate(2000, 0.5, 3);
    const t = fitTemperature(under.rows, under.targets).temperature;
    expect(t).toBeGreaterThan(0.43);
    expect(t).toBeLessThan(0.58);
  });

  it('finds the minimum of the NLL (checked against a brute-force grid)', () => {
    const rows = [[0.99, 0.01], [0.02, 0.98], [0.97, 0.03], [0.4, 0.6], [0.9, 0.1]];
    const targets = [0, 1, 1, 1, 0];
    const nll = (t: number): number => -rows.reduce((s, r, i) => s + Math.log(applyTemperature(r, t)[targets[i]]), 0) / rows.length;
    let best = 1;
    for (let t = 0.05; t < 20; t += 0.002) if (nll(t) < nll(best)) best = t;
    const fit = fitTemperature(rows, targets);
    expect(fit.temperature).toBeCloseTo(best, 2);
    expect(fit.nllAfter).toBeCloseTo(nll(best), 6);
  });

  it('refuses bad input', () => {
    expect(() => fitTemperature([], [])).toThrow(EmptyInputError);
    expect(() => fitTemperature([[0.5, 0.5]], [2])).toThrow(InvalidOptionError);
    expect(() => fitTemperature([[1.5, -0.5]], [0])).toThrow(InvalidScoreError);
  });
});
