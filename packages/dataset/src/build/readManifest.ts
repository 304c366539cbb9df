import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetConfigError } from '../errors';
import { resolveInside } from '../metadata/resolveInside';
import { parseManifest, type ManifestRecord } from './manifestRecord';

/**
 * Reads and validates a `manifest.csv` written by `buildDataset` (see `parseManifest` for the checks).
 *
 * @throws {DatasetConfigError} when the file cannot be read
 * @throws {MetadataSchemaError} when its content is not a valid manifest
 * @example
 * const records = await readManifest('out/manifest.csv');
 * const covid = records.filter((r) => r.label === 'covid').length;
 */
export async function readManifest(manifestFile: string): Promise<ManifestRecord[]> {
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch (error) {
    throw new DatasetConfigError(`Cannot read manifest ${manifestFile}: ${(error as Error).message}`, { cause: error, file: manifestFile });
  }
  return parseManifest(text, manifestFile);
}

/**
 * The absolute path of a manifest record's image (its `path` resolved against the manifest's folder, refused if
 * it would leave that folder).
 *
 * @throws {UnsafePathError} for a path that is absolute or climbs out
 */
export function resolveManifestPath(manifestFile: string, record: Pick<ManifestRecord, 'path'>): string {
  return resolveInside(path.dirname(path.resolve(manifestFile)), record.path, manifestFile);
}
