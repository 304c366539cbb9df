import path from 'node:path';
import { BUILT_IN_RECIPES, describeRecipe, SOURCE_KINDS, SOURCE_LAYOUTS, type Recipe, type RecordFilter } from '@cxr/dataset';
import {
  auditBuild,
  buildDataset,
  formatBuildSummary,
  formatRecipes,
  formatSourceStats,
  loadRecipe,
  mergeDatasets,
  parseShard,
  parseSourceSpec,
  sourceStats,
  type BuildProgress,
  type BuildSummary,
  type Shard,
  type SourceSpec,
  type SourceStats,
} from '@cxr/dataset/node';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { UsageError } from '../errors';
import { collect, parsePositiveInt } from '../pipeline/optionParsers';
import { createProgress } from '../pipeline/progress';

// The build's text report is the library's; the CLI prints it (and its test reads it from here).
export { formatBuildSummary };

/** Options of {@link runDatasetBuild} (the flags of `cxr dataset build`). */
export interface DatasetBuildOptions {
  /** `kind=dir` specifications: `covid-chestxray=...`, `nih=...`, `rsna=...`, `folder=...`. */
  sources: readonly string[];
  /** Output folder. */
  out: string;
  /** A built-in recipe name (`notebook`, `three-class`, `covid-vs-pneumonia`) or a recipe JSON file; `notebook` by default. */
  recipe?: string;
  /** Count per class and source (duplicates dropped) without converting or writing anything. */
  dryRun?: boolean;
  /** Images converted at once (2-4 by default). */
  concurrency?: number;
  /** Convert only this shard's patients (`--shard i/n` or `auto`); `cxr dataset merge` then writes the manifest. */
  shard?: Shard;
  /** Directory against which relative paths are resolved; the process's by default. */
  cwd?: string;
  onProgress?: (progress: BuildProgress) => void;
}

/** Options of {@link runDatasetStats} (the arguments and flags of `cxr dataset stats`). */
export interface DatasetStatsOptions {
  sources: readonly string[];
  /** Optional filter: its step counts and the presence of the kept images are reported too. */
  filter?: RecordFilter;
  cwd?: string;
  onProgress?: (source: string, rowsRead: number) => void;
}

/** What `cxr dataset stats` measured. */
export interface DatasetStatsResult {
  sources: SourceStats[];
  filter?: RecordFilter;
  notice: 'NOT FOR CLINICAL USE';
}

