import { mkdir, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { readDicomHeader } from '../dicom/readDicomHeader';
import { DatasetConfigError, DatasetError, UnsafePathError } from '../errors';
import { sha256File } from '../hash/sha256File';
import { openSource, type SourceSpec } from '../metadata/openSource';
import { realPathInside } from '../metadata/resolveInside';
import { createRecordFilter, type CountingFilter, type FilterStepCount, type RecordFilter } from '../metadata/recordFilter';
import type { Recipe } from '../recipe/recipe';
import type { SourceKind, SourceRecord } from '../metadata/sourceRecord';
import { convertImageToPng } from './convertImageToPng';
import { DEFAULT_RECIPE, type ClassRule } from './defaultRecipe';
import { formatManifest, formatManifestRow, MANIFEST_COLUMNS, MANIFEST_COLUMNS_WITHOUT_FINDING, type ManifestRecord } from './manifestRecord';
import { parseManifest, readManifest } from './readManifest';
import { TaskPool } from './runPool';
import { checkShard, shardOfPatient, type Shard } from './shard';

/** File names of a build's outputs, in its output folder. */
export const BUILD_FILES = {
  manifest: 'manifest.csv',
  summary: 'summary.json',
  /** Rows of finished images, appended as they finish; read by the next run to resume, removed at the end. */
  journal: '.manifest.journal.csv',
  /** Folder of a sharded build's parts (`part-<i>-of-<n>.csv`, `summary-<i>-of-<n>.json`), until `mergeDatasets`. */
  shards: 'shards',
} as const;

/**
 * Images queued for conversion beyond the `concurrency` being converted (a few hundred bytes each): the metadata scan
 * runs ahead of the conversions instead of waiting for a free slot at each image. On the shared data, NIH's last
 * image is on metadata row 15,108 of 112,120: without a backlog the scan of the other 97,000 rows (2.5 s on the main
 * thread) only began once every conversion had finished, with the cores idle.
 */
const CONVERSION_BACKLOG = 1024;

/** Columns a shard's part file puts before {@link MANIFEST_COLUMNS}: the record's place in the merged manifest. */
export const SHARD_ORDER_COLUMNS = ['orderClass', 'orderSource', 'orderRow'] as const;

/** File names of shard `index` of `count` in `<outDir>/shards/`. */
export function shardFiles(shard: Shard): { part: string; summary: string; journal: string } {
  const tag = `${shard.index}-of-${shard.count}`;
  return { part: `part-${tag}.csv`, summary: `summary-${tag}.json`, journal: `.part-${tag}.journal.csv` };
}

/** Configuration of {@link buildDataset}. */
export interface BuildConfig {
  /** Sources, read in this order. */
  sources: readonly SourceSpec[];
  /** Output folder: `<label>/` PNG folders, `manifest.csv`, `summary.json`. Created if needed. */
  outDir: string;
  /**
   * Classes: a {@link Recipe} (its name and decision rule are kept in `summary.json`) or a list of class rules;
   * the notebook's {@link DEFAULT_RECIPE} by default.
   */
  recipe?: readonly ClassRule[] | Recipe;
  /**
   * Count only: read the metadata, filter, check that images exist and drop duplicate images, but convert and write
   * nothing (no output folder is created). The summary's `images` are what a build would put in the manifest,
   * before any conversion failure.
   */
  dryRun?: boolean;
  /** Images converted at once (default: 2 to 4, following the CPU count). */
  concurrency?: number;
  /** Refuse input images with more pixels than this (default 50 megapixels). */
  maxPixels?: number;
  /** Skipped items listed in the summary per source and reason (default 200); the rest are only counted. */
  maxListed?: number;
  /** Called as rows are read and images finish. */
  onProgress?: (progress: BuildProgress) => void;
  /**
   * Convert only the images of this shard's patients (`shardOfPatient`). Every shard reads all the metadata and
   * makes the same choices (filters, duplicates, one image per patient, file names), converts its own images into
   * the shared `outDir` (disjoint files), and writes `shards/part-<i>-of-<n>.csv` and `summary-<i>-of-<n>.json`
   * instead of `manifest.csv`; `mergeDatasets(outDir)` then writes the manifest a single process would have.
   */
  shard?: Shard;
}

/** Progress of a build, for progress bars. */
export interface BuildProgress {
  source: SourceKind;
  rowsRead: number;
  /** Images queued for conversion so far (all sources). */
  queued: number;
  /** Images finished so far: converted, reused or failed. */
  done: number;
}

/** What happened to the records of one class from one source. */
export interface ClassCounts {
  /** Kept after each metadata filter step, in order (after `rowsRead` of the source). */
  steps: FilterStepCount[];
  /** Kept by every metadata filter. */
  kept: number;
  /** Of those, images found on disk / listed but absent. */
  present: number;
  missing: number;
  /**
   * Present images already taken: the same file, or a file with identical bytes (SHA-256), listed again by this
   * class or taken by another class. Each is listed in {@link BuildSummary.duplicateImages}.
   */
  duplicates: number;
  /** Present images dropped by `onePerPatient`. */
  otherImagesOfPatient: number;
  /** In the manifest: converted now, reused from an earlier run, or failed to convert. */
  written: number;
  reused: number;
  failed: number;
}

/** Per-source part of a {@link BuildSummary}. */
export interface SourceSummary {
  source: SourceKind;
  dir: string;
  /** Metadata rows read (refused ones included). */
  rowsRead: number;
  /** Rows refused by the reader (unsafe paths). */
  refused: number;
  classes: Record<string, ClassCounts>;
}

/** Why a record did not make it into the manifest. */
export type SkipReason = 'unsafe-path' | 'missing' | 'duplicate' | 'conversion-failed';

/** One skipped record, listed in the summary. */
export interface SkippedItem {
  source: SourceKind;
  reason: SkipReason;
  /** Metadata line. */
  row: number;
  originalPath: string;
  label?: string;
  patientId?: string;
  message?: string;
}

/**
 * One image dropped because identical bytes (same SHA-256) were already taken by an earlier row: the same file listed
 * twice, or a copy. Under different patients it is a likely leak (one patient entered twice), so it is reported.
 */
export interface DuplicateImage {
  /** SHA-256 of the original file's bytes. */
  sha256: string;
  kept: { source: SourceKind; row: number; originalPath: string; patientId: string; label: string };
  dropped: { source: SourceKind; row: number; originalPath: string; patientId: string; label: string };
  /** Whether the two rows name the same patient (and source). */
  samePatient: boolean;
}

/** The result of a build, also written to `summary.json`. */
export interface BuildSummary {
  outDir: string;
  manifestFile: string;
  /** True for a dry run: nothing was converted or written. */
  dryRun: boolean;
  /** The recipe's name, or `null` when the build was given bare class rules. */
  recipeName: string | null;
  /** The class labels in the recipe's order (a model trained on the build keeps this order). */
  classes: string[];
  /** The recipe's positive class (decision by threshold), or `null` (decision by the most probable class). */
  positiveClass: string | null;
  recipe: ClassRule[];
  sources: SourceSummary[];
  /** Images in the manifest. */
  images: {
    total: number;
    byLabel: Record<string, number>;
    byLabelAndSource: Record<string, Record<string, number>>;
  };
  /** Converted in this run; reused from an earlier run (hash checked); failed. */
  written: number;
  reused: number;
  failed: number;
  /** Stale PNGs of earlier builds (not in the new manifest) deleted. */
  pruned: number;
  /** Skipped records (at most `maxListed` per source and reason). */
  skipped: SkippedItem[];
  /** Every image dropped as a duplicate of an earlier row (identical SHA-256), with both rows. */
  duplicateImages: DuplicateImage[];
  /** Skipped records not listed, per reason. */
  skippedNotListed: Partial<Record<SkipReason, number>>;
  durationMs: number;
  /** For a shard's summary: which shard. */
  shard?: Shard;
  /** For a merged build: how many shards were merged. */
  mergedShards?: number;
}

const SOURCE_NAME = /^(covid-chestxray|nih-cxr14|rsna-pneumonia|covidx|chexpert|folder)_.+\.png$/;

/** A file-name-safe form of a metadata value. */
function safeName(value: string, max = 100): string {
  const s = value.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return (s === '' ? 'x' : s).slice(0, max);
}

/** The SHA-256 of a file, or `undefined` when it cannot be read (it is then converted again). */
async function sha256OrUndefined(file: string): Promise<string | undefined> {
  try {
    return await sha256File(file);
  } catch {
    return undefined;
  }
}

/**
 * Whether a file name is a temporary file a crashed run left behind: write-file-atomic names its temporary file
 * `<target>.<32-bit number>` (targets here are `.png`, `.csv` or `.json`), and builds before it used `.cxr-tmp-`.
 */
function isTempFile(name: string): boolean {
  return name.includes('.cxr-tmp-') || /\.(png|csv|json)\.\d+$/.test(name);
}

/** Finished images of earlier runs: the last manifest, then the journal of an interrupted run. */
async function loadFinished(outDir: string, shard: Shard | undefined): Promise<Map<string, string>> {
  const finished = new Map<string, string>();
  const manifestFile = path.join(outDir, BUILD_FILES.manifest);
  try {
    for (const r of await readManifest(manifestFile)) finished.set(r.path, r.sha256);
  } catch {
    // No manifest yet, or an unusable one: everything is converted again.
  }
  if (shard) {
    try {
      for (const { record } of await readShardPart(path.join(outDir, BUILD_FILES.shards, shardFiles(shard).part))) finished.set(record.path, record.sha256);
    } catch {
      // No part of an earlier run of this shard.
    }
  }
  const journalFile = shard ? path.join(outDir, BUILD_FILES.shards, shardFiles(shard).journal) : path.join(outDir, BUILD_FILES.journal);
  try {
    const text = await readFile(journalFile, 'utf8');
    // A crash can cut the last line: keep whole lines only.
    let whole = text.slice(0, text.lastIndexOf('\n') + 1);
    if (shard) whole = whole.split('\n').map((l) => l.split(',').slice(SHARD_ORDER_COLUMNS.length).join(',')).join('\n');
    // A journal of a run before the finding column has 9 fields a line: read it with that header instead.
    let records: ManifestRecord[];
    try {
      records = parseManifest(MANIFEST_COLUMNS.join(',') + '\n' + whole, journalFile);
    } catch {
      records = parseManifest(MANIFEST_COLUMNS_WITHOUT_FINDING.join(',') + '\n' + whole, journalFile);
    }
    for (const r of records) finished.set(r.path, r.sha256);
  } catch {
    // No journal (or an unreadable one: its images are converted again).
  }
  return finished;
}

/** Removes temporary files a crashed run left in the output folders. */
export async function removeTempFiles(dirs: string[]): Promise<void> {
  for (const d of dirs) {
    let names: string[] = [];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const n of names) if (isTempFile(n)) await rm(path.join(d, n), { force: true });
  }
}

