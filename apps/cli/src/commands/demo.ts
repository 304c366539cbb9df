import { DEMO_RECIPES, runDemo as runDemoPipeline, type DemoOptions, type DemoRecipe, type DemoResult, type DemoSize } from '@cxr/model/node';
import { Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { abortOnSigint } from '../pipeline/abortOnSigint';
import { parseSeed } from '../pipeline/optionParsers';
import { createProgress } from '../pipeline/progress';

/** `cxr demo`'s work: {@link runDemoPipeline | runDemo} of `@cxr/model/node`. */
export function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  return runDemoPipeline(options);
}

const f3 = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(3));

/** The text `cxr demo` prints: what ran, the numbers, and where everything went. */
export function formatDemoResult(r: DemoResult): string {
  const e = r.evaluation;
  const p = r.prediction.predictions[0];
  const m = e.kind === 'multiclass' ? e.metrics : null;
  const shown = (e.kind === 'binary' ? e.positiveLabel : p?.ok ? p.decision : '') ?? '';
  return [
    `cxr demo finished in ${r.seconds.toFixed(1)} s (synthetic data; NOT FOR CLINICAL USE)`,
    `Backbone: ${r.weights.description}`,
    `Backend: tfjs ${r.train.backend.name}; features: ${r.train.engine}`,
    `Split: ${r.train.split.train} train / ${r.train.split.val} val / ${r.train.split.test} test (patient-level)`,
    e.kind === 'binary'
      ? `Test split: n ${e.n}, TP ${e.confusionMatrix.tp} FN ${e.confusionMatrix.fn} TN ${e.confusionMatrix.tn} FP ${e.confusionMatrix.fp}; sensitivity ${f3(e.sensitivity.value)}, specificity ${f3(e.specificity.value)}, AUC ${e.auc ? `${f3(e.auc.value)} (95% CI ${f3(e.auc.lower)}-${f3(e.auc.upper)})` : 'n/a'}`
      : `Test split: n ${m?.n}, accuracy ${f3(m?.accuracy.value)}, macro AUC ${f3(m?.macroAuc.value)} (95% CI ${f3(m?.macroAuc.lower)}-${f3(m?.macroAuc.upper)}); confusion matrix (rows actual, columns decided: ${m?.classes.join(', ')}): ${m?.confusionMatrix.matrix.map((row) => row.join(' ')).join(' / ')}`,
    p?.ok ? `Prediction: ${p.path}: ${p.decision} (${shown} ${f3(p.probabilities[shown])})` : `Prediction failed: ${p && !p.ok ? p.error : 'none'}`,
    '',
    `Synthetic sources: ${r.sources}`,
    `Dataset:           ${r.dataset} (manifest.csv, split.csv)`,
    `Model:             ${r.model} (serve it to the web app as /model/)`,
    `Report:            ${r.report}`,
    `Heatmap:           ${r.heatmap ?? 'none'}`,
    'NOT FOR CLINICAL USE.',
    '',
  ].join('\n');
}

const EXAMPLE = `
Example:
  $ cxr demo
  makes a synthetic dataset in ./cxr-demo/sources (covid-chestxray, NIH and RSNA DICOM formats), builds it,
  trains (MobileNet v1 ImageNet weights when found: --weights, CXR_WEIGHTS_DIR, the weights cache or
  ../shared/data/weights; else a seeded random base, NOT ImageNet), evaluates on the held-out test split,
  writes ./cxr-demo/report/report.html and a Grad-CAM heatmap in ./cxr-demo/predict. Offline.
  $ cxr demo --out /tmp/demo --seed 7 --random-weights
  $ cxr demo --recipe three-class    # covid / other pneumonia / normal: the 3x3 matrix and per-class rows

NOT FOR CLINICAL USE.
`;

/** `cxr demo`. */
export const command: CommandModule = {
  name: 'demo',
  register(program: Command, ctx: CliContext): void {
    program
      .command('demo')
      .description('Run the whole pipeline on a built-in synthetic dataset, offline (NOT FOR CLINICAL USE)')
      .option('--out <dir>', 'output folder', 'cxr-demo')
      .option('--weights <dir>', 'pretrained weights (tfjs layers folder or VGG16 .h5); found automatically otherwise')
      .option('--random-weights', 'do not look for weights: seeded random base (NOT ImageNet)')
      .addOption(new Option('--seed <n>', 'seed of the data, split and training').argParser(parseSeed).default(42))
      .addOption(new Option('--size <size>', 'default, or small (tiny images, for tests)').choices(['default', 'small']).default('default'))
      .addOption(new Option('--recipe <name>', 'notebook (covid vs normal) or three-class (covid / pneumonia / normal)').choices(DEMO_RECIPES).default('notebook'))
      .option('--json', 'print the result as JSON')
      .addHelpText('after', EXAMPLE)
      .action(async (opts: { out: string; weights?: string; randomWeights?: boolean; seed: number; size: DemoSize; recipe: DemoRecipe; json?: boolean }) => {
        const progress = createProgress(ctx);
        const result = await abortOnSigint((signal) => runDemo({ ...opts, cwd: ctx.cwd, signal, progress }));
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatDemoResult(result));
      });
  },
};
