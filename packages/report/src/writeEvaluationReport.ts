import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { confusionMatrixSpec } from './confusionMatrixSpec';
import { ReportError } from './errors';
import { missingAucReason } from './metricGlossary';
import { prCurveSpec } from './prCurveSpec';
import { reliabilityDiagramSpec } from './reliabilityDiagramSpec';
import { renderHtmlReport } from './renderHtmlReport';
import { renderMarkdownReport } from './renderMarkdownReport';
import { renderVegaLiteSvg, svgToPng } from './renderPlot';
import { rocCurveSpec } from './rocCurveSpec';
import { scoreHistogramSpec } from './scoreHistogramSpec';
import { trainingCurvesSpec } from './trainingCurvesSpec';
import type {
  EvaluationReportFiles,
  EvaluationReportInput,
  LoadedGradcam,
  RenderedPlot,
  ReportContent,
  ScoredImage,
} from './types';
import { validateReportInput } from './validateReportInput';

/** Options of {@link writeEvaluationReport}. */
export interface WriteEvaluationReportOptions {
  /** Grad-CAM overlays shown of each kind (right, wrong); default 4. */
  maxGradcamPerKind?: number;
  /** Rows in the "most confident mistakes" table; default 10. */
  maxMistakes?: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Files a previous report leaves; a directory holding only these (or nothing) may be replaced. */
const REPORT_ENTRIES = new Set(['report.html', 'report.md', 'metrics.json', 'plots', 'gradcam']);

function mistakes(input: EvaluationReportInput, max: number): ScoredImage[] {
  const { positiveClass, threshold } = input.model;
  const negative = input.metrics.negativeLabel;
  const wrong = input.scores.filter(
    (s) => (s.label === positiveClass && s.score < threshold) || (s.label === negative && s.score >= threshold),
  );
  return wrong.sort((a, b) => Math.abs(b.score - threshold) - Math.abs(a.score - threshold)).slice(0, max);
}

async function renderPlots(input: EvaluationReportInput, aucReason: string | null): Promise<RenderedPlot[]> {
  const m = input.metrics;
  const pos = m.positiveLabel;
  const wanted: Array<{ name: string; caption: string; spec: TopLevelSpec }> = [
    {
      name: 'confusion-matrix',
      caption: `Counts of test images by actual (rows) and predicted (columns) class at threshold ${input.model.threshold}; the percentage is the share of the row.`,
      spec: confusionMatrixSpec(m.confusionMatrix),
    },
  ];
  if (!aucReason) {
    wanted.push({
      name: 'roc',
      caption: `ROC curve: every threshold's sensitivity against its false positive rate; dashed: chance; dot: the threshold in use.`,
      spec: rocCurveSpec(m),
    });
    wanted.push({
      name: 'precision-recall',
      caption: `Precision-recall curve for ${pos}; dashed: the no-skill baseline (prevalence); dot: the threshold in use.`,
      spec: prCurveSpec(m),
    });
  }
  if (input.scores.length > 0) {
    wanted.push({
      name: 'score-histogram',
      caption: `Scores for ${pos} by actual class; dashed line: the decision threshold. Well-separated humps mean an easy test set or a good model.`,
      spec: scoreHistogramSpec(input.scores, { positiveClass: pos, negativeClass: m.negativeLabel, threshold: input.model.threshold }),
    });
  }
  const cal = input.safety?.calibration;
  if (cal && cal.bins.some((b) => b.count > 0)) {
    wanted.push({
      name: 'reliability',
      caption: `Reliability diagram: observed share of ${pos} against the mean predicted probability, per tenth of the probability scale; on the diagonal a probability of 0.8 comes true 80% of the time. ECE ${cal.ece.toFixed(3)}.`,
      spec: reliabilityDiagramSpec(cal.bins, { positiveClass: pos, ece: cal.ece }),
    });
  }
  if (input.history && input.history.epochs.length > 0) {
    wanted.push({
      name: 'training-curves',
      caption: 'Loss and accuracy per epoch on the training and validation sets; a growing gap is overfitting.',
      spec: trainingCurvesSpec(input.history.epochs),
    });
  }
  const plots: RenderedPlot[] = [];
  // One at a time: each render is CPU-bound and the machine may be shared.
  for (const w of wanted) {
    const svg = await renderVegaLiteSvg(w.spec);
    plots.push({ name: w.name, caption: w.caption, svg, png: await svgToPng(svg) });
  }
  return plots;
}

async function loadGradcam(input: EvaluationReportInput, dir: string, perKind: number): Promise<LoadedGradcam[]> {
  const cases = input.gradcam ?? [];
  const chosen = [...cases.filter((g) => !g.correct).slice(0, perKind), ...cases.filter((g) => g.correct).slice(0, perKind)];
  const loaded: LoadedGradcam[] = [];
  for (const [i, g] of chosen.entries()) {
    let png: Buffer;
    try {
      png = await readFile(g.overlayPngPath);
    } catch (cause) {
      throw new ReportError(`Cannot write evaluation report ${dir}: cannot read Grad-CAM overlay ${g.overlayPngPath}`, {
        cause,
        file: g.overlayPngPath,
      });
    }
    if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) {
      throw new ReportError(`Cannot write evaluation report ${dir}: Grad-CAM overlay ${g.overlayPngPath} is not a PNG file`, {
        file: g.overlayPngPath,
      });
    }
    const stem = `${String(i + 1).padStart(2, '0')}-${g.correct ? 'right' : 'wrong'}`;
    loaded.push({ ...g, png, relativePath: `gradcam/${stem}.png` });
  }
  return loaded;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * @internal Moves a fully written temporary directory into place as `dir`. An existing `dir` is replaced only when
 * it is empty or holds nothing but a previous report, so a mistyped path never deletes someone's data.
 */
export async function commitDirectory(tmp: string, dir: string): Promise<void> {
  if (!(await exists(dir))) {
    await rename(tmp, dir);
    return;
  }
  const entries = await readdir(dir);
  const foreign = entries.filter((e) => !REPORT_ENTRIES.has(e));
  if (foreign.length > 0) {
    throw new ReportError(
      `Cannot write evaluation report ${dir}: the directory exists and holds files that are not a report (${foreign.slice(0, 3).join(', ')}); choose an empty or new directory`,
      { file: dir },
    );
  }
  const old = `${tmp}.old`;
  await rename(dir, old);
  try {
    await rename(tmp, dir);
  } catch (cause) {
    await rename(old, dir).catch(() => undefined);
    throw cause;
  }
  await rm(old, { recursive: true, force: true });
}

/**
 * Writes an evaluation report into `dir`: `report.html` (self-contained: inline CSS, inline SVG plots,
 * Grad-CAM overlays as base64 PNG, no external URL), `report.md` with `plots/*.png` (and `plots/*.svg`) and
 * `gradcam/*.png` beside it, and `metrics.json` (the input's metrics, per-source metrics and model info).
 *
 * Everything is written to a temporary sibling directory first and renamed into place, so readers never
 * see a half-written report. Both formats open with a NOT FOR CLINICAL USE banner and explain each metric.
 * When the AUC is null (one class in the test set) the report says why instead of drawing ROC/PR curves.
 *
 * @throws {ReportError} bad input (naming the field and value), an unreadable Grad-CAM overlay, or a `dir`
 *   that exists and holds files other than a previous report.
 * @example
 * const metrics = binaryMetrics({ labels, scores, positiveLabel: 'covid', negativeLabel: 'normal', threshold: 0.5 });
 * await writeEvaluationReport('runs/demo/report', {
 *   title: 'Demo: MobileNet v1 head on synthetic data',
 *   model: { backbone: 'mobilenet_v1', weights: 'ImageNet, frozen', classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.5 },
 *   metrics, scores,
 * });
 */
export async function writeEvaluationReport(
  dir: string,
  input: EvaluationReportInput,
  options: WriteEvaluationReportOptions = {},
): Promise<EvaluationReportFiles> {
  const target = path.resolve(dir);
  validateReportInput(target, input);
  const aucReason = missingAucReason(input.metrics);
  // Overlays first: a missing file should fail before the (slower) plots are drawn.
  const gradcam = await loadGradcam(input, target, options.maxGradcamPerKind ?? 4);
  const plots = await renderPlots(input, aucReason);
  const content: ReportContent = { input, plots, gradcam, aucReason, worstMistakes: mistakes(input, options.maxMistakes ?? 10) };
  const html = renderHtmlReport(content);
  const markdown = renderMarkdownReport(content);
  const json = `${JSON.stringify(
    {
      title: input.title,
      model: input.model,
      metrics: input.metrics,
      ...(input.perSource ? { perSource: input.perSource } : {}),
      ...(input.groups ? { groups: input.groups } : {}),
      ...(input.history ? { history: input.history } : {}),
      ...(input.safety ? { safety: input.safety } : {}),
      warnings: input.warnings ?? [],
      notes: input.notes ?? [],
    },
    null,
    2,
  )}\n`;

  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(path.join(tmp, 'plots'), { recursive: true });
    if (gradcam.length > 0) await mkdir(path.join(tmp, 'gradcam'));
    for (const p of plots) {
      await writeFile(path.join(tmp, 'plots', `${p.name}.svg`), p.svg);
      await writeFile(path.join(tmp, 'plots', `${p.name}.png`), p.png);
    }
    for (const g of gradcam) await writeFile(path.join(tmp, g.relativePath), g.png);
    await writeFile(path.join(tmp, 'report.html'), html);
    await writeFile(path.join(tmp, 'report.md'), markdown);
    await writeFile(path.join(tmp, 'metrics.json'), json);
    await commitDirectory(tmp, target);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (error instanceof ReportError) throw error;
    throw new ReportError(`Cannot write evaluation report ${target}: ${(error as Error).message}`, { cause: error, file: target });
  }
  const plotFiles: EvaluationReportFiles['plots'] = {};
  for (const p of plots) {
    plotFiles[p.name] = { svg: path.join(target, 'plots', `${p.name}.svg`), png: path.join(target, 'plots', `${p.name}.png`) };
  }
  return {
    dir: target,
    html: path.join(target, 'report.html'),
    markdown: path.join(target, 'report.md'),
    metricsJson: path.join(target, 'metrics.json'),
    plots: plotFiles,
    gradcam: gradcam.map((g) => path.join(target, g.relativePath)),
  };
}