/**
 * Answers "is this a regular file?" from one `readdir` per folder instead of one `stat` per metadata row: NIH's
 * 37,414 kept rows were 37,414 awaited stats in the serial scan (5-7 s of an 11 s scan) although only 99 images
 * exist. Entries that are not plain files or folders in the listing (symlinks, unknown types) are stat'ed as before.
 */
class FileLookup {
  /** Folder -> its entries' names: 'file', 'dir', or 'other' (to stat). About 60 bytes a name. */
  private readonly dirs = new Map<string, Promise<Map<string, 'file' | 'dir' | 'other'> | undefined>>();

  async isFile(file: string): Promise<boolean> {
    const dir = path.dirname(file);
    let listing = this.dirs.get(dir);
    if (listing === undefined) {
      listing = readdir(dir, { withFileTypes: true }).then(
        (entries) => new Map(entries.map((e) => [e.name, e.isFile() ? ('file' as const) : e.isDirectory() ? ('dir' as const) : ('other' as const)])),
        () => undefined,
      );
      this.dirs.set(dir, listing);
    }
    const kind = (await listing)?.get(path.basename(file));
    if (kind === undefined || kind === 'dir') return false;
    if (kind === 'file') return true;
    return (await stat(file).catch(() => undefined))?.isFile() === true;
  }
}

