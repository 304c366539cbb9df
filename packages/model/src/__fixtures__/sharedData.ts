import { existsSync } from 'node:fs';
import path from 'node:path';

/** Repository root (this file is packages/model/src/__fixtures__). */
const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The shared real-data folder (`<repo root>/../shared/data`), or `CXR_SHARED_DATA`. Never copied into the repo. */
export const SHARED_DATA = process.env.CXR_SHARED_DATA ?? path.resolve(REPO_ROOT, '../shared/data');

/** The shared ImageNet MobileNet v1 (tfjs layers, cut after `conv_pw_12_relu`). */
export const SHARED_MOBILENET = path.join(SHARED_DATA, 'weights/mobilenet_v1_1.0_224_conv_pw_12');

/**
 * Whether every one of `files` (default: the shared folder itself) is there. A consumer's checkout without the
 * data skips the real-data tests, but CI has it: with `CI` set anything missing throws (the suite fails) rather
 * than letting the real-data tests skip unseen.
 */
export function hasSharedData(files: readonly string[] = [SHARED_DATA]): boolean {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length === 0) return true;
  if (process.env.CI) {
    throw new Error(`Shared test data not found (${missing.join(', ')}): CI must provide ${SHARED_DATA} (or set CXR_SHARED_DATA)`);
  }
  return false;
}

/** `describe` when `files` of the shared data are present, `describe.skip` otherwise (a consumer's checkout; never on CI). */
export function describeWithData(files?: readonly string[]): jest.Describe {
  return hasSharedData(files) ? describe : describe.skip;
}
