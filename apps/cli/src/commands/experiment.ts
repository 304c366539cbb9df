import { BACKBONE_NAMES, MITIGATION_NAMES, runExperimentLoso as runLosoExperiment, type ExperimentLosoOptions, type ExperimentLosoResult } from '@cxr/model/node';
import { Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { parsePositiveInt, parseSeed } from '../pipeline/optionParsers';

/** `cxr experiment loso`'s work: `runExperimentLoso` of `@cxr/model/node`. */
export function runExperimentLoso(options: ExperimentLosoOptions): Promise<ExperimentLosoResult> {
  return runLosoExperiment(options);
}

const EXAMPLE = `
Example:
  $ cxr dataset build --source covid-chestxray=../shared/data/covid-chestxray --source nih=../shared/data/nih-cxr14 --out data
  $ cxr experiment loso --data data --backbone mobilenet_v1 \\
      --weights ../shared/data/weights/mobilenet_v1_1.0_224_conv_pw_12 \\
      --mitigation clahe lung-crop source-balanced val-threshold --out results/loso
  trains the notebook's head without each source that can be held out and tests on it (a source holding every
  covid image cannot be: its normals are held out instead), reports the internal patient-level test beside it,
  and probes whether features and scores predict the SOURCE (AUC > 0.8 raises a SHORTCUT ALARM).
  Writes results/loso/report.md and report.json; --json prints the JSON.

Mitigations: ${MITIGATION_NAMES.join(', ')} (none is always run).
NOT FOR CLINICAL USE.
`;

/** `cxr experiment`: honest-evaluation experiments (leave-one-source-out, shortcut alarm). */
export const command: CommandModule = {
  name: 'experiment',
  register(program: Command, ctx: CliContext): void {
    const experiment = program.command('experiment').description('Honest-evaluation experiments: leave-one-source-out validation and the shortcut alarm (NOT FOR CLINICAL USE)');
    experiment
      .command('loso')
      .description('Leave-one-source-out validation, cross-source normals and source probes, per mitigation')
      .requiredOption('--data <dir>', 'dataset built by cxr dataset build (manifest.csv; split.csv is used when present)')
      .requiredOption('--backbone <name>', `frozen base: ${BACKBONE_NAMES.join(', ')}`)
      .option('--weights <dir>', 'weights of the base (MobileNet v1: tfjs layers folder)')
      .option('--out <dir>', 'folder for report.md and report.json (default <data>/experiments/loso)')
      .option('--mitigation <name...>', `mitigations to measure besides none: ${MITIGATION_NAMES.filter((m) => m !== 'none').join(', ')}`)
      .option('--cache-dir <dir>', 'feature cache (default <data>/.cache/features)')
      .addOption(new Option('--seed <n>', 'seed of splits, training and bootstraps').default(42).argParser(parseSeed))
      .addOption(new Option('--folds <n>', 'cross-validation folds of the probes').default(5).argParser(parsePositiveInt))
      .addOption(new Option('--epochs <n>', 'head training epochs').default(10).argParser(parsePositiveInt))
      .addOption(new Option('--bootstrap <n>', 'bootstrap resamples of AUC intervals').default(2000).argParser(parsePositiveInt))
      .option('--json', 'print the report as JSON')
      .addHelpText('after', EXAMPLE)
      .action(async (opts: Record<string, unknown>) => {
        const result = await runExperimentLoso({
          data: opts.data as string,
          backbone: opts.backbone as string,
          weights: opts.weights as string | undefined,
          out: opts.out as string | undefined,
          mitigations: opts.mitigation as string[] | undefined,
          cacheDir: opts.cacheDir as string | undefined,
          seed: opts.seed as number,
          folds: opts.folds as number,
          epochs: opts.epochs as number,
          bootstrapIterations: opts.bootstrap as number,
          cwd: ctx.cwd,
          onProgress: (m) => ctx.stderr.write(`${m}\n`),
        });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result.report)}\n` : `${result.markdown}\nWrote ${result.files.markdown} and ${result.files.json}\n`);
      });
  },
};
