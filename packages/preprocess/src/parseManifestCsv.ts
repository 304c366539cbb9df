import { CsvFormatError } from './errors';
import { parseCsvRecords } from './parseCsv';
import type { ImageRecord } from './splitByPatient';

/**
 * Parses the dataset's `manifest.csv` (columns `path,label,source,patientId,view,sex,age,originalPath,sha256`;
 * only `path` and `label` are required) into records. Empty cells become `undefined`, `age` a number.
 */
export function parseManifestCsv(text: string, file = 'manifest.csv'): ImageRecord[] {
  return parseCsvRecords(text, file, ['path', 'label']).map((row, i) => {
    if (row.path === '' || row.label === '') throw new CsvFormatError(file, null, `row ${i + 2}: empty path or label`);
    const rec: ImageRecord = { path: row.path, label: row.label };
    for (const [k, v] of Object.entries(row)) {
      if (k === 'path' || k === 'label' || v === '') continue;
      rec[k] = k === 'age' && Number.isFinite(Number(v)) ? Number(v) : v;
    }
    return rec;
  });
}
