import { existsSync } from 'node:fs';
import path from 'node:path';

/** Repository root (this file is packages/preprocess/src/__fixtures__). */
const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The shared real-data folder (`<repo root>/../shared/data`), or `CXR_SHARED_DATA`. Never copied into the repo. */
export const SHARED_DATA = process.env.CXR_SHARED_DATA ?? path.resolve(REPO_ROOT, '../shared/data');

/** `describe` when the shared data is present, `describe.skip` otherwise (a consumer's checkout). */
export const describeWithData = existsSync(SHARED_DATA) ? describe : describe.skip;
