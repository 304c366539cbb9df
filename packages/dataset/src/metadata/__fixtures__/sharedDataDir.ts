import { existsSync } from 'node:fs';
import path from 'node:path';

/** The real public data shared by the project (never copied into the repo): `CXR_SHARED_DATA` or `<repo>/../shared/data`. */
export const sharedDataDir: string = process.env['CXR_SHARED_DATA'] ?? path.resolve(__dirname, '../../../../..', '../shared/data');

// The real-data tests fail without the folder anyway; on CI say why at once rather than with a later ENOENT.
if (process.env['CI'] && !existsSync(sharedDataDir)) {
  throw new Error(`Shared test data not found at ${sharedDataDir}: CI must provide it (or set CXR_SHARED_DATA)`);
}
