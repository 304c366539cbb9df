import { formatClassificationReport, formatFixed, type Interval } from '@cxr/metrics';
import { DECIMAL_NUMBER, measurePredictions, type MeasurePredictionsOptions, type MeasurePredictionsResult } from '@cxr/report';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { parsePositiveInt, parseSeed } from '../pipeline/optionParsers';

/** `cxr metrics`'s work: {@link measurePredictions} of `@cxr/report`. */
export function runMetrics(options: MeasurePredictionsOptions): Promise<MeasurePredictionsResult> {
  return measurePredictions(options);
}

const f3 = (x: number | null): string => (x === null ? 'n/a' : Number.isNaN(x) ? 'undefined' : formatFixed(x, 3));

function intervalLine(name: string, ci: Interval | null, counts: string, level: number): string {
  if (ci === null || Number.isNaN(ci.value)) return `${name.padEnd(22)}undefined${counts ? `  (${counts})` : ''}`;
  return `${name.padEnd(22)}${f3(ci.value)}  ${Math.round(level * 100)}% CI ${f3(ci.lower)}-${f3(ci.upper)}${counts ? `  (${counts})` : ''}`;
}

/** The text `cxr metrics` prints: report, confusion matrix, rates with CIs, AUC, warnings, the clinical notice. */
export function formatMetrics(r: MeasurePredictionsResult): string {
  const cm = r.confusionMatrix;
  const level = r.confidenceLevel;
  const out: string[] = [];
  out.push(`Predictions: ${r.predictions} (n = ${r.n}; positive ${JSON.stringify(r.positiveLabel)}, negative ${JSON.stringify(r.negativeLabel)}; predicted positive when score >= ${r.threshold})`);
  out.push('');
  out.push(formatClassificationReport(r.classificationReport).trimEnd());
  out.push('');
  out.push('Confusion matrix (rows: actual, columns: predicted):');
  const rowNames = cm.labels.map((l) => `actual ${l}`);
  const colNames = cm.labels.map((l) => `predicted ${l}`);
  const first = Math.max(...rowNames.map((n) => n.length));
  const widths = colNames.map((n, j) => Math.max(n.length, ...cm.matrix.map((row) => String(row[j]).length)));
  out.push(`${''.padEnd(first)}  ${colNames.map((n, j) => n.padStart(widths[j])).join('  ')}`);
  cm.matrix.forEach((row, i) => out.push(`${rowNames[i].padEnd(first)}  ${row.map((v, j) => String(v).padStart(widths[j])).join('  ')}`));
  out.push('');
  out.push(intervalLine('Sensitivity (recall)', r.sensitivity, `${cm.tp}/${cm.tp + cm.fn}`, level));
  out.push(intervalLine('Specificity', r.specificity, `${cm.tn}/${cm.tn + cm.fp}`, level));
  out.push(intervalLine('PPV (precision)', r.precision, `${cm.tp}/${cm.tp + cm.fp}`, level));
  out.push(intervalLine('NPV', r.npv, `${cm.tn}/${cm.tn + cm.fn}`, level));
  out.push(intervalLine('Accuracy', r.accuracy, `${cm.tp + cm.tn}/${r.n}`, level));
  out.push(
    intervalLine(
      'ROC AUC',
      r.auc,
      r.auc === null ? '' : `${r.aucBootstrap.method}, ${r.aucBootstrap.iterations} resamples, seed ${r.aucBootstrap.seed}`,
      level,
    ),
  );
  out.push(`${'Average precision'.padEnd(22)}${f3(r.averagePrecision)}`);
  out.push(`${'F1 / MCC / Youden J'.padEnd(22)}${f3(r.f1)} / ${f3(r.mcc)} / ${f3(r.youdenJ)}`);
  if (r.warnings.length > 0) {
    out.push('');
    for (const w of r.warnings) out.push(`warning: ${w}`);
  }
  out.push('');
  out.push('NOT FOR CLINICAL USE: research software; these numbers describe a model on a dataset, not a diagnosis.');
  return `${out.join('\n')}\n`;
}

function parseProbability(value: string): number {
  const x = Number(value);
  if (!DECIMAL_NUMBER.test(value.trim()) || !(x >= 0 && x <= 1)) throw new InvalidArgumentError('expected a number between 0 and 1.');
  return x;
}

const EXAMPLE = `
Example:
  $ cat preds.csv
  path,label,score
  images/a.png,covid,0.93
  images/b.png,normal,0.12
  "images/c, left.png",covid,0.41
  $ cxr metrics --predictions preds.csv --positive covid --threshold 0.5
  prints the classification report, the confusion matrix, sensitivity, specificity, PPV, NPV and
  accuracy with Wilson 95% CIs, and ROC AUC with a stratified bootstrap 95% CI.
  $ cxr metrics --predictions preds.csv --json > metrics.json

Scores are the positive class's probability; a row is predicted positive when score >= threshold.
NOT FOR CLINICAL USE.
`;

/** `cxr metrics`: evaluates a predictions CSV. */
export const command: CommandModule = {
  name: 'metrics',
  register(program: Command, ctx: CliContext): void {
    program
      .command('metrics')
      .description('Measure predictions in a CSV: classification report, confusion matrix, rates and AUC with 95% CIs (NOT FOR CLINICAL USE)')
      .requiredOption('--predictions <file>', 'CSV with one row per image: a label column and a score column')
      .option('--label-column <name>', 'column holding the actual class', 'label')
      .option('--score-column <name>', "column holding the positive class's probability", 'score')
      .option('--positive <label>', 'positive class (default: covid, if present)')
      .option('--negative <label>', 'negative class (default: the other label present)')
      .addOption(new Option('--threshold <t>', 'predict positive when score >= t').default(0.5).argParser(parseProbability))
      .addOption(new Option('--bootstrap <n>', 'resamples of the AUC bootstrap').default(2000).argParser(parsePositiveInt))
      .addOption(new Option('--seed <n>', 'seed of the AUC bootstrap').default(42).argParser(parseSeed))
      .option('--json', 'print the result as one JSON object (keys as in binaryMetrics of @cxr/metrics)')
      .addHelpText('after', EXAMPLE)
      .action(async (opts: Record<string, string | number | boolean | undefined>) => {
        const result = await runMetrics({
          predictions: opts.predictions as string,
          labelColumn: opts.labelColumn as string,
          scoreColumn: opts.scoreColumn as string,
          positive: opts.positive as string | undefined,
          negative: opts.negative as string | undefined,
          threshold: opts.threshold as number,
          bootstrapIterations: opts.bootstrap as number,
          seed: opts.seed as number,
          cwd: ctx.cwd,
        });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatMetrics(result));
      });
  },
};
