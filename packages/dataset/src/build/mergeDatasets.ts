import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { DatasetConfigError } from '../errors';
import {
  BUILD_FILES,
  countImages,
  pruneStalePngs,
  readShardPart,
  removeTempFiles,
  shardFiles,
  sortByManifestOrder,
  type BuildSummary,
  type ClassCounts,
  type OrderedRecord,
  type SourceSummary,
} from './buildDataset';
import { formatManifest } from './manifestRecord';

/** Options of {@link mergeDatasets}. */
export interface MergeDatasetsOptions {
  /** Keep `shards/` after merging (default: removed, so the folder looks like a one-process build). */
  keepShards?: boolean;
}

const PART_SUMMARY = /^summary-(\d+)-of-(\d+)\.json$/;

/**
 * Merges the shards of a sharded build (`buildDataset({ shard })` run once per shard, into the same `outDir`):
 * checks that every shard of the count finished with the same recipe and sources, writes `manifest.csv` (byte for
 * byte what one process writes: the records in the same order) and `summary.json` (metadata counts from one shard,
 * which all read the same metadata; conversions summed), prunes stale PNGs and leftover temporary files, and
 * removes `shards/`.
 *
 * @throws {DatasetConfigError} when a shard is missing, repeated, of another count, or built with another recipe
 * @example
 * // on each machine: await buildDataset({ sources, outDir, shard: { index, count: 3 } });
 * const summary = await mergeDatasets('out');
 */
export async function mergeDatasets(outDir: string, options: MergeDatasetsOptions = {}): Promise<BuildSummary> {
  const started = Date.now();
  const root = path.resolve(outDir);
  const dir = path.join(root, BUILD_FILES.shards);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new DatasetConfigError(`No shards to merge in ${root}: ${dir} is missing (build with a shard first)`, { file: dir, cause: error });
  }
  const found = names.map((n) => PART_SUMMARY.exec(n)).filter((m): m is RegExpExecArray => m !== null);
  if (found.length === 0) throw new DatasetConfigError(`No finished shard in ${dir} (no summary-<i>-of-<n>.json)`, { file: dir });
  const counts = new Set(found.map((m) => Number(m[2])));
  if (counts.size !== 1) throw new DatasetConfigError(`Shards of different counts in ${dir}: ${[...counts].join(', ')}; remove the stale ones`, { file: dir });
  const count = [...counts][0];
  const indices = new Set(found.map((m) => Number(m[1])));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !indices.has(i));
  if (missing.length > 0) {
    throw new DatasetConfigError(`Shards ${missing.map((i) => `${i}/${count}`).join(', ')} of ${dir} have not finished (no summary); run them, then merge`, { file: dir });
  }

  const summaries: BuildSummary[] = [];
  const entries: OrderedRecord[] = [];
  for (let index = 0; index < count; index++) {
    const files = shardFiles({ index, count });
    const summaryFile = path.join(dir, files.summary);
    let s: BuildSummary;
    try {
      s = JSON.parse(await readFile(summaryFile, 'utf8')) as BuildSummary;
    } catch (error) {
      throw new DatasetConfigError(`Cannot read shard summary ${summaryFile}: ${(error as Error).message}`, { file: summaryFile, cause: error });
    }
    const first = summaries[0];
    if (first && (JSON.stringify(s.recipe) !== JSON.stringify(first.recipe) || JSON.stringify(s.sources.map((x) => [x.source, x.dir, x.rowsRead])) !== JSON.stringify(first.sources.map((x) => [x.source, x.dir, x.rowsRead])))) {
      throw new DatasetConfigError(`Shard ${index}/${count} was built with another recipe or other sources than shard 0/${count}`, { file: summaryFile });
    }
    summaries.push(s);
    entries.push(...(await readShardPart(path.join(dir, files.part))));
  }
  sortByManifestOrder(entries);
  const manifest = entries.map((e) => e.record);
  const seen = new Set<string>();
  for (const r of manifest) {
    if (seen.has(r.path)) throw new DatasetConfigError(`${r.path} is in two shards: were they built with the same count and sources?`, { file: dir });
    seen.add(r.path);
  }

  const recipe = summaries[0].recipe;
  const manifestFile = path.join(root, BUILD_FILES.manifest);
  await writeFileAtomic(manifestFile, formatManifest(manifest));
  await removeTempFiles([root, dir, ...recipe.map((r) => path.join(root, r.label))]);
  const pruned = await pruneStalePngs(root, recipe, manifest);

  // Metadata counts are the same in every shard; conversions happened in one shard each.
  const conversions: (keyof ClassCounts)[] = ['written', 'reused', 'failed'];
  const sources: SourceSummary[] = summaries[0].sources.map((src, i) => ({
    ...src,
    classes: Object.fromEntries(
      Object.entries(src.classes).map(([label, c]) => [
        label,
        { ...c, ...Object.fromEntries(conversions.map((k) => [k, summaries.reduce((sum, s) => sum + (s.sources[i].classes[label][k] as number), 0)])) },
      ]),
    ),
  }));
  const sum = (k: 'written' | 'reused' | 'failed'): number => summaries.reduce((a, s) => a + s[k], 0);
  const result: BuildSummary = {
    outDir: root,
    manifestFile,
    // The recipe's decision and the duplicates found while reading the metadata are the same in every shard.
    dryRun: false,
    recipeName: summaries[0].recipeName,
    classes: summaries[0].classes,
    positiveClass: summaries[0].positiveClass,
    recipe,
    sources,
    images: countImages(recipe, manifest),
    written: sum('written'),
    reused: sum('reused'),
    failed: sum('failed'),
    pruned,
    duplicateImages: summaries[0].duplicateImages,
    // Skips found while reading the metadata are listed by every shard; failed conversions by their own shard.
    skipped: [...summaries[0].skipped.filter((x) => x.reason !== 'conversion-failed'), ...summaries.flatMap((s) => s.skipped.filter((x) => x.reason === 'conversion-failed'))],
    skippedNotListed: {
      ...summaries[0].skippedNotListed,
      'conversion-failed': summaries.reduce((a, s) => a + (s.skippedNotListed['conversion-failed'] ?? 0), 0) || undefined,
    },
    durationMs: Date.now() - started,
    mergedShards: count,
  };
  await writeFileAtomic(path.join(root, BUILD_FILES.summary), JSON.stringify(result, null, 2) + '\n');
  if (!options.keepShards) await rm(dir, { recursive: true, force: true });
  return result;
}