/** Deletes PNGs of earlier builds (not in `manifest`) from the class folders; returns how many. */
export async function pruneStalePngs(outDir: string, recipe: readonly ClassRule[], manifest: readonly ManifestRecord[]): Promise<number> {
  const keep = new Set(manifest.map((r) => r.path));
  let pruned = 0;
  for (const rule of recipe) {
    for (const n of await readdir(path.join(outDir, rule.label))) {
      if (SOURCE_NAME.test(n) && !keep.has(`${rule.label}/${n}`)) {
        await rm(path.join(outDir, rule.label, n), { force: true });
        pruned++;
      }
    }
  }
  return pruned;
}

/** Images of a manifest per label, and per label and source. */
export function countImages(recipe: readonly ClassRule[], manifest: readonly ManifestRecord[]): BuildSummary['images'] {
  const byLabel: Record<string, number> = Object.fromEntries(recipe.map((r) => [r.label, 0]));
  const byLabelAndSource: Record<string, Record<string, number>> = Object.fromEntries(recipe.map((r) => [r.label, {}]));
  for (const r of manifest) {
    byLabel[r.label] = (byLabel[r.label] ?? 0) + 1;
    const m = (byLabelAndSource[r.label] ??= {});
    m[r.source] = (m[r.source] ?? 0) + 1;
  }
  return { total: manifest.length, byLabel, byLabelAndSource };
}

