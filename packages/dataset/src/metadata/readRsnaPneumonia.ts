import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetConfigError, DatasetError } from '../errors';
import { findingLabels } from './matchesFinding';
import { normalizeModality, normalizeSex, parseAgeYears } from './normalizeFields';
import { readCsvRecords, requireColumns } from './readCsvRecords';
import { realPathInside, resolveInside } from './resolveInside';
import type { ReaderOptions, Sex, SourceRecord } from './sourceRecord';

/** What the reader needs from a DICOM header (a subset of `readDicomHeader`'s result). */
export interface RsnaDicomHeader {
  patientSex?: string | null;
  patientAge?: number | null;
  viewPosition?: string | null;
  modality?: string | null;
}

/** Options of {@link readRsnaPneumonia}. */
export interface RsnaPneumoniaOptions extends ReaderOptions {
  /** Folder of `<patientId>.dcm`; the first of `stage_2_train_images/`, `images/`, or `dir` that exists. */
  imageDir?: string;
  /**
   * Reads view, age and sex from a DICOM file when no `stage_2_train_images_dicom_headers.csv` row gives them
   * (pass `readDicomHeader` from this package). Without it such records have an unknown view, age and sex.
   */
  readHeader?: (bytes: Uint8Array, options: { fileName: string }) => RsnaDicomHeader;
}

interface HeaderRow {
  view: string;
  sex: Sex;
  age: number | null;
  modality: string;
}

/** Maps the RSNA detailed classes to findings comparable with the other sources. */
function rsnaFinding(detailedClass: string | undefined, target: boolean): string {
  if (detailedClass === 'Normal') return 'No Finding';
  if (detailedClass) return detailedClass; // 'Lung Opacity' or 'No Lung Opacity / Not Normal'
  // Without the detailed classes, Target 0 mixes normals with other abnormal images: it is not "No Finding".
  return target ? 'Lung Opacity' : 'No Lung Opacity';
}

/**
 * Streams the RSNA Pneumonia Detection Challenge: one record per patient (image) from `stage_2_train_labels.csv`
 * (several rows per patient, one per box; `Target` 1 if any box). `stage_2_detailed_class_info.csv`, when present,
 * gives the class (`Normal` becomes the finding `No Finding`; `Lung Opacity`; `No Lung Opacity / Not Normal`).
 * View, age and sex come from `stage_2_train_images_dicom_headers.csv` when present, else from each image's DICOM
 * header through `options.readHeader`. The class and header tables are indexed by patient (one small entry per
 * patient, ~27k for the challenge); the labels themselves are streamed.
 *
 * @param dir the RSNA folder
 * @throws {DatasetConfigError} when `stage_2_train_labels.csv` is absent
 * @throws {MetadataSchemaError} when a required column is missing
 */
export async function* readRsnaPneumonia(dir: string, options: RsnaPneumoniaOptions = {}): AsyncGenerator<SourceRecord> {
  const labelsFile = path.join(dir, 'stage_2_train_labels.csv');
  if (!existsSync(labelsFile)) {
    throw new DatasetConfigError(`No stage_2_train_labels.csv in RSNA folder ${dir}`, { file: labelsFile });
  }
  const imageDir =
    options.imageDir ?? [path.join(dir, 'stage_2_train_images'), path.join(dir, 'images')].find((d) => existsSync(d)) ?? dir;

  const classes = new Map<string, string>();
  const classFile = path.join(dir, 'stage_2_detailed_class_info.csv');
  if (existsSync(classFile)) {
    let c: Record<'patientId' | 'class', number> | undefined;
    for await (const { fields } of readCsvRecords(classFile)) {
      if (!c) c = requireColumns(fields, ['patientId', 'class'], classFile);
      else classes.set((fields[c.patientId] ?? '').trim(), (fields[c.class] ?? '').trim());
    }
  }

  const headers = new Map<string, HeaderRow>();
  const headerFile = path.join(dir, 'stage_2_train_images_dicom_headers.csv');
  if (existsSync(headerFile)) {
    let c: Record<'PatientID' | 'ViewPosition' | 'PatientSex' | 'PatientAge' | 'Modality', number> | undefined;
    for await (const { fields } of readCsvRecords(headerFile)) {
      if (!c) c = requireColumns(fields, ['PatientID', 'ViewPosition', 'PatientSex', 'PatientAge', 'Modality'], headerFile);
      else {
        headers.set((fields[c.PatientID] ?? '').trim(), {
          view: (fields[c.ViewPosition] ?? '').trim(),
          sex: normalizeSex(fields[c.PatientSex]),
          age: parseAgeYears(fields[c.PatientAge]),
          modality: normalizeModality(fields[c.Modality]),
        });
      }
    }
  }

  const seen = new Set<string>();
  let pending: { patientId: string; target: boolean; line: number } | undefined;

  const emit = async (p: { patientId: string; target: boolean; line: number }): Promise<SourceRecord | undefined> => {
    const originalPath = `${p.patientId}.dcm`;
    let imagePath: string;
    try {
      imagePath = resolveInside(imageDir, originalPath, labelsFile);
    } catch (error) {
      if (!options.onIssue || !(error instanceof DatasetError)) throw error;
      options.onIssue({ source: 'rsna-pneumonia', file: labelsFile, row: p.line, originalPath, reason: 'unsafe-path', message: error.message });
      return undefined;
    }
    let h = headers.get(p.patientId);
    if (!h && options.readHeader) {
      h = { view: '', sex: null, age: null, modality: 'X-ray' };
      try {
        // Read only where the real path is inside the images folder: a link out of it is refused here and by the build.
        const real = await realPathInside(imageDir, imagePath, labelsFile);
        if (real === undefined) throw new Error('absent');
        const d = options.readHeader(new Uint8Array(await readFile(real)), { fileName: imagePath });
        h = {
          view: (d.viewPosition ?? '').trim(),
          sex: normalizeSex(d.patientSex),
          age: parseAgeYears(d.patientAge ?? null),
          modality: normalizeModality(d.modality ?? 'X-ray'),
        };
      } catch {
        // A missing or unreadable image is counted later, when the build looks for it; its metadata stays unknown.
      }
    }
    const finding = rsnaFinding(classes.get(p.patientId), p.target);
    return {
      imagePath,
      finding,
      labels: findingLabels(finding.replace(/\s*\/\s*/g, ' or ')),
      patientId: p.patientId,
      view: h?.view ?? '',
      sex: h?.sex ?? null,
      age: h?.age ?? null,
      modality: h?.modality ?? 'X-ray',
      source: 'rsna-pneumonia',
      originalPath,
      row: p.line,
    };
  };

  let c: Record<'patientId' | 'Target', number> | undefined;
  for await (const { fields, line } of readCsvRecords(labelsFile)) {
    if (!c) {
      c = requireColumns(fields, ['patientId', 'Target'], labelsFile);
      continue;
    }
    const patientId = (fields[c.patientId] ?? '').trim();
    const target = (fields[c.Target] ?? '').trim() === '1';
    if (pending && pending.patientId === patientId) {
      pending.target ||= target;
      continue;
    }
    if (pending) {
      const r = await emit(pending);
      if (r) yield r;
    }
    if (seen.has(patientId)) {
      pending = undefined; // a patient listed again further down: already yielded once
      continue;
    }
    seen.add(patientId);
    pending = { patientId, target, line };
  }
  if (pending) {
    const r = await emit(pending);
    if (r) yield r;
  }
}
