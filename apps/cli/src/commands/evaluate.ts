import {
  EVALUATE_GROUP_BY,
  evaluateModel,
  type EvaluateModelOptions,
  type EvaluateModelResult,
  type MulticlassEvaluateResult,
} from '@cxr/model/node';
import { Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { parseProportion } from '../pipeline/optionParsers';
import { createProgress } from '../pipeline/progress';

/** `cxr evaluate`'s work: {@link evaluateModel} of `@cxr/model/node`. */
export function runEvaluate(options: EvaluateModelOptions): Promise<EvaluateModelResult> {
  return evaluateModel(options);
}

const f3 = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(3));
const ci = (i: { value: number; lower: number; upper: number } | null): string =>
  i === null || Number.isNaN(i.value) ? 'n/a' : `${f3(i.value)} (95% CI ${f3(i.lower)}-${f3(i.upper)})`;

/** The text `cxr evaluate` prints for an N-class (or argmax) model: the N x N matrix, per-class rows, groups. */
export function formatMulticlassResult(r: MulticlassEvaluateResult): string {
  const m = r.metrics;
  const out: string[] = [];
  const rule = r.decision.rule === 'argmax' ? 'the most probable class' : `${r.decision.positiveClass} at p >= ${r.decision.threshold}`;
  out.push(`Evaluated ${r.model} on ${r.data} (${r.split}): n = ${m.n}, decision: ${rule}`);
  const w = Math.max(8, ...m.classes.map((c) => c.length));
  out.push(`Confusion matrix (rows actual, columns decided ${m.classes.join(' / ')}):`);
  m.classes.forEach((c, i) => out.push(`  ${c.padEnd(w)} ${m.confusionMatrix.matrix[i].map((v) => String(v).padStart(5)).join(' ')}`));
  out.push(`Per class (one vs rest; AUC interval: bootstrap over ${m.aucBootstrap.groups} patients):`);
  for (const c of m.perClass) {
    out.push(`  ${c.label.padEnd(w)} n ${c.support}: sensitivity ${ci(c.sensitivity)}, specificity ${ci(c.specificity)}, PPV ${ci(c.ppv)}, NPV ${ci(c.npv)}, AUC ${ci(c.auc)}`);
  }
  out.push(`Accuracy ${ci(m.accuracy)}, balanced accuracy ${f3(m.balancedAccuracy)}, Cohen's kappa ${f3(m.cohenKappa)}, macro AUC ${ci(m.macroAuc)}`);
  if (r.groups) {
    out.push(`By ${r.groups.by}:`);
    for (const [g, gm] of Object.entries(r.groups.groups)) {
      out.push(`  ${g}: n ${gm.n}, accuracy ${f3(gm.accuracy.value)}, ${gm.perClass.map((c) => `sensitivity ${c.label} ${f3(c.sensitivity.value)}`).join(', ')}, macro AUC ${f3(gm.macroAuc.value)}`);
      for (const x of gm.warnings) out.push(`    undefined: ${x}`);
    }
  }
  for (const x of m.warnings) out.push(`undefined: ${x}`);
  if (r.report) out.push(`Report: ${r.report.html} (also ${r.report.markdown}, ${r.report.metricsJson})`);
  out.push('NOT FOR CLINICAL USE: these numbers describe a model on a dataset, not a diagnosis.');
  return `${out.join('\n')}\n`;
}

