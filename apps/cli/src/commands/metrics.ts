import path from 'node:path';
import {
  binaryMetrics,
  classificationReport,
  formatClassificationReport,
  formatFixed,
  InvalidScoreError,
  UnknownLabelError,
  type BinaryMetrics,
  type ClassificationReport,
  type Interval,
} from '@cxr/metrics';
import { readCsvRecords } from '@cxr/dataset/node';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { InputError, UsageError } from '../errors';
import { parsePositiveInt, parseSeed } from '../pipeline/optionParsers';

/** Options of {@link runMetrics} (the flags of `cxr metrics`). */
export interface MetricsOptions {
  /** CSV with one row per image: a label column and a score column (the positive class's probability). */
  predictions: string;
  /** Column holding the actual class name; `label` by default. */
  labelColumn?: string;
  /** Column holding the positive class's probability; `score` by default. */
  scoreColumn?: string;
  /** The positive class; `covid` when omitted and present among the labels. */
  positive?: string;
  /** The negative class; the one other label present when omitted. */
  negative?: string;
  /** Predict positive when `score >= threshold`; 0.5 by default. */
  threshold?: number;
  /** Resamples of the AUC bootstrap; 2000 by default. */
  bootstrapIterations?: number;
  /** Seed of the AUC bootstrap; 42 by default. */
  seed?: number;
  /** Directory against which a relative `predictions` path is resolved; the process's by default. */
  cwd?: string;
}

/** What `cxr metrics` measured: the keys of `binaryMetrics` plus the per-class report and the file. */
export interface MetricsResult extends BinaryMetrics {
  /** The predictions file, as given. */
  predictions: string;
  /** Per-class precision, recall, F1 and support at the threshold (scikit-learn's classification report). */
  classificationReport: ClassificationReport;
  notice: 'NOT FOR CLINICAL USE';
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a predictions CSV and measures it: `binaryMetrics` of `@cxr/metrics` (confusion matrix, Wilson CIs,
 * bootstrap AUC CI, curves) and the classification report at the threshold. Returns the data; printing is
 * {@link formatMetrics}. The CSV is streamed by `readCsvRecords` of `@cxr/dataset/node`: a missing file or malformed
 * CSV is its `MetadataSchemaError` naming the file (and line). A missing column, a bad label or a non-numeric score
 * is an `InputError` naming the file and line; a missing `--positive` when no `covid` label exists is a `UsageError`.
 */
export async function runMetrics(options: MetricsOptions): Promise<MetricsResult> {
  const file = options.predictions;
  const fullPath = path.resolve(options.cwd ?? process.cwd(), file);
  const labelColumn = options.labelColumn ?? 'label';
  const scoreColumn = options.scoreColumn ?? 'score';
  const threshold = options.threshold ?? 0.5;

  const labels: string[] = [];
  const scores: number[] = [];
  const lines: number[] = [];
  let header: string[] | undefined;
  let labelIndex = -1;
  let scoreIndex = -1;
  for await (const { fields, line } of readCsvRecords(fullPath, { displayName: file })) {
    if (header === undefined) {
      header = fields.map((f) => f.trim());
      labelIndex = header.indexOf(labelColumn);
      scoreIndex = header.indexOf(scoreColumn);
      const columns = header.map((h) => JSON.stringify(h)).join(', ');
      if (labelIndex < 0) throw new InputError(`${file}: no column ${JSON.stringify(labelColumn)} (columns: ${columns}); use --label-column`);
      if (scoreIndex < 0) throw new InputError(`${file}: no column ${JSON.stringify(scoreColumn)} (columns: ${columns}); use --score-column`);
      continue;
    }
    if (fields.length !== header.length) {
      throw new InputError(`${file}, line ${line}: expected ${header.length} fields like the header, found ${fields.length}`);
    }
    const label = fields[labelIndex].trim();
    if (label === '') throw new InputError(`${file}, line ${line}: empty label in column ${JSON.stringify(labelColumn)}`);
    const rawScore = fields[scoreIndex].trim();
    const score = Number(rawScore);
    if (!NUMBER.test(rawScore) || !(score >= 0 && score <= 1)) {
      throw new InputError(
        `${file}, line ${line}: score ${JSON.stringify(rawScore)} in column ${JSON.stringify(scoreColumn)} is not a number in [0, 1]`,
      );
    }
    labels.push(label);
    scores.push(score);
    lines.push(line);
  }
  if (header === undefined) throw new InputError(`${file}: empty file (expected a header row and one row per image)`);
  if (labels.length === 0) throw new InputError(`${file}: no data rows after the header`);

  const present = [...new Set(labels)];
  const listed = present.map((l) => JSON.stringify(l)).join(', ');
  let positive = options.positive;
  if (positive === undefined) {
    if (!present.includes('covid')) throw new UsageError(`--positive is required: no "covid" label in ${file} (labels: ${listed})`);
    positive = 'covid';
  }
  const others = present.filter((l) => l !== positive && l !== options.negative);
  if (!present.includes(positive) && others.length > (options.negative === undefined ? 1 : 0)) {
    throw new UsageError(`--positive ${JSON.stringify(positive)} is not a label in ${file} (labels: ${listed})`);
  }

  let metrics: BinaryMetrics;
  try {
    metrics = binaryMetrics({
      labels,
      scores,
      positiveLabel: positive,
      negativeLabel: options.negative,
      threshold,
      bootstrap: { iterations: options.bootstrapIterations, seed: options.seed },
      source: file,
    });
  } catch (error) {
    // Name the file's line rather than the sample's index.
    if (error instanceof UnknownLabelError && error.index !== undefined) {
      const negative = options.negative ?? present.find((l) => l !== positive);
      throw new InputError(
        `${file}, line ${lines[error.index]}: label ${JSON.stringify(error.label)} is neither the positive ${JSON.stringify(positive)} ` +
          `nor the negative ${JSON.stringify(negative)}; binary metrics need exactly two classes`,
        { cause: error },
      );
    }
    if (error instanceof InvalidScoreError) {
      throw new InputError(`${file}, line ${lines[error.index]}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const [negativeName, positiveName] = metrics.confusionMatrix.labels;
  const predicted = scores.map((s) => (s >= threshold ? positiveName : negativeName));
  const report = classificationReport(labels, predicted, { labels: [negativeName, positiveName], source: file });
  return { ...metrics, predictions: file, classificationReport: report, notice: 'NOT FOR CLINICAL USE' };
}

const f3 = (x: number | null): string => (x === null ? 'n/a' : Number.isNaN(x) ? 'undefined' : formatFixed(x, 3));

function intervalLine(name: string, ci: Interval | null, counts: string, level: number): string {
  if (ci === null || Number.isNaN(ci.value)) return `${name.padEnd(22)}undefined${counts ? `  (${counts})` : ''}`;
  return `${name.padEnd(22)}${f3(ci.value)}  ${Math.round(level * 100)}% CI ${f3(ci.lower)}-${f3(ci.upper)}${counts ? `  (${counts})` : ''}`;
}

/** The text `cxr metrics` prints: report, confusion matrix, rates with CIs, AUC, warnings, the clinical notice. */
export function formatMetrics(r: MetricsResult): string {
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
  if (!NUMBER.test(value.trim()) || !(x >= 0 && x <= 1)) throw new InvalidArgumentError('expected a number between 0 and 1.');
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
