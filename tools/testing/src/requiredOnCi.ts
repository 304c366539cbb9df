import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The real public data shared by the project (never copied into the repo): `CXR_SHARED_DATA`, or
 * `<repo>/../shared/data`.
 */
export const sharedDataDir: string = process.env['CXR_SHARED_DATA'] ?? path.resolve(__dirname, '../../..', '../shared/data');

/**
 * Fails the suite at once on CI (`CI` set) when something CI must provide is absent, so that a CI without its data
 * or tools cannot pass by skipping. Elsewhere (a developer's machine) it only warns.
 *
 * @returns whether it is present
 */
export function requiredOnCi(present: boolean, what: string): boolean {
  if (present) return true;
  if (process.env['CI']) throw new Error(`${what} is missing: CI must provide it (see .ci/run)`);
  console.warn(`SKIPPED tests that need ${what} (absent here; required on CI)`);
  return false;
}

/** `it` when `present`, else `it.skip` off CI and a failure on CI (see {@link requiredOnCi}). */
export function itRequiredOnCi(present: boolean, what: string): jest.It {
  return requiredOnCi(present, what) ? it : it.skip;
}

/** `it` for tests that read `file` under the shared data. */
export function itWithSharedFile(file: string): jest.It {
  return itRequiredOnCi(existsSync(file), `${file} (shared test data; or set CXR_SHARED_DATA)`);
}
