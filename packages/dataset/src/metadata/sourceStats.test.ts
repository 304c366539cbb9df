import path from 'node:path';
import { sharedDataDir } from './__fixtures__/sharedDataDir';
import { sourceStats } from './sourceStats';

describe('sourceStats on the real covid-chestxray metadata', () => {
  it('counts by finding, view, sex and age band, and the No Finding X-rays: 19 rows, 14 present', async () => {
    const progress: number[] = [];
    const s = await sourceStats(
      { kind: 'covid-chestxray', dir: path.join(sharedDataDir, 'covid-chestxray') },
      { filter: { finding: 'No Finding', modality: 'X-ray' }, onProgress: (n) => progress.push(n), progressEvery: 300 },
    );
    expect(s.rowsRead).toBe(751);
    expect(progress).toEqual([300, 600, 751]);
    // Reference: Python csv over metadata.csv (finding, view and sex columns).
    expect(s.all.byView).toMatchObject({ PA: 314, 'AP Supine': 137, AP: 119, Axial: 68, L: 58, '(none)': 35, Coronal: 16, '?': 4 });
    expect(s.all.bySex).toEqual({ M: 429, F: 253, unknown: 69 });
    expect(s.all.byAgeBand.unknown).toBe(151);
    expect(Object.values(s.all.byAgeBand).reduce((a, b) => a + b, 0)).toBe(751);
    // 526 "COVID-19" + 12 "COVID-19, ARDS"; ARDS counted under its own label too (12 + 4 "ARDS").
    expect(s.all.byFinding['COVID-19']).toBe(538);
    expect(s.all.byFinding['ARDS']).toBe(16);
    expect(s.all.byFinding['No Finding']).toBe(23);
    expect(s.all.byModality).toEqual({ 'X-ray': 667, CT: 84 });
    expect(s.filtered).toMatchObject({ kept: 19, present: 14, missing: 5 });
    expect(s.filtered?.steps.map((x) => x.kept)).toEqual([23, 19]);
  });
});
