import { ProbeInputError } from '../errors';
import { createRng } from '@cxr/metrics';
import { globalAveragePool } from './globalAveragePool';
import { groupBootstrapAuc } from './groupBootstrapAuc';
import { groupedFolds } from './groupedFolds';
import { fitLogisticRegression } from './logisticRegression';
import { sourceProbe } from './sourceProbe';

/** Standard normal draws (Box-Muller) from the seeded generator. */
function gaussian(rng: ReturnType<typeof createRng>): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Patients of two sources, 1-3 images each, `dims` noise features; `shift` added to feature 0 for source b. */
function synthetic(opts: { patients: number; dims: number; shift: number; seed: number }) {
  const rng = createRng(opts.seed);
  const features: Float32Array[] = [];
  const sources: string[] = [];
  const groups: string[] = [];
  for (let p = 0; p < opts.patients; p++) {
    const source = p % 2 === 0 ? 'a' : 'b';
    const images = 1 + (p % 3);
    for (let k = 0; k < images; k++) {
      const f = Float32Array.from({ length: opts.dims }, () => gaussian(rng));
      if (source === 'b') f[0] += opts.shift;
      features.push(f);
      sources.push(source);
      groups.push(`p${p}`);
    }
  }
  return { features, sources, groups };
}

describe('sourceProbe', () => {
  it('finds a planted source offset: AUC near 1, interval above the 0.8 alarm', () => {
    const data = synthetic({ patients: 60, dims: 32, shift: 4, seed: 1 });
    const r = sourceProbe({ ...data, folds: 5, seed: 0 });
    // A 4-sigma shift on one feature: the best possible AUC is Phi(4 / sqrt(2)) = 0.9977.
    expect(r.auc).toBeGreaterThan(0.95);
    expect(r.ci.lower).toBeGreaterThan(0.8);
    expect(r.ci.lower).toBeLessThanOrEqual(r.auc);
    expect(r.ci.upper).toBeGreaterThanOrEqual(r.auc);
    expect(r.folds).toHaveLength(5);
    expect(r.folds.reduce((a, f) => a + f.n, 0)).toBe(data.features.length);
    expect(r.n).toBe(data.features.length);
  });

  it('reports chance on pure noise: AUC near 0.5 and an interval containing 0.5', () => {
    const data = synthetic({ patients: 80, dims: 32, shift: 0, seed: 2 });
    const r = sourceProbe({ ...data, folds: 5, seed: 0 });
    expect(Math.abs(r.auc - 0.5)).toBeLessThan(0.15);
    expect(r.ci.lower).toBeLessThan(0.5);
    expect(r.ci.upper).toBeGreaterThan(0.5);
  });

  it('keeps a patient in one fold, so a per-patient fingerprint does not leak the source', () => {
    // Each patient has a fingerprint (random vector) shared by its images; the source is unrelated to the
    // features. Image-level folds put a patient in train and test and memorise it; patient folds cannot.
    const rng = createRng(3);
    const features: Float32Array[] = [];
    const sources: string[] = [];
    const groups: string[] = [];
    for (let p = 0; p < 40; p++) {
      const print = Array.from({ length: 64 }, () => 3 * gaussian(rng));
      const source = rng.next() < 0.5 ? 'a' : 'b';
      for (let k = 0; k < 4; k++) {
        features.push(Float32Array.from(print, (v) => v + 0.3 * gaussian(rng)));
        sources.push(source);
        groups.push(`p${p}`);
      }
    }
    const grouped = sourceProbe({ features, sources, groups, folds: 5, seed: 0, l2: 0.01 });
    const leaky = sourceProbe({ features, sources, folds: 5, seed: 0, l2: 0.01 });
    expect(leaky.auc).toBeGreaterThan(0.9);
    expect(grouped.auc).toBeLessThan(0.75);
    for (let i = 0; i < features.length; i++) expect(grouped.foldOf[i]).toBe(grouped.foldOf[i - (i % 4)]);
  });

  it('defaults the positive source to the rarer one and accepts one-vs-rest with three sources', () => {
    const data = synthetic({ patients: 30, dims: 8, shift: 3, seed: 4 });
    const sources = data.sources.map((s, i) => (s === 'b' && i % 3 === 0 ? 'a' : s));
    const counts = ['a', 'b'].map((x) => sources.filter((s) => s === x).length);
    expect(counts[0]).toBeGreaterThan(counts[1]);
    expect(sourceProbe({ ...data, sources, seed: 1 }).positiveSource).toBe('b');
    const three = data.sources.map((s, i) => (i % 5 === 0 ? 'c' : s));
    expect(() => sourceProbe({ ...data, sources: three })).toThrow(/positiveSource/);
    expect(sourceProbe({ ...data, sources: three, positiveSource: 'b' }).negativeSource).toBe('rest');
  });

  it('refuses one source, a source with one patient and mismatched lengths with ProbeInputError', () => {
    const data = synthetic({ patients: 10, dims: 4, shift: 0, seed: 5 });
    expect(() => sourceProbe({ ...data, sources: data.sources.map(() => 'a') })).toThrow(ProbeInputError);
    const lonely = data.sources.map((s, i) => (data.groups[i] === 'p0' ? 'z' : 'a'));
    expect(() => sourceProbe({ ...data, sources: lonely })).toThrow(/z has 1/);
    expect(() => sourceProbe({ ...data, sources: data.sources.slice(1) })).toThrow(/sources/);
    const bad = data.features.map((f) => f.slice());
    bad[3][1] = NaN;
    expect(() => sourceProbe({ ...data, features: bad })).toThrow(/not finite/);
  });
});

