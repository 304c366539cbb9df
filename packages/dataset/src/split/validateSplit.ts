import { PatientLeakError, SplitOptionsError } from '../errors';
import { groupKey, SPLIT_NAMES, type SplitAssignment } from './splitByPatient';

/**
 * Refuses a split that puts one patient (or any `groupBy` group) in two splits, throwing
 * {@link PatientLeakError} naming the first such patient, its splits and one of its images.
 * Also refuses split names other than train / val / test. `source` (a file) is named in the message.
 *
 * @example
 * validateSplit(readSplitFile('data/split.csv'));
 */
export function validateSplit(assignments: readonly SplitAssignment[], options: { groupBy?: string; source?: string } = {}): void {
  const where = options.source ? `, in ${options.source}` : '';
  const groupBy = options.groupBy ?? 'patientId';
  const seen = new Map<string, { split: string; path: string }>();
  for (const a of assignments) {
    if (!SPLIT_NAMES.includes(a.split)) {
      throw new SplitOptionsError(`validateSplit: ${a.path} has split ${JSON.stringify(a.split)}, expected one of ${SPLIT_NAMES.join(', ')}`);
    }
    const k = groupKey(a, groupBy);
    const prev = seen.get(k);
    if (!prev) seen.set(k, { split: a.split, path: a.path });
    else if (prev.split !== a.split) {
      throw new PatientLeakError(String(a[groupBy] ?? a.path), [prev.split, a.split], `${prev.path} in ${prev.split}, ${a.path} in ${a.split}${where}`);
    }
  }
}
