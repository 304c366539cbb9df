import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatClassificationReport, type Interval, type MulticlassMetrics } from '@cxr/metrics';
import { ReportError } from './errors';
import { CLINICAL_BANNER, CLINICAL_DISCLAIMER } from './reportSections';
import { commitDirectory } from './writeEvaluationReport';

/** Input of {@link writeMulticlassReport}. */
export interface MulticlassReportInput {
  title: string;
  model: {
    backbone: string;
    weights: string;
    classes: string[];
    /** How the model decides: `the most probable class`, or `covid when p(covid) >= 0.5`. */
    decision: string;
  };
  metrics: MulticlassMetrics;
  /** The same metrics per group (source, view, sex...), when asked. */
  groups?: { by: string; groups: Record<string, MulticlassMetrics> };
  notes?: string[];
}

/** The files {@link writeMulticlassReport} wrote. */
export interface MulticlassReportFiles {
  dir: string;
  html: string;
  markdown: string;
  metricsJson: string;
}

const num = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : 'undefined');
const ci = (i: Interval, d = 2): string => (Number.isFinite(i.value) ? `${num(i.value, d)} (${num(i.lower, d)}-${num(i.upper, d)})` : 'undefined');

/** The report's tables as rows of cells: one model for the Markdown and the HTML. */
function tables(m: MulticlassMetrics): { title: string; head: string[]; rows: string[][] }[] {
  const k = m.classes;
  return [
    {
      title: `Confusion matrix (${m.n} images; rows actual, columns decided)`,
      head: ['actual \\ decided', ...k],
      rows: m.confusionMatrix.matrix.map((row, i) => [k[i], ...row.map(String)]),
    },
    {
      title: `Per class, one vs rest (95% intervals: Wilson for rates, bootstrap over ${m.aucBootstrap.groups} patients for AUC)`,
      head: ['class', 'support', 'decided', 'sensitivity', 'specificity', 'PPV', 'NPV', 'ROC AUC'],
      rows: m.perClass.map((c) => [c.label, String(c.support), String(c.predictedCount), ci(c.sensitivity), ci(c.specificity), ci(c.ppv), ci(c.npv), ci(c.auc)]),
    },
    {
      title: 'Overall',
      head: ['accuracy', 'balanced accuracy', "Cohen's kappa", 'macro ROC AUC'],
      rows: [[ci(m.accuracy), num(m.balancedAccuracy), num(m.cohenKappa), ci(m.macroAuc)]],
    },
  ];
}

function groupTable(by: string, groups: Record<string, MulticlassMetrics>, classes: string[]): { title: string; head: string[]; rows: string[][] } {
  return {
    title: `By ${by}`,
    head: [by, 'n', 'accuracy', 'balanced accuracy', 'macro AUC', ...classes.map((c) => `sensitivity ${c}`)],
    rows: Object.entries(groups).map(([g, m]) => [g, String(m.n), ci(m.accuracy), num(m.balancedAccuracy), ci(m.macroAuc), ...m.perClass.map((c) => ci(c.sensitivity))]),
  };
}

/** Undefined values, said: the overall warnings and each group's. */
function undefinedValues(input: MulticlassReportInput): string[] {
  const out = input.metrics.warnings.map((w) => `all: ${w}`);
  for (const [g, m] of Object.entries(input.groups?.groups ?? {})) for (const w of m.warnings) out.push(`${input.groups?.by} ${g}: ${w}`);
  return out;
}

