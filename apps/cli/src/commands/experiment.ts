import { BACKBONE_NAMES, DEFAULT_RANK_CONFIGURATIONS, MITIGATION_NAMES, runExperimentLoso, runExperimentRank, TRAIN_CONFIGURATION_FLAGS } from '@cxr/model/node';
import { Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { parsePositiveInt, parseSeed } from '../pipeline/optionParsers';

// `cxr experiment loso` and `rank` each call one library function of @cxr/model/node (tests call them from here).
export { runExperimentLoso, runExperimentRank };

const RANK_EXAMPLE = `
Example:
  $ cxr dataset build --recipe three-class --source covid-chestxray=../shared/data/covid-chestxray --source nih=../shared/data/nih-cxr14 --out data3
  $ cxr experiment rank --data data3 --backbone mobilenet_v1 --weights ../shared/data/weights/mobilenet_v1_1.0_224_conv_pw_12 --configuration none clahe clahe+spectral-decoupling
  ranks recipe x configuration by the worst held-out source's specificity at internal sensitivity 0.95 (mean, min-max
  over seeds, pooled Wilson interval), then the same-collection covid-vs-pneumonia AUC; a row beats the baseline (first
  recipe + first configuration) when its seed range lies wholly above and its AUC range not below.
A configuration: cxr train flags without dashes joined by +: none, ${TRAIN_CONFIGURATION_FLAGS.join(', ')}
(spectral-decoupling=0.1, source-adversarial=1 unless given). Default: ${DEFAULT_RANK_CONFIGURATIONS.join(' ')}.
NOT FOR CLINICAL USE.
`;

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

/** The options `loso` and `rank` share: the dataset, the frozen base, the cache, the head, the intervals, --json. */
function sharedOptions(cmd: Command, data: string, folds: string, bootstrap: number): Command {
  return cmd
    .requiredOption('--data <dir>', data)
    .requiredOption('--backbone <name>', `frozen base: ${BACKBONE_NAMES.join(', ')}`)
    .option('--weights <dir>', 'weights of the base (MobileNet v1: tfjs layers folder)')
    .option('--cache-dir <dir>', 'feature cache (default <data>/.cache/features)')
    .addOption(new Option('--folds <n>', folds).default(5).argParser(parsePositiveInt))
    .addOption(new Option('--epochs <n>', 'head training epochs').default(10).argParser(parsePositiveInt))
    .addOption(new Option('--bootstrap <n>', 'bootstrap resamples of AUC intervals').default(bootstrap).argParser(parsePositiveInt))
    .option('--json', 'print the report as JSON');
}

type SharedOpts = { data: string; backbone: string; weights?: string; cacheDir?: string; folds: number; epochs: number; bootstrap: number; json?: boolean };

/** `cxr experiment`: honest-evaluation experiments (leave-one-source-out, shortcut alarm, the generalisation ranking). */
export const command: CommandModule = {
  name: 'experiment',
  register(program: Command, ctx: CliContext): void {
    const experiment = program.command('experiment').description('Honest-evaluation experiments: leave-one-source-out, the shortcut alarm, the generalisation ranking (NOT FOR CLINICAL USE)');
    const onProgress = (m: string) => ctx.stderr.write(`${m}\n`);
    sharedOptions(experiment.command('loso'), 'dataset built by cxr dataset build (manifest.csv; split.csv is used when present)', 'cross-validation folds of the probes', 2000)
      .description('Leave-one-source-out validation, cross-source normals and source probes, per mitigation')
      .option('--out <dir>', 'folder for report.md and report.json (default <data>/experiments/loso)')
      .option('--mitigation <name...>', `mitigations to measure besides none: ${MITIGATION_NAMES.filter((m) => m !== 'none').join(', ')}`)
      .addOption(new Option('--seed <n>', 'seed of splits, training and bootstraps').default(42).argParser(parseSeed))
      .addHelpText('after', EXAMPLE)
      .action(async (opts: SharedOpts & { out?: string; mitigation?: string[]; seed: number }) => {
        const result = await runExperimentLoso({ ...opts, mitigations: opts.mitigation, bootstrapIterations: opts.bootstrap, cwd: ctx.cwd, onProgress });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result.report)}\n` : `${result.markdown}\nWrote ${result.files.markdown} and ${result.files.json}\n`);
      });
    sharedOptions(experiment.command('rank'), 'dataset built by cxr dataset build --recipe three-class (covid, pneumonia, normal)', 'cross-fitting folds', 1000)
      .description('Rank recipes x train configurations x seeds by held-out-source specificity and the same-collection AUC')
      .option('--recipe <name...>', "built-in recipes to train (default notebook three-class; the first is the baseline's)")
      .option('--configuration <options...>', "train configurations (the first is the baseline's)")
      .addOption(new Option('--seeds <list>', 'comma-separated seeds').default([1, 2, 3], '1,2,3').argParser((v: string) => v.split(',').map(parseSeed)))
      .addHelpText('after', RANK_EXAMPLE)
      .action(async (opts: SharedOpts & { recipe?: string[]; configuration?: string[]; seeds: number[] }) => {
        const result = await runExperimentRank({ ...opts, recipes: opts.recipe, configurations: opts.configuration, bootstrapIterations: opts.bootstrap, cwd: ctx.cwd, onProgress });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result.report)}\n` : result.markdown);
      });
  },
};