/** A manifest record and its place in the manifest: class index, source index, metadata row. */
export interface OrderedRecord {
  record: ManifestRecord;
  order: [number, number, number];
}
type Entry = OrderedRecord;

/** Sorts records into manifest order: by class of the recipe, then source, then metadata row. */
export function sortByManifestOrder<T extends OrderedRecord>(entries: T[]): T[] {
  return entries.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2]);
}

/** A shard's part file: {@link SHARD_ORDER_COLUMNS} then the manifest columns. */
function formatShardPart(entries: readonly OrderedRecord[]): string {
  return [`${SHARD_ORDER_COLUMNS.join(',')},${MANIFEST_COLUMNS.join(',')}`, ...entries.map((e) => `${e.order.join(',')},${formatManifestRow(e.record)}`)].join('\n') + '\n';
}

/** Reads a shard's part file (see {@link formatShardPart}). */
export async function readShardPart(file: string): Promise<OrderedRecord[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const strip = (line: string): string => line.split(',').slice(SHARD_ORDER_COLUMNS.length).join(',');
  const orders = lines.slice(1).filter((l) => l !== '').map((l) => l.split(',', 3).map(Number) as [number, number, number]);
  if (orders.some((o) => o.some((v) => !Number.isInteger(v)))) throw new DatasetConfigError(`Shard part ${file}: bad order columns`, { file });
  const records = parseManifest(lines.map((l, i) => (i === 0 || l !== '' ? strip(l) : l)).join('\n'), file);
  if (records.length !== orders.length) throw new DatasetConfigError(`Shard part ${file}: ${records.length} records for ${orders.length} rows`, { file });
  return records.map((record, i) => ({ record, order: orders[i] }));
}

