import path from 'node:path';

/** The real public data shared by the project (never copied into the repo): `CXR_SHARED_DATA` or `<repo>/../shared/data`. */
export const sharedDataDir: string = process.env['CXR_SHARED_DATA'] ?? path.resolve(__dirname, '../../../../..', '../shared/data');
