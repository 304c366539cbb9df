import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { DatasetError } from '../errors';
import { convertDicomToPng, type ConvertDicomOptions, type ConvertedDicom } from './convertDicomToPng';

/** A file that could not be converted, and why. */
export interface FailedDicom {
  file: string;
  error: DatasetError;
}

/** Outcome of {@link convertDicomFiles}. */
export interface ConvertDicomFilesResult {
  converted: ConvertedDicom[];
  failed: FailedDicom[];
}

/** Reported after each file. */
export interface DicomConvertProgress {
  done: number;
  total: number;
  file: string;
  /** Set when this file failed. */
  error?: DatasetError;
}

/** `a/b/scan.dcm` -> `scan.png`; a second `scan` from another folder becomes `scan-2.png`. */
function outputNames(files: readonly string[]): string[] {
  const used = new Map<string, number>();
  return files.map((file) => {
    const name = basename(file);
    const extension = extname(name);
    const stem = (extension.toLowerCase() === '.dcm' || extension.toLowerCase() === '.dicom' ? name.slice(0, -extension.length) : name) || 'image';
    const count = (used.get(stem.toLowerCase()) ?? 0) + 1;
    used.set(stem.toLowerCase(), count);
    return `${count === 1 ? stem : `${stem}-${count}`}.png`;
  });
}

/**
 * Converts DICOM files to PNGs in `outDir` (created if needed), one after the other. A file that is bad input
 * (a {@link DatasetError}: unreadable, not DICOM, unsupported transfer syntax...) is reported in `failed` and
 * skipped; anything else (a full disk, a bug) stops the batch. Node only.
 *
 * @example
 * const { converted, failed } = await convertDicomFiles(['a.dcm', 'b.dcm'], 'png', {}, (p) => console.log(p.done));
 */
export async function convertDicomFiles(
  files: readonly string[],
  outDir: string,
  options: ConvertDicomOptions = {},
  onProgress?: (progress: DicomConvertProgress) => void,
): Promise<ConvertDicomFilesResult> {
  await mkdir(outDir, { recursive: true });
  const names = outputNames(files);
  const result: ConvertDicomFilesResult = { converted: [], failed: [] };
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    let error: DatasetError | undefined;
    try {
      result.converted.push(await convertDicomToPng(file, join(outDir, names[i]), options));
    } catch (thrown) {
      if (!(thrown instanceof DatasetError)) throw thrown;
      error = thrown;
      result.failed.push({ file, error });
    }
    onProgress?.({ done: i + 1, total: files.length, file, ...(error ? { error } : {}) });
  }
  return result;
}
