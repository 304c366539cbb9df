import { ConfoundedDesignError } from '../errors';
import { parseManifest } from '../build/readManifest';
import { assertNotConfounded, auditDataDesign, formatDataDesignAudit } from './auditDataDesign';

const rows = (label: string, source: string, n: number) => Array.from({ length: n }, () => ({ label, source }));

describe('auditDataDesign', () => {
  it("flags the notebook recipe's normals (99 of 110 from NIH, which has no covid) and not its covid images", () => {
    // counts of ../shared/data/README.md: covid 163 covid-chestxray; normal 11 covid-chestxray + 99 nih-cxr14
    const audit = auditDataDesign([...rows('covid', 'covid-chestxray', 163), ...rows('normal', 'covid-chestxray', 11), ...rows('normal', 'nih-cxr14', 99)]);
    expect(audit.confounded).toBe(true);
    const normal = audit.perClass.find((c) => c.label === 'normal')!;
    expect(normal).toMatchObject({ n: 110, exclusiveSources: ['nih-cxr14'], exclusiveCount: 99, confounded: true, bySource: { 'covid-chestxray': 11, 'nih-cxr14': 99 } });
    expect(normal.exclusiveShare).toBeCloseTo(0.9, 12);
    expect(audit.perClass.find((c) => c.label === 'covid')).toMatchObject({ exclusiveShare: 0, confounded: false });
    expect(audit.findings).toEqual(['normal: 90% (99 of 110) from nih-cxr14, which has no other class']);
    const text = formatDataDesignAudit(audit);
    expect(text).toMatch(/normal\s+11\s+99\s+110\s+90% CONFOUNDED/);
    expect(text).toMatch(/Why it matters/);
    expect(text).toMatch(/What to do: add images of the other classes from the same sources/);
    expect(() => assertNotConfounded(audit, 'data/manifest.csv')).toThrow(ConfoundedDesignError);
    expect(() => assertNotConfounded(audit, 'data/manifest.csv')).toThrow(/^data\/manifest.csv: CONFOUNDED: normal: 90%/);
  });

  it('flags a class entirely from its own source and counts the threshold inclusively', () => {
    const design = [...rows('covid', 'a', 8), ...rows('covid', 'b', 2), ...rows('normal', 'b', 10)];
    const audit = auditDataDesign(design); // covid: 8 of 10 from a (no normals there) = 80% -> at the threshold
    expect(audit.perClass[0]).toMatchObject({ label: 'covid', exclusiveSources: ['a'], exclusiveCount: 8, confounded: true });
    expect(auditDataDesign(design, { threshold: 0.81 }).confounded).toBe(false);
  });

  it('passes a design where every source gives every class', () => {
    const audit = auditDataDesign([...rows('covid', 'a', 30), ...rows('normal', 'a', 5), ...rows('covid', 'b', 1), ...rows('normal', 'b', 40)]);
    expect(audit.confounded).toBe(false);
    expect(audit.perClass.map((c) => c.exclusiveShare)).toEqual([0, 0]);
    expect(formatDataDesignAudit(audit)).toMatch(/No class comes 80% or more/);
    expect(() => assertNotConfounded(audit)).not.toThrow();
  });

  it('reads a manifest (three classes) and refuses a bad threshold', () => {
    const sha = 'a'.repeat(64);
    const text = ['path,label,source,patientId,view,sex,age,originalPath,sha256',
      `p/1.png,covid,covid-chestxray,1,PA,M,50,x,${sha}`, `p/2.png,pneumonia,covid-chestxray,2,PA,F,,x,${sha}`,
      `p/3.png,normal,nih-cxr14,3,PA,,,x,${sha}`, `p/4.png,normal,nih-cxr14,4,PA,,,x,${sha}`].join('\n');
    const audit = auditDataDesign(parseManifest(text));
    expect(audit.classes).toEqual(['covid', 'pneumonia', 'normal']);
    expect(audit.perClass.map((c) => c.confounded)).toEqual([false, false, true]);
    expect(() => auditDataDesign([], { threshold: 0 })).toThrow(RangeError);
  });
});
