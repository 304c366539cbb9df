import { existsSync } from 'node:fs';
import path from 'node:path';
import { sharedDataDir } from '../../metadata/__fixtures__/sharedDataDir';

/** `<shared data>/dicom`: the real DICOM files (never copied into the repo); `CXR_SHARED_DATA` overrides the root. */
const sharedDicomDir: string = path.join(sharedDataDir, 'dicom');

/** Path of a shared DICOM file, e.g. `original/CR-MONO1-10-chest.dcm`. */
export function sharedDicom(relative: string): string {
  return path.join(sharedDicomDir, relative);
}

/** Whether a program is on PATH (used to run dcmtk comparisons only where dcmtk is installed). */
export function onPath(program: string): boolean {
  return (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, program)));
}
