import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatClassificationReport, rocCurve, type Interval, type MulticlassMetrics } from '@cxr/metrics';
import { ReportError } from './errors';
import { multiclassRocSpec, type OneVsRestCurve } from './multiclassRocSpec';
import { renderVegaLiteSvg, svgToPng } from './renderPlot';
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
  /**
   * The evaluated images' labels and probabilities of every class (as `evaluateModel` returns them): given, the
   * report draws each class's one-vs-rest ROC curve.
   */
  images?: ReadonlyArray<{ label: string; probabilities: Readonly<Record<string, number>> }>;
  notes?: string[];
}

/** A plot of the report: its file name (without extension), caption and SVG text. */
export interface MulticlassReportPlot {
  name: string;
  caption: string;
  svg: string;
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

/** The Markdown report of an N-class evaluation; `plots` are linked as `plots/<name>.png`. */
export function renderMulticlassMarkdown(input: MulticlassReportInput, plots: readonly MulticlassReportPlot[] = []): string {
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
  for (const p of plots) out.push(`![${e(p.caption)}](plots/${p.name}.png)`, '', e(p.caption), '');
  out.push('## Classification report', '', '```', formatClassificationReport(input.metrics.report).trimEnd(), '```', '');
  const undef = undefinedValues(input);
  out.push('## Undefined values', '', ...(undef.length ? undef.map((w) => `- ${e(w)}`) : ['None: every value above is defined.']), '');
  if (input.notes?.length) out.push('## Notes', '', ...input.notes.map((n) => `- ${e(n)}`), '');
  return `${out.join('\n')}\n`;
}

/** The self-contained HTML report of an N-class evaluation (same content as the Markdown; `plots` inline as SVG). */
export function renderMulticlassHtml(input: MulticlassReportInput, plots: readonly MulticlassReportPlot[] = []): string {
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
  for (const p of plots) out.push(`<figure id="plot-${e(p.name)}">${p.svg}<figcaption>${e(p.caption)}</figcaption></figure>`);
  out.push(`<h2>Classification report</h2><pre>${e(formatClassificationReport(input.metrics.report))}</pre>`);
  const undef = undefinedValues(input);
  out.push('<h2>Undefined values</h2>', undef.length ? `<ul>${undef.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : '<p>None: every value above is defined.</p>');
  if (input.notes?.length) out.push(`<h2>Notes</h2><ul>${input.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`);
  out.push('</body></html>');
  return `${out.join('\n')}\n`;
}

/** A label no class can have: "every other class" in a one-vs-rest curve. */
const REST = '\u0000rest';

/**
 * Each class's one-vs-rest ROC curve over `input.images` (`rocCurve` of `@cxr/metrics`, that class positive), for the
 * classes with images of their own and of the others; the rest are named (their AUC is undefined, said in the tables).
 */
function oneVsRestCurves(input: MulticlassReportInput, target: string): { curves: OneVsRestCurve[]; without: string[] } {
  const images = input.images ?? [];
  const { classes, perClass } = input.metrics;
  images.forEach((im, k) => {
    const missing = classes.find((c) => !(typeof im.probabilities[c] === 'number' && im.probabilities[c] >= 0 && im.probabilities[c] <= 1));
    if (missing !== undefined) {
      throw new ReportError(`Cannot write evaluation report ${target}: image ${k + 1} has no probability in [0, 1] for class ${JSON.stringify(missing)}`, { file: target });
    }
  });
  const curves: OneVsRestCurve[] = [];
  const without: string[] = [];
  classes.forEach((c, k) => {
    const ys = images.map((im) => (im.label === c ? c : REST));
    if (!ys.includes(c) || !ys.includes(REST)) {
      without.push(c);
      return;
    }
    const roc = rocCurve(ys, images.map((im) => im.probabilities[c]), c, { negativeLabel: REST });
    const auc = perClass[k]?.auc.value;
    curves.push({ label: c, auc: auc !== undefined && Number.isFinite(auc) ? auc : null, fpr: roc.fpr, tpr: roc.tpr });
  });
  return { curves, without };
}

/** The report's plots (SVG and PNG): the one-vs-rest ROC curves, when the images are given. */
async function renderPlots(input: MulticlassReportInput, target: string): Promise<Array<MulticlassReportPlot & { png: Buffer }>> {
  if (!input.images || input.images.length === 0) return [];
  const { curves, without } = oneVsRestCurves(input, target);
  if (curves.length === 0) return [];
  const caption =
    `One-vs-rest ROC curves over the ${input.images.length} evaluated images: each class's probability ranks its images against all the others'; dashed: chance.` +
    (without.length > 0 ? ` No curve for ${without.join(', ')}: a curve needs images of the class and of the others.` : '');
  const svg = await renderVegaLiteSvg(multiclassRocSpec(curves));
  return [{ name: 'roc-one-vs-rest', caption, svg, png: await svgToPng(svg) }];
}

/**
 * Writes the report of an N-class evaluation into `dir`: `report.md`, `report.html` (self-contained) and
 * `metrics.json`: the N x N confusion matrix, per-class one-vs-rest rows (sensitivity, specificity, PPV, NPV with
 * Wilson intervals, AUC with a patient-bootstrap interval), accuracy, balanced accuracy, kappa, macro AUC, the
 * classification report, the same per group when given, every undefined value said in words, and, when the images'
 * probabilities are given, each class's one-vs-rest ROC curve (`plots/roc-one-vs-rest.svg` and `.png`, inline in the
 * HTML). All files are written to a temporary folder first and moved into place.
 *
 * @throws {ReportError} when the folder cannot be written (or holds something other than a previous report)
 */
export async function writeMulticlassReport(dir: string, input: MulticlassReportInput): Promise<MulticlassReportFiles> {
  const target = path.resolve(dir);
  const plots = await renderPlots(input, target);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp, { recursive: true });
    if (plots.length > 0) await mkdir(path.join(tmp, 'plots'));
    for (const p of plots) {
      await writeFile(path.join(tmp, 'plots', `${p.name}.svg`), p.svg);
      await writeFile(path.join(tmp, 'plots', `${p.name}.png`), p.png);
    }
    await writeFile(path.join(tmp, 'report.md'), renderMulticlassMarkdown(input, plots));
    await writeFile(path.join(tmp, 'report.html'), renderMulticlassHtml(input, plots));
    await writeFile(path.join(tmp, 'metrics.json'), `${JSON.stringify({ title: input.title, model: input.model, metrics: input.metrics, ...(input.groups ? { groups: input.groups } : {}), notes: input.notes ?? [] }, null, 2)}\n`);
    await commitDirectory(tmp, target);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (error instanceof ReportError) throw error;
    throw new ReportError(`Cannot write evaluation report ${target}: ${(error as Error).message}`, { cause: error, file: target });
  }
  return { dir: target, html: path.join(target, 'report.html'), markdown: path.join(target, 'report.md'), metricsJson: path.join(target, 'metrics.json') };
}
