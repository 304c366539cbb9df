import { formatCsvField } from '../csv/formatCsvField';

/** The columns of `manifest.csv`, exactly and in this order. */
export const MANIFEST_COLUMNS = ['path', 'label', 'source', 'patientId', 'view', 'sex', 'age', 'originalPath', 'sha256', 'finding'] as const;

/**
 * The columns of manifests written before the `finding` column (builds until issue 14): still read, each record's
 * finding then `''`, so existing datasets keep working. `finding` was appended so that these are a prefix of
 * {@link MANIFEST_COLUMNS}.
 */
export const MANIFEST_COLUMNS_WITHOUT_FINDING = MANIFEST_COLUMNS.slice(0, -1);

/**
 * One image of a built dataset: a row of `manifest.csv`. A type alias rather than an interface so that it is an
 * `ImageRecord` too: `splitByPatient(await readManifest(file), ...)` and `batches` take manifest records as they are.
 */
export type ManifestRecord = {
  /** PNG path relative to the manifest's folder, `/`-separated: `covid/covid-chestxray_2_a.png`. */
  path: string;
  /** Class label (`covid`, `normal`); explicit, never implied by folder order. */
  label: string;
  /** Source kind the image came from (`covid-chestxray`, `nih-cxr14`, `rsna-pneumonia`, `folder`). */
  source: string;
  patientId: string;
  /** View position, empty when unknown. */
  view: string;
  sex: 'M' | 'F' | null;
  /** Age in years, `null` when unknown. */
  age: number | null;
  /** The image's path as the source metadata writes it. */
  originalPath: string;
  /** SHA-256 (lowercase hex) of the PNG file written. */
  sha256: string;
  /**
   * The finding as the source's metadata writes it: covid-chestxray's `finding` (`Pneumonia/Viral/COVID-19`),
   * NIH's `Finding Labels` (`No Finding`, `Cardiomegaly|Effusion`), RSNA's class; empty for class folders (their
   * folder is the label) and for manifests written before the column existed.
   */
  finding: string;
};

/** Formats one manifest row (no newline), CSV-quoted where needed (RFC 4180). */
export function formatManifestRow(r: ManifestRecord): string {
  return [r.path, r.label, r.source, r.patientId, r.view, r.sex ?? '', r.age === null ? '' : String(r.age), r.originalPath, r.sha256, r.finding]
    .map(formatCsvField)
    .join(',');
}

/**
 * Formats a whole `manifest.csv`: the header line, then one line per record, each ended by `\n`.
 *
 * @example formatManifest([]) // 'path,label,source,patientId,view,sex,age,originalPath,sha256,finding\n'
 */
export function formatManifest(records: Iterable<ManifestRecord>): string {
  let out = MANIFEST_COLUMNS.join(',') + '\n';
  for (const r of records) out += formatManifestRow(r) + '\n';
  return out;
}