/** The text `cxr evaluate` prints. */
export function formatEvaluateResult(r: EvaluateModelResult): string {
  if (r.kind === 'multiclass') return formatMulticlassResult(r);
  const cm = r.confusionMatrix;
  const out: string[] = [];
  out.push(`Evaluated ${r.model} on ${r.data} (${r.split}): n = ${r.n}, threshold ${r.threshold}`);
  out.push(`Confusion matrix (rows actual, columns predicted ${cm.labels.join(' / ')}):`);
  cm.labels.forEach((l, i) => out.push(`  ${l.padEnd(8)} ${cm.matrix[i].map((v) => String(v).padStart(5)).join(' ')}`));
  out.push(`Sensitivity ${ci(r.sensitivity)}  (${cm.tp}/${cm.tp + cm.fn})`);
  out.push(`Specificity ${ci(r.specificity)}  (${cm.tn}/${cm.tn + cm.fp})`);
  out.push(`Accuracy    ${ci(r.accuracy)}`);
  out.push(`ROC AUC     ${r.auc ? ci(r.auc) : `absent: ${r.aucReason ?? 'needs both classes'}`}`);
  if (r.perSource) {
    for (const [s, m] of Object.entries(r.perSource)) {
      out.push(`  ${s}: n ${m.n}, sensitivity ${f3(m.sensitivity.value)}, specificity ${f3(m.specificity.value)}, AUC ${m.auc ? f3(m.auc.value) : 'n/a'}`);
    }
  }
  if (r.groups) {
    out.push(`By ${r.groups.by}:`);
    for (const [g, m] of Object.entries(r.groups.groups)) {
      out.push(`  ${g}: n ${m.n}, sensitivity ${f3(m.sensitivity.value)}, specificity ${f3(m.specificity.value)}, AUC ${m.auc ? f3(m.auc.value) : 'n/a'}`);
      for (const x of m.warnings) out.push(`    undefined: ${x}`);
    }
  }
  const cal = r.calibration;
  out.push(`Calibration: ECE ${f3(cal.ece)} (10 bins)${cal.temperature === null ? ', no temperature scaling' : `, temperature ${f3(cal.temperature)}`}`);
  if (r.atPrevalence) {
    out.push(`At prevalence ${r.atPrevalence.prevalence}: PPV ${f3(r.atPrevalence.ppv)}, NPV ${f3(r.atPrevalence.npv)} (from sensitivity ${f3(r.atPrevalence.sensitivity)} and specificity ${f3(r.atPrevalence.specificity)})`);
  }
  const c = r.coverage;
  if (c.checked) {
    out.push(`Coverage: ${c.decided} of ${c.n} images decided; ${c.refused} refused as outside what the model was trained on${c.reasons.length ? ` (${c.reasons.map((x) => `${x.reason}: ${x.count}`).join('; ')})` : ''}`);
    const line = (name: string, m: { n: number; accuracy: number | null; sensitivity: number | null; specificity: number | null; auc: number | null } | null): string =>
      m ? `  ${name}: n ${m.n}, accuracy ${f3(m.accuracy)}, sensitivity ${f3(m.sensitivity)}, specificity ${f3(m.specificity)}, AUC ${f3(m.auc)}` : `  ${name}: none`;
    out.push(line('all images', c.all), line('decided images', c.decidedOnly));
  }
  if (r.dataDesignWarning) out.push(r.dataDesignWarning);
  for (const w of r.warnings) if (w !== r.dataDesignWarning) out.push(`warning: ${w}`);
  if (r.report) out.push(`Report: ${r.report.html} (also ${r.report.markdown}, ${r.report.metricsJson})`);
  out.push('NOT FOR CLINICAL USE: these numbers describe a model on a dataset, not a diagnosis.');
  return `${out.join('\n')}\n`;
}

const EXAMPLE = `
Example:
  $ cxr evaluate --model models/mobilenet --data data/cxr --report reports/mobilenet
  scores the test split of data/cxr (split.csv), prints the confusion matrix, sensitivity, specificity and
  AUC with 95% CIs (per source too), and writes reports/mobilenet/report.html, report.md and metrics.json.
  $ cxr evaluate --model models/mobilenet --data some/folder --json   # folder with covid/ and/or normal/
  $ cxr evaluate ... --prevalence 0.05        # PPV/NPV at 5% prevalence, not the test set's
  Also printed: calibration (ECE), coverage (images refused as unlike the training images) with metrics on the
  decided images beside all, and the data-design warning saved with a model trained with --allow-confounded.
  $ cxr evaluate --model models/three --data data/cxr3 --group-by source --report reports/three
  a three-class model (cxr dataset build --recipe three-class): the 3x3 matrix, per-class sensitivity,
  specificity, PPV, NPV and AUC, per source too (undefined values said), in the text, --json and the report;
  --group-by finding: per finding as the source wrote it (Pneumonia/Viral/COVID-19, No Finding...).

NOT FOR CLINICAL USE.
`;

/** `cxr evaluate`. */
export const command: CommandModule = {
  name: 'evaluate',
  register(program: Command, ctx: CliContext): void {
    program
      .command('evaluate')
      .description('Evaluate a trained model on a dataset split or class folders (NOT FOR CLINICAL USE)')
      .requiredOption('--model <model-dir>', 'model folder written by cxr train')
      .requiredOption('--data <dataset>', 'built dataset (manifest.csv + split.csv) or folder with covid/ and normal/')
      .addOption(new Option('--split <name>', 'split of a built dataset').choices(['test', 'val', 'train', 'all']).default('test'))
      .option('--split-file <file>', 'split.csv to use (default <dataset>/split.csv)')
      .option('--report <dir>', 'write report.html, report.md, metrics.json and plots here')
      .addOption(new Option('--prevalence <p>', 'also give PPV and NPV at this prevalence (0..1, e.g. 0.05)').argParser(parseProportion))
      .addOption(new Option('--group-by <fact>', 'also measure each group of images (from the manifest); undefined values are said').choices([...EVALUATE_GROUP_BY]))
      .option('--json', 'print the metrics as JSON (the keys of cxr metrics, plus n, perSource)')
      .addHelpText('after', EXAMPLE)
      .action(async (opts: { model: string; data: string; split: EvaluateModelOptions['split']; splitFile?: string; report?: string; groupBy?: EvaluateModelOptions['groupBy']; json?: boolean; prevalence?: number }) => {
        const progress = createProgress(ctx);
        const result = await runEvaluate({ ...opts, cwd: ctx.cwd, progress });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatEvaluateResult(result));
      });
  },
};