/** The Markdown report of an N-class evaluation. */
export function renderMulticlassMarkdown(input: MulticlassReportInput): string {
  const e = (s: string): string => s.replace(/\|/g, '\\|');
  const out: string[] = [`# ${input.title}`, '', `**${CLINICAL_BANNER}.** ${CLINICAL_DISCLAIMER}`, ''];
  out.push('| | |', '| --- | --- |');
  out.push(`| Backbone | ${e(input.model.backbone)} |`, `| Weights | ${e(input.model.weights)} |`, `| Classes | ${input.model.classes.map(e).join(', ')} |`, `| Decision | ${e(input.model.decision)} |`, '');
  const all = [...tables(input.metrics), ...(input.groups ? [groupTable(input.groups.by, input.groups.groups, input.metrics.classes)] : [])];
  for (const t of all) {
    out.push(`## ${t.title}`, '', `| ${t.head.map(e).join(' | ')} |`, `| ${t.head.map(() => '---').join(' | ')} |`);
    for (const r of t.rows) out.push(`| ${r.map(e).join(' | ')} |`);
    out.push('');
  }
  out.push('## Classification report', '', '```', formatClassificationReport(input.metrics.report).trimEnd(), '```', '');
  const undef = undefinedValues(input);
  out.push('## Undefined values', '', ...(undef.length ? undef.map((w) => `- ${e(w)}`) : ['None: every value above is defined.']), '');
  if (input.notes?.length) out.push('## Notes', '', ...input.notes.map((n) => `- ${e(n)}`), '');
  return `${out.join('\n')}\n`;
}

/** The self-contained HTML report of an N-class evaluation (same content as the Markdown). */
export function renderMulticlassHtml(input: MulticlassReportInput): string {
  const e = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
  const out: string[] = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>' + e(input.title) + '</title>',
    '<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}th:first-child,td:first-child{text-align:left}.banner{background:#b00020;color:#fff;padding:.5rem 1rem;font-weight:bold}</style></head><body>',
    `<div class="banner">${CLINICAL_BANNER}. ${e(CLINICAL_DISCLAIMER)}</div>`,
    `<h1>${e(input.title)}</h1>`,
    `<table><tr><th>Backbone</th><td>${e(input.model.backbone)}</td></tr><tr><th>Weights</th><td>${e(input.model.weights)}</td></tr><tr><th>Classes</th><td>${input.model.classes.map(e).join(', ')}</td></tr><tr><th>Decision</th><td>${e(input.model.decision)}</td></tr></table>`,
  ];
  const all = [...tables(input.metrics), ...(input.groups ? [groupTable(input.groups.by, input.groups.groups, input.metrics.classes)] : [])];
  for (const t of all) {
    out.push(`<h2>${e(t.title)}</h2><table><tr>${t.head.map((h) => `<th>${e(h)}</th>`).join('')}</tr>`);
    for (const r of t.rows) out.push(`<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`);
    out.push('</table>');
  }
  out.push(`<h2>Classification report</h2><pre>${e(formatClassificationReport(input.metrics.report))}</pre>`);
  const undef = undefinedValues(input);
  out.push('<h2>Undefined values</h2>', undef.length ? `<ul>${undef.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : '<p>None: every value above is defined.</p>');
  if (input.notes?.length) out.push(`<h2>Notes</h2><ul>${input.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`);
  out.push('</body></html>');
  return `${out.join('\n')}\n`;
}

/**
 * Writes the report of an N-class evaluation into `dir`: `report.md`, `report.html` (self-contained) and
 * `metrics.json`: the N x N confusion matrix, per-class one-vs-rest rows (sensitivity, specificity, PPV, NPV with
 * Wilson intervals, AUC with a patient-bootstrap interval), accuracy, balanced accuracy, kappa, macro AUC, the
 * classification report, the same per group when given, and every undefined value said in words. All files are
 * written to a temporary folder first and moved into place.
 *
 * @throws {ReportError} when the folder cannot be written (or holds something other than a previous report)
 */
export async function writeMulticlassReport(dir: string, input: MulticlassReportInput): Promise<MulticlassReportFiles> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp, { recursive: true });
    await writeFile(path.join(tmp, 'report.md'), renderMulticlassMarkdown(input));
    await writeFile(path.join(tmp, 'report.html'), renderMulticlassHtml(input));
    await writeFile(path.join(tmp, 'metrics.json'), `${JSON.stringify({ title: input.title, model: input.model, metrics: input.metrics, ...(input.groups ? { groups: input.groups } : {}), notes: input.notes ?? [] }, null, 2)}\n`);
    await commitDirectory(tmp, target);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (error instanceof ReportError) throw error;
    throw new ReportError(`Cannot write evaluation report ${target}: ${(error as Error).message}`, { cause: error, file: target });
  }
  return { dir: target, html: path.join(target, 'report.html'), markdown: path.join(target, 'report.md'), metricsJson: path.join(target, 'metrics.json') };
}
