import { planHoldOuts, type PlanRecord } from './planHoldOuts';

const rec = (source: string, label: string, n: number): PlanRecord[] => Array.from({ length: n }, (_, i) => ({ source, label, patientId: `${source}-${label}-${i}` }));

describe('planHoldOuts', () => {
  it('holds out a normal-only source whole and the covid source by its normals only (the shared data layout)', () => {
    const { plans, skipped } = planHoldOuts([...rec('covid-chestxray', 'covid', 163), ...rec('covid-chestxray', 'normal', 11), ...rec('nih-cxr14', 'normal', 99)], 'covid', 'normal');
    expect(plans.map((p) => [p.kind, p.source])).toEqual([
      ['normals', 'covid-chestxray'],
      ['source', 'nih-cxr14'],
    ]);
    expect(plans[0].reason).toMatch(/provides every covid image.*11 normal images are held out/);
    expect(plans[1].reason).toMatch(/only normal images \(99\).*unseen hospital/);
    expect(skipped).toEqual([]);
  });

  it('holds out every source whole when each of the others still has both classes', () => {
    const { plans } = planHoldOuts([...rec('a', 'covid', 3), ...rec('a', 'normal', 3), ...rec('b', 'covid', 2), ...rec('b', 'normal', 2), ...rec('c', 'normal', 4)], 'covid', 'normal');
    expect(plans.map((p) => `${p.kind}:${p.source}`)).toEqual(['source:a', 'source:b', 'source:c']);
  });

  it('skips a covid-only source that holds every covid image, and a single-source dataset', () => {
    const two = planHoldOuts([...rec('a', 'covid', 3), ...rec('b', 'normal', 3)], 'covid', 'normal');
    expect(two.plans.map((p) => `${p.kind}:${p.source}`)).toEqual([]);
    expect(two.skipped.map((s) => s.source)).toEqual(['a', 'b']);
    expect(two.skipped[0].reason).toMatch(/provides every covid image and has no normal images/);
    expect(two.skipped[1].reason).toMatch(/no normal images are left/);
    const one = planHoldOuts(rec('a', 'covid', 2), 'covid', 'normal');
    expect(one.skipped[0].reason).toMatch(/only one source/);
  });
});