/**
 * Builds a dataset from chest X-ray sources: streams each source's metadata, keeps the records of each class of the
 * recipe (counting what every filter step keeps), checks that the images exist, converts them to 8-bit grey PNGs
 * at original size in `<outDir>/<label>/`, and writes `manifest.csv` (columns {@link MANIFEST_COLUMNS}) and
 * `summary.json` atomically at the end.
 *
 * - Resumable and idempotent: finished images are journaled as they finish; a rerun reuses any PNG whose SHA-256
 *   matches the manifest or journal and converts the rest. Every file is written to a temporary name and renamed.
 * - Constant memory in the size of the sources (records stream through a bounded pool of `concurrency` conversions,
 *   with at most 1,024 more queued so that the metadata scan runs ahead of them); only the manifest entries (one per image kept) and the set of kept image paths are held.
 * - Safe: unsafe metadata paths are refused and listed; missing, duplicate and unreadable images are counted,
 *   listed and skipped, and the build goes on. Inputs over `maxPixels` are refused.
 * - One copy of each image: a row whose file has the same SHA-256 as an image already taken (the same file listed
 *   twice, or a copy, e.g. one patient entered under two ids) is dropped and listed in `duplicateImages`, since
 *   one copy on each side of a split is a leak.
 * - `dryRun: true` counts the same way (classes x sources, duplicates dropped) and converts and writes nothing.
 *
 * @throws {DatasetConfigError} when a source folder does not exist
 * @throws {MetadataSchemaError} when a metadata file lacks a required column
 * @example
 * const summary = await buildDataset({
 *   sources: [{ kind: 'covid-chestxray', dir: 'data/covid-chestxray' }, { kind: 'nih-cxr14', dir: 'data/nih' }],
 *   outDir: 'out',
 * });
 * summary.images.byLabel; // { covid: 163, normal: 110 }
 */
