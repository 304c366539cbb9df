import type { ClassificationReport, ClassScores } from './classificationReport';
import { formatFixed } from './formatFixed';

/** Options of {@link formatClassificationReport}. */
export interface FormatReportOptions {
  /** Decimals of precision, recall, F1 and accuracy; 2 by default (scikit-learn's default). */
  digits?: number;
}

const HEADERS = ['precision', 'recall', 'f1-score', 'support'];
const LONGEST_HEADING = 'weighted avg';

const pad = (s: string, width: number): string => s.padStart(width);

/**
 * Lays out a {@link ClassificationReport} as text, character for character as scikit-learn's
 * `classification_report` does (right-aligned class names, columns 9 wide, an `accuracy` line, macro and
 * weighted averages; undefined values print as `nan`). The text ends with a newline.
 *
 * @example
 * console.log(formatClassificationReport(classificationReport(actual, predicted, { labels }), { digits: 3 }));
 */
export function formatClassificationReport(report: ClassificationReport, options: FormatReportOptions = {}): string {
  const digits = options.digits ?? 2;
  const width = Math.max(LONGEST_HEADING.length, digits, ...report.classes.map((c) => c.label.length));
  const row = (heading: string, s: ClassScores): string =>
    `${pad(heading, width)} ` +
    [s.precision, s.recall, s.f1Score].map((v) => ` ${pad(formatFixed(v, digits), 9)}`).join('') +
    ` ${pad(String(s.support), 9)}\n`;
  let text = `${pad('', width)} ${HEADERS.map((h) => ` ${pad(h, 9)}`).join('')}\n\n`;
  for (const c of report.classes) text += row(c.label, c);
  text += '\n';
  const total = report.macroAvg.support;
  text += `${pad('accuracy', width)} ${' '.repeat(20)} ${pad(formatFixed(report.accuracy, digits), 9)} ${pad(String(total), 9)}\n`;
  text += row('macro avg', report.macroAvg);
  text += row('weighted avg', report.weightedAvg);
  return text;
}
