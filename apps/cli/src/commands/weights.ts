import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BACKBONE_NAMES, defaultCacheRoot, fetchWeights, initBackend, loadBackbone, modelToFiles, readKerasH5Weights, type BackboneName, type FetchedWeights } from '@cxr/model/node';
import { Argument, Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { InputError, UsageError } from '../errors';
import { parseHttpUrl } from '../pipeline/optionParsers';
import { createProgress, type Progress } from '../pipeline/progress';

/** Options of {@link runWeightsFetch}. */
export interface WeightsFetchOptions {
  name: string;
  /** Default `$CXR_CACHE_DIR/weights` or `~/.cache/cxr/weights`. */
  cacheDir?: string;
  /** A mirror or test server instead of the official URL. */
  url?: string;
  cwd?: string;
  progress?: Progress;
}

/** Options of {@link runWeightsImport}. */
export interface WeightsImportOptions {
  /** A Keras VGG16 `.h5` (the official notop file, or a whole-model file). */
  file: string;
  out: string;
  cwd?: string;
}

/** What `cxr weights import` wrote. */
export interface WeightsImportResult {
  out: string;
  files: string[];
  layers: number;
  parameters: number;
  weightsHash: string;
}

/** Downloads (once, resumably, checksum-verified) the official ImageNet weights of a backbone into the cache. */
export async function runWeightsFetch(options: WeightsFetchOptions): Promise<FetchedWeights> {
  if (!BACKBONE_NAMES.includes(options.name as BackboneName)) throw new UsageError(`unknown backbone ${JSON.stringify(options.name)}: expected ${BACKBONE_NAMES.join(' or ')}`);
  const cwd = options.cwd ?? process.cwd();
  const cacheDir = path.resolve(cwd, options.cacheDir ?? path.join(defaultCacheRoot(), 'weights'));
  const got = await fetchWeights(options.name as BackboneName, {
    cacheDir,
    url: options.url,
    onProgress: (p) => options.progress?.bar(`download ${options.name}`, Math.round(p.receivedBytes / 1e6), Math.round((p.totalBytes ?? p.receivedBytes) / 1e6), 'MB'),
  });
  options.progress?.end();
  return got;
}

/**
 * Converts a Keras VGG16 `.h5` into the tfjs layers format (`model.json` + shards) in `out`, which `cxr train
 * --weights <out>` and a browser can read. Written into a temporary sibling folder renamed into place.
 */
export async function runWeightsImport(options: WeightsImportOptions): Promise<WeightsImportResult> {
  const cwd = options.cwd ?? process.cwd();
  const file = path.resolve(cwd, options.file);
  const out = path.resolve(cwd, options.out);
  if (!/\.(h5|hdf5)$/i.test(file)) throw new InputError(`${file}: expected a Keras .h5 weights file`);
  const existing = await stat(out).then(() => readdir(out), () => null);
  if (existing && existing.length > 0) throw new InputError(`${out}: exists and is not empty; choose another --out`);
  await initBackend();
  const backbone = await loadBackbone({ name: 'vgg16', weights: file, vgg16: await vggShapeOf(file) });
  try {
    const files = await modelToFiles(backbone.model);
    const tmp = `${out}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await mkdir(tmp, { recursive: true });
    try {
      for (const s of files.shards) await writeFile(path.join(tmp, s.name), s.data);
      await writeFile(path.join(tmp, 'model.json'), JSON.stringify(files.modelJson));
      if (existing) await rm(out, { recursive: true, force: true });
      await rename(tmp, out);
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      throw new InputError(`${out}: cannot write the converted weights (${(error as Error).message})`, { cause: error });
    }
    return {
      out,
      files: ['model.json', ...files.shards.map((s) => s.name)],
      layers: backbone.model.layers.length,
      parameters: backbone.info.parameters,
      weightsHash: backbone.weightsHash,
    };
  } finally {
    backbone.model.dispose();
  }
}

/**
 * The VGG-like architecture a Keras file holds: its number of blocks (`blockN_conv*` layers) and width (filters of
 * `block1_conv1` / 64). The official VGG16 file gives 5 blocks, width 1.
 */
async function vggShapeOf(file: string): Promise<{ blocks: number; widthMultiplier: number }> {
  const { layers } = await readKerasH5Weights(file);
  let blocks = 0;
  for (const name of layers.keys()) {
    const m = /^block(\d+)_conv\d+$/.exec(name);
    if (m) blocks = Math.max(blocks, Number(m[1]));
  }
  const kernel = layers.get('block1_conv1')?.find((w) => w.shape.length === 4);
  if (blocks === 0 || !kernel) throw new InputError(`${file}: not a Keras VGG16 weights file (no block1_conv1 kernel)`);
  return { blocks, widthMultiplier: kernel.shape[3] / 64 };
}

const FETCH_EXAMPLE = `
Example:
  $ cxr weights fetch mobilenet_v1
  ~/.cache/cxr/weights/mobilenet_v1_1.0_224 (the folder to give cxr train --weights; cut after conv_pw_13_relu)
  $ cxr weights fetch vgg16 --cache-dir weights    # Keras vgg16 notop .h5 (58 MB), MD5-checked
  Interrupted downloads resume; a file gets its final name only when whole and verified.
`;

const IMPORT_EXAMPLE = `
Example:
  $ cxr weights import vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 --out weights/vgg16-tfjs
  writes weights/vgg16-tfjs/model.json + group1-shard*.bin; then cxr train --backbone vgg16 --weights weights/vgg16-tfjs
`;

/** `cxr weights fetch|import`. */
export const command: CommandModule = {
  name: 'weights',
  register(program: Command, ctx: CliContext): void {
    const weights = program.command('weights').description('Get ImageNet weights for the frozen base (download, or convert a Keras .h5)');
    weights
      .command('fetch')
      .description('Download the official ImageNet weights of a backbone into the cache')
      .addArgument(new Argument('<backbone>', 'vgg16 or mobilenet_v1').choices(['vgg16', 'mobilenet_v1']))
      .option('--cache-dir <dir>', 'weights cache (default $CXR_CACHE_DIR/weights or ~/.cache/cxr/weights)')
      .addOption(new Option('--url <url>', 'download from this URL instead (a mirror)').argParser(parseHttpUrl))
      .option('--json', 'print the result as JSON')
      .addHelpText('after', FETCH_EXAMPLE)
      .action(async (name: string, opts: { cacheDir?: string; url?: string; json?: boolean }) => {
        const result = await runWeightsFetch({ name, ...opts, cwd: ctx.cwd, progress: createProgress(ctx) });
        ctx.stdout.write(
          opts.json ? `${JSON.stringify(result)}\n` : `${result.path}\n${result.cached ? 'already in the cache' : 'downloaded'}; sha256 ${result.sha256}. Use: cxr train --backbone ${name} --weights ${result.path}\n`,
        );
      });
    weights
      .command('import')
      .description('Convert a Keras VGG16 .h5 into the tfjs layers format')
      .argument('<keras.h5>', 'Keras weights file')
      .requiredOption('--out <dir>', 'folder to write model.json and shards into')
      .option('--json', 'print the result as JSON')
      .addHelpText('after', IMPORT_EXAMPLE)
      .action(async (file: string, opts: { out: string; json?: boolean }) => {
        const result = await runWeightsImport({ file, out: opts.out, cwd: ctx.cwd });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `Wrote ${result.out} (${result.files.length} files, ${result.layers} layers, ${result.parameters} parameters)\n`);
      });
  },
};