export async function buildDataset(config: BuildConfig): Promise<BuildSummary> {
  const started = Date.now();
  const given = config.recipe ?? DEFAULT_RECIPE;
  const named = isRecipe(given) ? given : undefined;
  const recipe = [...(named ? named.classes : (given as readonly ClassRule[]))];
  const dryRun = config.dryRun ?? false;
  if (recipe.length === 0) throw new DatasetConfigError('Build recipe has no classes');
  const labels = new Set<string>();
  for (const rule of recipe) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(rule.label) || labels.has(rule.label)) {
      throw new DatasetConfigError(`Bad or repeated class label "${rule.label}": use a plain folder name`);
    }
    labels.add(rule.label);
  }
  for (const s of config.sources) {
    const st = await stat(s.dir).catch(() => undefined);
    if (!st?.isDirectory()) throw new DatasetConfigError(`Source folder ${s.dir} (${s.kind}) does not exist`, { file: s.dir });
  }
  const outDir = path.resolve(config.outDir);
  const concurrency = config.concurrency ?? Math.max(2, Math.min(4, os.availableParallelism()));
  const maxListed = config.maxListed ?? 200;
  const classDirs = recipe.map((r) => path.join(outDir, r.label));
  if (!dryRun) {
    for (const d of classDirs) await mkdir(d, { recursive: true });
    // Shards share these folders with other running shards: their temporary files are not leftovers. The merge
    // (after every shard has finished) removes a crashed shard's.
    if (!config.shard) await removeTempFiles([outDir, ...classDirs]);
  }

  const shard = config.shard;
  if (shard) {
    checkShard(shard);
    if (!dryRun) await mkdir(path.join(outDir, BUILD_FILES.shards), { recursive: true });
  }
  const finished = dryRun ? new Map<string, string>() : await loadFinished(outDir, shard);
  const journalFile = shard ? path.join(outDir, BUILD_FILES.shards, shardFiles(shard).journal) : path.join(outDir, BUILD_FILES.journal);
  const journal: FileHandle | undefined = dryRun ? undefined : await open(journalFile, 'a');
  const pool = new TaskPool(concurrency, CONVERSION_BACKLOG);
  const files = new FileLookup();
  // Per-source class counts are copied into the summary once every conversion has finished (the pool is not
  // drained between sources: the next source's metadata scan overlaps the previous one's last conversions).
  const finishSummaries: (() => void)[] = [];
  const entries: Entry[] = [];
  const skipped: SkippedItem[] = [];
  const skippedNotListed: Partial<Record<SkipReason, number>> = {};
  const listedPerSource = new Map<string, number>();
  const taken = new Map<string, DuplicateImage['kept']>();
  const hashOfPath = new Map<string, string>();
  const duplicateImages: DuplicateImage[] = [];
  let planned = 0;
  const plannedByLabelAndSource: Record<string, Record<string, number>> = Object.fromEntries(recipe.map((r) => [r.label, {}]));
  const outputs = new Map<string, string>();
  const summaries: SourceSummary[] = [];
  let queued = 0;
  let rowsReadNow = 0;
  let done = 0;
  let written = 0;
  let reused = 0;
  let failed = 0;

  const skip = (item: SkippedItem): void => {
    const key = `${item.source}\0${item.reason}`;
    const n = listedPerSource.get(key) ?? 0;
    if (n < maxListed) {
      skipped.push(item);
      listedPerSource.set(key, n + 1);
    } else {
      skippedNotListed[item.reason] = (skippedNotListed[item.reason] ?? 0) + 1;
    }
  };

  try {
    for (const [sourceIndex, spec] of config.sources.entries()) {
      // One entry per class of the recipe, in order: its rule, its counting filter for this source, its counts.
      type ClassState = { index: number; rule: ClassRule; filter: CountingFilter; counts: ClassCounts };
      const classes: ClassState[] = recipe.map((rule, index) => ({
        index,
        rule,
        filter: createRecordFilter(
          spec.kind === 'folder' ? ({ finding: rule.filter.finding, sources: rule.filter.sources } satisfies RecordFilter) : rule.filter,
        ),
        counts: {
          steps: [],
          kept: 0,
          present: 0,
          missing: 0,
          duplicates: 0,
          otherImagesOfPatient: 0,
          written: 0,
          reused: 0,
          failed: 0,
        },
      }));
      const patients = new Set<string>();
      const summary: SourceSummary = { source: spec.kind, dir: spec.dir, rowsRead: 0, refused: 0, classes: {} };
      const progress = (): void => {
        rowsReadNow = summary.rowsRead;
        config.onProgress?.({ source: spec.kind, rowsRead: summary.rowsRead, queued, done });
      };

      const records = openSource(spec, {
        readHeader: readDicomHeader,
        onIssue: (issue) => {
          summary.rowsRead++;
          summary.refused++;
          skip({ source: spec.kind, reason: 'unsafe-path', row: issue.row, originalPath: issue.originalPath, message: issue.message });
        },
      });
      for await (const record of records) {
        summary.rowsRead++;
        rowsReadNow = summary.rowsRead;
        if (summary.rowsRead % 2000 === 0) progress();
        // Every class's filter sees every record, so each class's counts stand on their own.
        let chosen: ClassState | undefined;
        for (const k of classes) if (k.filter.test(record) === null) chosen ??= k;
        if (chosen === undefined) continue;
        const { rule, counts: c, index: classIndex } = chosen;
        c.kept++;
        const base = { source: spec.kind, row: record.row, originalPath: record.originalPath, label: rule.label, patientId: record.patientId };
        // The folder listing answers "is it there" without a stat per row (most NIH rows name no present file);
        // symbolic links may not lead out of the source folder: the real path of a present file is checked, then read.
        let realImage: string | undefined;
        if (await files.isFile(record.imagePath)) {
          try {
            realImage = await realPathInside(spec.dir, record.imagePath, `${spec.kind} row ${record.row}`);
          } catch (error) {
            if (!(error instanceof UnsafePathError)) throw error;
            summary.refused++;
            skip({ ...base, reason: 'unsafe-path', message: error.message });
            continue;
          }
        }
        const st = realImage === undefined ? undefined : await stat(realImage).catch(() => undefined);
        if (!st?.isFile() || realImage === undefined) {
          c.missing++;
          skip({ ...base, reason: 'missing' });
          continue;
        }
        c.present++;
        // Identical bytes are one image, whatever the path or patient: one copy on each side of a split is a leak.
        // Hashed here, serially: the notebook recipe's 273 kept images (104 MiB) take 0.23 s, about 1% of a cold
        // build (21 s) and below its run-to-run spread, so prefetching the hashes was measured and not kept.
        let sha256 = hashOfPath.get(record.imagePath);
        if (sha256 === undefined) {
          sha256 = (await sha256OrUndefined(record.imagePath)) ?? `unreadable:${record.imagePath}`;
          hashOfPath.set(record.imagePath, sha256);
        }
        const row = { source: spec.kind, row: record.row, originalPath: record.originalPath, patientId: record.patientId, label: rule.label };
        const first = taken.get(sha256);
        if (first !== undefined) {
          c.duplicates++;
          const samePatient = first.source === row.source && first.patientId === row.patientId;
          duplicateImages.push({ sha256, kept: first, dropped: row, samePatient });
          skip({
            ...base,
            reason: 'duplicate',
            message: `same image (SHA-256) as ${first.source} row ${first.row} (${first.originalPath}, patient ${first.patientId}, class ${first.label})${samePatient ? '' : ' under another patient id'}`,
          });
          continue;
        }
        if (rule.filter.onePerPatient) {
          const key = `${rule.label}\0${record.patientId}`;
          if (patients.has(key)) {
            c.otherImagesOfPatient++;
            continue;
          }
          patients.add(key);
        }
        taken.set(sha256, row);
        const stem = path.basename(record.originalPath, path.extname(record.originalPath));
        let rel = `${rule.label}/${spec.kind}_${safeName(record.patientId, 60)}_${safeName(stem)}.png`;
        if (outputs.has(rel) && outputs.get(rel) !== record.imagePath) rel = rel.replace(/\.png$/, `_row${record.row}.png`);
        outputs.set(rel, record.imagePath);
        if (dryRun) {
          planned++;
          const m = plannedByLabelAndSource[rule.label];
          m[spec.kind] = (m[spec.kind] ?? 0) + 1;
          continue;
        }
        // Every shard makes the choices above over all the records; only the owner of the patient converts.
        if (shard && shardOfPatient(record.source, record.patientId, shard.count) !== shard.index) continue;
        queued++;
        const order: [number, number, number] = [classIndex, sourceIndex, record.row];
        await pool.submit(() => convertOne(record, rel, order, c));
      }
      if (summary.rowsRead === 0) {
        // A header-only metadata file (or an empty class folder) would build an empty dataset that trains nothing.
        throw new DatasetConfigError(`Nothing to build: source ${spec.dir} (${spec.kind}) lists no images (its metadata has no rows)`, {
          file: spec.dir,
        });
      }
      finishSummaries.push(() => {
        for (const k of classes) summary.classes[k.rule.label] = { ...k.counts, steps: k.filter.steps() };
      });
      summaries.push(summary);
      progress();
    }
    await pool.drain();
    for (const finish of finishSummaries) finish();
  } finally {
    await pool.drain().catch(() => undefined);
    await journal?.close();
  }

  async function convertOne(record: SourceRecord, rel: string, order: [number, number, number], c: ClassCounts): Promise<void> {
    const target = path.join(outDir, ...rel.split('/'));
    const manifestRecord = (sha256: string): ManifestRecord => ({
      path: rel,
      label: rel.slice(0, rel.indexOf('/')),
      source: record.source,
      patientId: record.patientId,
      view: record.view,
      sex: record.sex,
      age: record.age,
      originalPath: record.originalPath,
      sha256,
      // A class folder's finding is only its folder name, i.e. the label: no metadata says more.
      finding: record.source === 'folder' ? '' : record.finding,
    });
    const known = finished.get(rel);
    if (known !== undefined && (await sha256OrUndefined(target)) === known) {
      entries.push({ record: manifestRecord(known), order });
      c.reused++;
      reused++;
    } else {
      try {
        // No fsync per PNG: its SHA-256 goes to the journal and a rerun checks it before reusing the file.
        const out = await convertImageToPng(record.imagePath, target, { maxPixels: config.maxPixels, fsync: false });
        const m = manifestRecord(out.sha256);
        await journal?.appendFile((shard ? `${order.join(',')},` : '') + formatManifestRow(m) + '\n');
        entries.push({ record: m, order });
        c.written++;
        written++;
      } catch (error) {
        if (!(error instanceof DatasetError)) throw error;
        c.failed++;
        failed++;
        skip({
          source: record.source,
          reason: 'conversion-failed',
          row: record.row,
          originalPath: record.originalPath,
          label: rel.slice(0, rel.indexOf('/')),
          patientId: record.patientId,
          message: error.message,
        });
      }
    }
    done++;
    if (done % 10 === 0) config.onProgress?.({ source: record.source, rowsRead: rowsReadNow, queued, done });
  }

  const decision = {
    dryRun,
    recipeName: named?.name ?? null,
    classes: recipe.map((r) => r.label),
    positiveClass: named ? (named.positiveClass ?? null) : recipe.some((r) => r.label === DEFAULT_POSITIVE) ? DEFAULT_POSITIVE : null,
  };
  if (dryRun) {
    const byLabel = Object.fromEntries(recipe.map((r) => [r.label, Object.values(plannedByLabelAndSource[r.label]).reduce((a, b) => a + b, 0)]));
    return {
      outDir,
      manifestFile: path.join(outDir, BUILD_FILES.manifest),
      ...decision,
      recipe,
      sources: summaries,
      images: { total: planned, byLabel, byLabelAndSource: plannedByLabelAndSource },
      written: 0,
      reused: 0,
      failed: 0,
      pruned: 0,
      skipped,
      duplicateImages,
      skippedNotListed,
      durationMs: Date.now() - started,
    };
  }
  sortByManifestOrder(entries);
  const manifest = entries.map((e) => e.record);
  const summaryOf = (manifestFile: string, pruned: number): BuildSummary => ({
    outDir,
    manifestFile,
    ...decision,
    recipe,
    sources: summaries,
    images: countImages(recipe, manifest),
    written,
    reused,
    failed,
    pruned,
    skipped,
    duplicateImages,
    skippedNotListed,
    durationMs: Date.now() - started,
    ...(shard ? { shard: { index: shard.index, count: shard.count } } : {}),
  });
  if (shard) {
    // A part and its summary; no manifest and no pruning: the other shards' PNGs sit in the same folders.
    const dir = path.join(outDir, BUILD_FILES.shards);
    const names = shardFiles(shard);
    await writeFileAtomic(path.join(dir, names.part), formatShardPart(entries));
    const result = summaryOf(path.join(dir, names.part), 0);
    await writeFileAtomic(path.join(dir, names.summary), JSON.stringify(result, null, 2) + '\n');
    await rm(journalFile, { force: true });
    return result;
  }
  const manifestFile = path.join(outDir, BUILD_FILES.manifest);
  await writeFileAtomic(manifestFile, formatManifest(manifest));
  const pruned = await pruneStalePngs(outDir, recipe, manifest);
  const result = summaryOf(manifestFile, pruned);
  await writeFileAtomic(path.join(outDir, BUILD_FILES.summary), JSON.stringify(result, null, 2) + '\n');
  await rm(path.join(outDir, BUILD_FILES.journal), { force: true });
  return result;
}

/**
 * Bare class rules (no recipe name) that include this label get it as their positive class: the notebook's
 * default, so a build made with bare rules keeps deciding as before.
 */
const DEFAULT_POSITIVE = DEFAULT_RECIPE[0].label;

function isRecipe(r: readonly ClassRule[] | Recipe): r is Recipe {
  return !Array.isArray(r);
}