describe('fitLogisticRegression', () => {
  it('matches the hand-derived optimum of a symmetric one-feature problem', () => {
    // x = -1 (class 0), +1 (class 1): standardised they stay -1, +1; by symmetry b = 0 and the loss is
    // log(1 + e^-w) + l2 / 2 w^2, whose minimum solves w = 1 / (1 + e^w) for l2 = 1. Solve by bisection.
    let lo = 0;
    let hi = 1;
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (mid - 1 / (1 + Math.exp(mid)) > 0) hi = mid;
      else lo = mid;
    }
    const m = fitLogisticRegression([[-1], [1]], [0, 1], { l2: 1, iterations: 2000 });
    expect(m.weights[0]).toBeCloseTo(lo, 4); // 0.40
    expect(m.bias).toBeCloseTo(0, 6);
    expect(m.decision([1])).toBeCloseTo(lo, 4);
  });

  it('refuses a single class', () => {
    expect(() => fitLogisticRegression([[1], [2]], [1, 1])).toThrow(ProbeInputError);
  });
});

describe('groupedFolds', () => {
  it('keeps groups whole and spreads each stratum over the folds', () => {
    const strata = ['x', 'x', 'x', 'x', 'y', 'y', 'y', 'y'];
    const groups = ['g1', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g6'];
    const f = groupedFolds(strata, groups, 2, 7);
    expect(f[0]).toBe(f[1]);
    expect(f[6]).toBe(f[7]);
    // x: g1 (2 images) in one fold, g2 and g3 in the other -> 2 and 2; same for y.
    for (const s of ['x', 'y']) {
      const counts = [0, 1].map((k) => strata.filter((v, i) => v === s && f[i] === k).length);
      expect(counts).toEqual([2, 2]);
    }
    expect(() => groupedFolds(strata, groups, 7, 0)).toThrow(/2\.\.6/);
  });
});

describe('groupBootstrapAuc', () => {
  it('gives the hand-computed AUC and a wider interval when images of a patient are duplicates', () => {
    // positives 0.9, 0.3; negatives 0.2, 0.4: pairs won 2 + 1 of 4 -> 0.75
    expect(groupBootstrapAuc([1, 0, 1, 0], [0.9, 0.2, 0.3, 0.4], ['a', 'b', 'c', 'd']).value).toBeCloseTo(0.75, 12);
    const rng = createRng(9);
    const y: number[] = [];
    const s: number[] = [];
    for (let p = 0; p < 30; p++) {
      const label = p % 2;
      const score = 0.5 + 0.15 * label + 0.2 * gaussian(rng);
      for (let k = 0; k < 5; k++) {
        y.push(label);
        s.push(score);
      }
    }
    const patients = y.map((_, i) => `p${Math.floor(i / 5)}`);
    const byPatient = groupBootstrapAuc(y, s, patients);
    const byImage = groupBootstrapAuc(y, s, y.map((_, i) => `i${i}`));
    expect(byPatient.value).toBeCloseTo(byImage.value, 12);
    // Five copies per patient: treating them as independent shrinks the width by about sqrt(5).
    expect(byPatient.upper - byPatient.lower).toBeGreaterThan(1.6 * (byImage.upper - byImage.lower));
  });
});

describe('globalAveragePool', () => {
  it('averages each channel over the HxW cells', () => {
    expect(Array.from(globalAveragePool(new Float32Array([1, 10, 3, 30, 5, 50, 7, 70]), [2, 2, 2]))).toEqual([4, 40]);
    expect(() => globalAveragePool(new Float32Array(3), [1, 2, 2])).toThrow(/expected 1x2x2/);
  });
});
