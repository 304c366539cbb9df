import { ageBand, createRecordCounter } from './countRecords';
import type { SourceRecord } from './sourceRecord';

const rec = (o: Partial<SourceRecord>): SourceRecord => ({
  imagePath: '/x',
  finding: '',
  labels: [],
  patientId: '1',
  view: '',
  sex: null,
  age: null,
  modality: 'X-ray',
  source: 'nih-cxr14',
  originalPath: 'x',
  row: 2,
  ...o,
});

describe('record counts', () => {
  it('age bands: boundaries belong to the upper band', () => {
    expect([null, 0, 17.99, 18, 39.5, 40, 59, 60, 79.9, 80, 120].map(ageBand)).toEqual([
      'unknown', '<18', '<18', '18-39', '18-39', '40-59', '40-59', '60-79', '60-79', '80+', '80+',
    ]);
  });
  it('counts each label once per record, blanks as (none), sorted by count (hand-counted)', () => {
    const c = createRecordCounter();
    c.add(rec({ labels: ['Effusion', 'Cardiomegaly'], view: 'PA', sex: 'M', age: 50 }));
    c.add(rec({ labels: ['Effusion', 'Effusion'], view: 'AP', sex: 'F', age: 17 }));
    c.add(rec({ labels: [], view: 'PA', modality: '' }));
    expect(c.counts()).toEqual({
      records: 3,
      byFinding: { Effusion: 2, '(none)': 1, Cardiomegaly: 1 },
      byView: { PA: 2, AP: 1 },
      bySex: { M: 1, F: 1, unknown: 1 },
      byAgeBand: { '<18': 1, '18-39': 0, '40-59': 1, '60-79': 0, '80+': 0, unknown: 1 },
      byModality: { 'X-ray': 2, '(none)': 1 },
    });
  });
});