function specs(sources: readonly string[], cwd: string): SourceSpec[] {
  if (sources.length === 0) throw new UsageError('at least one source is required, e.g. --source covid-chestxray=data/covid-chestxray');
  return sources.map((s) => {
    try {
      const spec = parseSourceSpec(s);
      return { ...spec, dir: path.resolve(cwd, spec.dir) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
}

/**
 * Builds a dataset with a recipe (`loadRecipe` + `buildDataset` of `@cxr/dataset/node`; the notebook's by default):
 * one PNG folder per class, `manifest.csv` and `summary.json` in `out`, or with `dryRun` only the counts. Returns the
 * summary; printing is {@link formatBuildSummary}. Bad input (a missing folder, a bad metadata or recipe file) is
 * the package's typed `DatasetError`, which the CLI's top-level catch prints as one line with exit code 1.
 */
export async function runDatasetBuild(options: DatasetBuildOptions): Promise<BuildSummary> {
  const cwd = options.cwd ?? process.cwd();
  const sources = specs(options.sources, cwd);
  const name = options.recipe ?? 'notebook';
  const recipe = await loadRecipe(Object.hasOwn(BUILT_IN_RECIPES, name) ? name : path.resolve(cwd, name));
  return buildDataset({
    sources,
    outDir: path.resolve(cwd, options.out),
    recipe,
    dryRun: options.dryRun,
    shard: options.shard,
    concurrency: options.concurrency,
    onProgress: options.onProgress,
  });
}

/** The built-in recipes with their definitions, as `cxr dataset recipes` lists them. */
export function runDatasetRecipes(): { recipes: (Recipe & { definition: string[] })[] } {
  return { recipes: Object.values(BUILT_IN_RECIPES).map((r) => ({ ...r, definition: describeRecipe(r) })) };
}

/** Merges the shards of a sharded build in `out` (`mergeDatasets`): manifest.csv and summary.json. */
export async function runDatasetMerge(options: { out: string; cwd?: string }): Promise<BuildSummary> {
  return mergeDatasets(path.resolve(options.cwd ?? process.cwd(), options.out));
}

/** `--shard i/n|auto` as a commander argParser (`parseShard` of `@cxr/dataset/node`). */
export function parseShardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Counts each source by finding, view, sex and age band without converting anything (`sourceStats`). */
export async function runDatasetStats(options: DatasetStatsOptions): Promise<DatasetStatsResult> {
  const cwd = options.cwd ?? process.cwd();
  const sources = specs(options.sources, cwd);
  const results: SourceStats[] = [];
  for (const spec of sources) {
    results.push(await sourceStats(spec, { filter: options.filter, onProgress: (n) => options.onProgress?.(spec.kind, n), progressEvery: 5000 }));
  }
  return { sources: results, ...(options.filter ? { filter: options.filter } : {}), notice: 'NOT FOR CLINICAL USE' };
}

/** The text `cxr dataset stats` prints ({@link formatSourceStats} of `@cxr/dataset/node`). */
export function formatDatasetStats(r: DatasetStatsResult): string {
  return `${formatSourceStats(r.sources)}NOT FOR CLINICAL USE.\n`;
}

function parseAge(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !(x >= 0)) throw new InvalidArgumentError('expected an age in years.');
  return x;
}

function parseSex(value: string): 'M' | 'F' {
  const v = value.trim().toUpperCase();
  if (v !== 'M' && v !== 'F') throw new InvalidArgumentError('expected M or F.');
  return v;
}

const BUILD_EXAMPLE = `
Example:
  $ cxr dataset build --source covid-chestxray=../shared/data/covid-chestxray \\
      --source nih=../shared/data/nih-cxr14 --out data/cxr
  covid: COVID-19 PA X-rays; normal: "No Finding" PA X-rays of adults (18+, unknown age kept).
  writes data/cxr/covid/*.png, data/cxr/normal/*.png (8-bit grey, original size), data/cxr/manifest.csv
  (path,label,source,patientId,view,sex,age,originalPath,sha256,finding) and data/cxr/summary.json.
  Running it again reuses finished PNGs (checked by SHA-256) and converts only what is missing.

  $ cxr dataset build --recipe three-class --dry-run --source covid-chestxray=../shared/data/covid-chestxray \\
      --source nih=../shared/data/nih-cxr14 --out data/cxr3
  counts covid / pneumonia / normal per source (163 / 46 / 110 on the shared data) without writing anything;
  identical images (same SHA-256) listed under two patient ids are reported and one copy kept.

Recipes: ${Object.keys(BUILT_IN_RECIPES).join(', ')} (cxr dataset recipes shows them), or a JSON file.

Sources (--source <kind>=<dir>; nih and rsna are short for nih-cxr14 and rsna-pneumonia):
${SOURCE_KINDS.map((k) => `  ${k}: ${SOURCE_LAYOUTS[k]}`).join('\n')}

  Across processes or machines (shared storage; docs/scaling.md): run each shard, then merge:
  $ cxr dataset build --source nih=/data/nih --out /shared/cxr --shard 0/3   # and 1/3, 2/3, in parallel
  $ cxr dataset merge --out /shared/cxr
  --shard auto takes the index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job; count from CXR_SHARD_COUNT)
  or SLURM_ARRAY_TASK_ID (Slurm array; count from SLURM_ARRAY_TASK_COUNT).
NOT FOR CLINICAL USE.
`;

const STATS_EXAMPLE = `
Example:
  $ cxr dataset stats covid-chestxray=../shared/data/covid-chestxray --finding "No Finding" --modality X-ray
  counts by finding, view, sex, age band and modality, then the rows each filter keeps and how many
  of their images are present (19 rows, 14 present).
  $ cxr dataset stats nih=../shared/data/nih-cxr14 --finding "No Finding" --view PA --min-age 18 --json

NOT FOR CLINICAL USE.
`;

/** `cxr dataset build|stats`. */
export const command: CommandModule = {
  name: 'dataset',
  register(program: Command, ctx: CliContext): void {
    const dataset = program.command('dataset').description('Build a dataset from public chest X-ray sources with a recipe, list the recipes, or count a source');

    dataset
      .command('build')
      .description('Convert the images the recipe keeps to PNG, with manifest.csv and summary.json (NOT FOR CLINICAL USE)')
      .option('--source <kind=dir>', `a source (repeatable): ${SOURCE_KINDS.join('=, ')}=<dir>`, collect, [])
      .requiredOption('--out <dir>', 'output folder')
      .option('--recipe <name|file>', `a built-in recipe (${Object.keys(BUILT_IN_RECIPES).join(', ')}) or a recipe JSON file`, 'notebook')
      .option('--dry-run', 'print the counts per class and source (duplicates dropped) without converting or writing anything')
      .addOption(new Option('--concurrency <n>', 'images converted at once (default: 2-4 by CPU count)').argParser(parsePositiveInt))
      .addOption(new Option('--shard <i/n|auto>', 'convert only shard i (from 0) of n, by patient; then cxr dataset merge').argParser(parseShardOption))
      .option('--json', 'print the build summary as one JSON object (as in summary.json)')
      .addHelpText('after', BUILD_EXAMPLE)
      .action(async (opts: { source: string[]; out: string; recipe: string; dryRun?: boolean; concurrency?: number; shard?: Shard; json?: boolean }) => {
        const progress = createProgress(ctx);
        const summary = await runDatasetBuild({
          sources: opts.source,
          out: opts.out,
          recipe: opts.recipe,
          dryRun: opts.dryRun,
          concurrency: opts.concurrency,
          shard: opts.shard,
          cwd: ctx.cwd,
          onProgress: (p) => progress.status(`${p.source}: ${p.rowsRead} rows read, ${p.done}/${p.queued} images done`),
        });
        progress.end();
        ctx.stdout.write(opts.json ? `${JSON.stringify({ ...summary, dataDesign: auditBuild(summary) })}\n` : formatBuildSummary(summary));
      });

    dataset
      .command('recipes')
      .description('List the built-in recipes with their class definitions')
      .option('--json', 'print the recipes as one JSON object')
      .action((opts: { json?: boolean }) => {
        const result = runDatasetRecipes();
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatRecipes(result.recipes));
      });

    dataset
      .command('merge')
      .description('Merge the shards of a sharded build into manifest.csv and summary.json (NOT FOR CLINICAL USE)')
      .requiredOption('--out <dir>', 'the output folder every shard wrote to')
      .option('--json', 'print the merged summary as one JSON object')
      .addHelpText('after', '\nExample:\n  $ cxr dataset merge --out /shared/cxr\n  checks that shards 0..n-1 all finished, writes the manifest one process would have written.\n')
      .action(async (opts: { out: string; json?: boolean }) => {
        const summary = await runDatasetMerge({ out: opts.out, cwd: ctx.cwd });
        ctx.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : formatBuildSummary(summary));
      });

    dataset
      .command('stats')
      .description('Count a source by finding, view, sex and age band, without converting anything')
      .argument('<source...>', 'kind=dir, e.g. nih=../shared/data/nih-cxr14')
      .option('--finding <finding>', 'count the rows with this finding (hierarchy-aware; repeatable)', collect)
      .option('--view <view>', 'and this view position (repeatable)', collect)
      .option('--modality <modality>', 'and this modality (repeatable)', collect)
      .addOption(new Option('--min-age <years>', 'and at least this age (rows without an age are kept)').argParser(parseAge))
      .addOption(new Option('--max-age <years>', 'and at most this age').argParser(parseAge))
      .option('--drop-unknown-age', 'drop rows without an age from an age range')
      .addOption(new Option('--sex <M|F>', 'and this sex').argParser(parseSex))
      .option('--json', 'print the counts as one JSON object')
      .addHelpText('after', STATS_EXAMPLE)
      .action(
        async (
          sources: string[],
          opts: {
            finding?: string[];
            view?: string[];
            modality?: string[];
            minAge?: number;
            maxAge?: number;
            dropUnknownAge?: boolean;
            sex?: 'M' | 'F';
            json?: boolean;
          },
        ) => {
          const filter: RecordFilter = {
            ...(opts.finding ? { finding: opts.finding } : {}),
            ...(opts.view ? { views: opts.view } : {}),
            ...(opts.modality ? { modality: opts.modality } : {}),
            ...(opts.minAge !== undefined ? { minAge: opts.minAge } : {}),
            ...(opts.maxAge !== undefined ? { maxAge: opts.maxAge } : {}),
            ...(opts.dropUnknownAge ? { keepUnknownAge: false } : {}),
            ...(opts.sex ? { sex: opts.sex } : {}),
          };
          const progress = createProgress(ctx);
          const result = await runDatasetStats({
            sources,
            filter: Object.keys(filter).length > 0 ? filter : undefined,
            cwd: ctx.cwd,
            onProgress: (source, n) => progress.status(`${source}: ${n} rows read`),
          });
          progress.end();
          ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatDatasetStats(result));
        },
      );
  },
};
