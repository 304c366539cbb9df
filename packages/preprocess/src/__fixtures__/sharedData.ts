import { existsSync } from 'node:fs';
import path from 'node:path';

/** Repository root (this file is packages/preprocess/src/__fixtures__). */
const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The shared real-data folder (`<repo root>/../shared/data`), or `CXR_SHARED_DATA`. Never copied into the repo. */
export const SHARED_DATA = process.env.CXR_SHARED_DATA ?? path.resolve(REPO_ROOT, '../shared/data');

/**
 * Whether the shared data is there. A consumer's checkout without it skips the real-data tests, but CI has the data:
 * with `CI` set a missing folder throws (the suite fails) rather than letting every real-data test skip unseen.
 */
export function hasSharedData(): boolean {
  if (existsSync(SHARED_DATA)) return true;
  if (process.env.CI) throw new Error(`Shared test data not found at ${SHARED_DATA}: CI must provide it (or set CXR_SHARED_DATA)`);
  return false;
}

/** `describe` when the shared data is present, `describe.skip` otherwise (a consumer's checkout; never on CI). */
export const describeWithData = hasSharedData() ? describe : describe.skip;
