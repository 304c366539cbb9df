import { createRng } from '@cxr/metrics';
import { auditFeatureSources } from './auditFeatureSources';

function gaussian(rng: ReturnType<typeof createRng>): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** normals from sources a and b (shift on feature 0 for b when planted), covid from a only. */
function design(shift: number, seed: number) {
  const rng = createRng(seed);
  const features: Float32Array[] = [];
  const labels: string[] = [];
  const sources: string[] = [];
  const groups: string[] = [];
  const add = (label: string, source: string, p: number) => {
    const f = Float32Array.from({ length: 8 }, () => gaussian(rng));
    if (source === 'b') f[0] += shift;
    features.push(f);
    labels.push(label);
    sources.push(source);
    groups.push(`${source}-${label}-${p}`);
  };
  for (let p = 0; p < 30; p++) add('normal', p % 2 ? 'a' : 'b', p);
  for (let p = 0; p < 20; p++) add('covid', 'a', p);
  return { features, labels, sources, groups };
}

describe('auditFeatureSources', () => {
  it('raises the alarm when same-class images carry their source, and says which class it cannot probe', () => {
    const a = auditFeatureSources({ ...design(4, 1), bootstrapIterations: 200 });
    expect(a.alarm).toBe(true);
    expect(a.probes).toHaveLength(1);
    expect(a.probes[0]).toMatchObject({ label: 'normal', nPositive: 15, nNegative: 15, alarm: true });
    expect(a.probes[0].auc).toBeGreaterThan(0.9);
    expect(a.notProbed).toEqual([{ label: 'covid', reason: 'every covid image is from a' }]);
  });

  it('stays quiet on the same design without a planted source signal', () => {
    const a = auditFeatureSources({ ...design(0, 2), bootstrapIterations: 200 });
    expect(a.alarm).toBe(false);
    expect(a.probes[0].auc).toBeLessThan(0.8);
  });
});
