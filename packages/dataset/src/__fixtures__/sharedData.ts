import { existsSync } from 'node:fs';
import { sharedDataDir } from '../metadata/__fixtures__/sharedDataDir';

/** The shared real-data folder (see `sharedDataDir`, which fails on CI when it is missing). Never copied into the repo. */
export const SHARED_DATA = sharedDataDir;

/** `describe` when the shared data is present, `describe.skip` otherwise (a consumer's checkout; never on CI). */
export const describeWithData = existsSync(SHARED_DATA) ? describe : describe.skip;
