import path from 'node:path';
import { BACKBONE_NAMES, defaultCacheRoot, fetchWeights, importKerasVgg16, type BackboneName, type FetchedWeights, type ImportKerasVgg16Result } from '@cxr/model/node';
import { Argument, Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { UsageError } from '../errors';
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

/** `cxr weights import`: {@link importKerasVgg16} of `@cxr/model/node`, paths against `cwd`. */
export function runWeightsImport(options: WeightsImportOptions): Promise<ImportKerasVgg16Result> {
  const cwd = options.cwd ?? process.cwd();
  return importKerasVgg16(path.resolve(cwd, options.file), path.resolve(cwd, options.out));
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
