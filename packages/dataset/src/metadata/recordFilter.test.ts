import { createRecordFilter } from './recordFilter';
import type { SourceRecord } from './sourceRecord';

const base: SourceRecord = {
  imagePath: '/x.png',
  finding: 'COVID-19',
  labels: ['COVID-19'],
  patientId: '1',
  view: 'PA',
  sex: 'M',
  age: 40,
  modality: 'X-ray',
  source: 'covid-chestxray',
  originalPath: 'x.png',
  row: 2,
};
const rec = (o: Partial<SourceRecord>): SourceRecord => ({ ...base, ...o });

describe('createRecordFilter', () => {
  it('runs the steps in order and counts what each keeps (hand-counted)', () => {
    const f = createRecordFilter({ finding: 'COVID-19', modality: 'X-ray', views: ['PA'], minAge: 18, sex: 'M' });
    const records = [
      rec({}), // kept
      rec({ labels: ['Pneumonia/Viral/COVID-19'], age: null }), // kept: unknown age passes by default
      rec({ labels: ['No Finding'] }), // dropped at finding
      rec({ modality: 'CT' }), // dropped at modality
      rec({ view: 'AP Supine' }), // dropped at view
      rec({ age: 12 }), // dropped at age
      rec({ sex: null }), // dropped at sex
      rec({ view: 'pa', sex: 'M' }), // kept: views compare case-insensitively
    ];
    expect(records.map((r) => f.test(r))).toEqual([null, null, 'finding', 'modality', 'view', 'age', 'sex', null]);
    expect(f.read).toBe(8);
    expect(f.steps()).toEqual([
      { step: 'finding', condition: 'finding COVID-19', kept: 7 },
      { step: 'modality', condition: 'modality X-ray', kept: 6 },
      { step: 'view', condition: 'view PA', kept: 5 },
      { step: 'age', condition: 'age >= 18 (unknown kept)', kept: 4 },
      { step: 'sex', condition: 'sex M', kept: 3 },
    ]);
  });

  it('drops unknown ages when asked, and bounds both ends of the range inclusively', () => {
    const f = createRecordFilter({ minAge: 18, maxAge: 65, keepUnknownAge: false });
    expect([null, 17.9, 18, 65, 65.5].map((age) => f.test(rec({ age })))).toEqual(['age', 'age', null, null, 'age']);
  });

  it('an empty filter keeps everything and has no steps', () => {
    const f = createRecordFilter({});
    expect(f.test(rec({ labels: [] }))).toBeNull();
    expect(f.steps()).toEqual([]);
  });

  it('keeps every other finding with excludeFinding (hierarchy-aware, any label excludes) and limits sources', () => {
    const f = createRecordFilter({ sources: ['covid-chestxray'], excludeFinding: ['COVID-19', 'No Finding', 'todo'] });
    const records = [
      rec({ labels: ['Pneumocystis'] }), // kept
      rec({ labels: ['Pneumonia/Viral/SARS'] }), // kept
      rec({ labels: ['COVID-19', 'ARDS'] }), // dropped: one label is COVID-19
      rec({ labels: ['Pneumonia/Viral/COVID-19'] }), // dropped: hierarchy contains COVID-19
      rec({ labels: ['todo'] }), // dropped
      rec({ labels: ['Pneumonia'], source: 'nih-cxr14' }), // dropped at source
    ];
    expect(records.map((r) => f.test(r))).toEqual([null, null, 'finding', 'finding', 'finding', 'source']);
    expect(f.steps()).toEqual([
      { step: 'source', condition: 'source covid-chestxray', kept: 5 },
      { step: 'finding', condition: 'any finding, not COVID-19, No Finding, todo', kept: 2 },
    ]);
  });
});
