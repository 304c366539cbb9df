import { cacheDatasetFeatures, type CacheDatasetFeaturesResult, type FeatureEngineChoice, type FeaturePrecision } from '@cxr/model/node';
import { Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { parseShardOption } from './dataset';
import { parsePositiveInt, parseSeed } from '../pipeline/optionParsers';
import { createProgress } from '../pipeline/progress';

/** `cxr features extract`'s work: {@link cacheDatasetFeatures} of `@cxr/model/node`. */
export const runFeaturesExtract = cacheDatasetFeatures;

/** The text `cxr features extract` prints. */
export function formatFeaturesExtract(r: CacheDatasetFeaturesResult): string {
  const part = r.shard ? `shard ${r.shard.index}/${r.shard.count}: ${r.shardImages} of ${r.images} images` : `${r.images} images`;
  return `${part}; ${r.extracted} extracted, ${r.cached} already cached (${r.precision}, ${r.backbone}${r.cutLayer ? `, cut at ${r.cutLayer}` : ''}) in ${r.cacheDir}\n`;
}

const EXAMPLE = `
Example (docs/scaling.md): fill a shared cache from 3 processes or machines, then train from it
  $ cxr features extract --data /shared/cxr --backbone mobilenet_v1 --weights <dir> --cache-dir /shared/cache --shard 0/3
  (and 1/3, 2/3 in parallel; --shard auto reads JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)
  $ cxr train --data /shared/cxr --backbone mobilenet_v1 --weights <dir> --cache-dir /shared/cache --out models/m
  Shards split by patient (as cxr dataset build --shard); keys are content hashes, so nothing is merged.
  For cxr train --fine-tune-blocks 1, extract with the same --fine-tune-blocks 1 (features below the block).
`;

/** `cxr features extract`. */
export const command: CommandModule = {
  name: 'features',
  register(program: Command, ctx: CliContext): void {
    program
      .command('features')
      .description('Fill the feature cache ahead of training, in shards across processes or machines')
      .command('extract')
      .description("Extract the frozen base's features of a dataset's images (or one shard's) into the cache")
      .requiredOption('--data <dataset>', 'built dataset (manifest.csv) or folder with covid/ and normal/')
      .addOption(new Option('--backbone <name>', 'frozen base').choices(['vgg16', 'mobilenet_v1']).default('vgg16'))
      .option('--weights <file|dir>', 'base weights, as for cxr train')
      .option('--random-weights', 'seeded random base instead of weights (demo/testing only)')
      .addOption(new Option('--seed <n>', 'seed of random weights and of a split made for int8 calibration').argParser(parseSeed).default(42))
      .addOption(new Option('--engine <name>', 'feature engine').choices(['auto', 'onnx', 'tfjs']).default('auto'))
      .addOption(new Option('--precision <p>', 'int8: calibrated on the training split, as cxr train').choices(['fp32', 'int8']).default('fp32'))
      .option('--split <split-file>', 'split.csv of the int8 calibration (default: <dataset>/split.csv, made if absent)')
      .option('--clahe', 'CLAHE before resizing, as cxr train --clahe')
      .option('--lung-crop', 'the lung-field crop, as cxr train --lung-crop')
      .option('--cache-dir <dir>', 'feature cache (default $CXR_CACHE_DIR/features or ~/.cache/cxr/features)')
      .addOption(new Option('--fine-tune-blocks <n>', 'as cxr train --fine-tune-blocks: features of the backbone cut below the blocks').argParser(parsePositiveInt))
      .addOption(new Option('--shard <i/n|auto>', 'only shard i (from 0) of n, by patient').argParser(parseShardOption))
      .option('--json', 'print the counts as one JSON object')
      .addHelpText('after', EXAMPLE)
      .action(async (opts: { data: string; backbone: string; weights?: string; randomWeights?: boolean; seed: number; engine: FeatureEngineChoice; precision: FeaturePrecision; split?: string; clahe?: boolean; lungCrop?: boolean; fineTuneBlocks?: number; cacheDir?: string; shard?: { index: number; count: number }; json?: boolean }) => {
        const result = await runFeaturesExtract({ ...opts, ...(opts.fineTuneBlocks ? { fineTune: { blocks: opts.fineTuneBlocks } } : {}), cwd: ctx.cwd, progress: createProgress(ctx) });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatFeaturesExtract(result));
      });
  },
};
