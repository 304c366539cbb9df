import { ReportError } from './errors';
import type { BinaryMetricsLike, EvaluationReportInput } from './types';

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function checkMetrics(m: BinaryMetricsLike | undefined, where: string, dir: string): void {
  const fail = (problem: string) => {
    throw new ReportError(`Cannot write evaluation report ${dir}: ${where} ${problem}`, { file: dir });
  };
  if (!m || typeof m !== 'object') fail('is missing (expected the object returned by binaryMetrics)');
  const metrics = m as BinaryMetricsLike;
  const cm = metrics.confusionMatrix;
  if (!cm || !Array.isArray(cm.labels) || cm.labels.length !== 2) {
    fail(`.confusionMatrix.labels must name 2 classes, got ${JSON.stringify(cm?.labels)}`);
  }
  const flat = Array.isArray(cm.matrix) && cm.matrix.length === 2 ? cm.matrix.flat() : [];
  if (flat.length !== 4 || !flat.every(isCount)) fail(`.confusionMatrix.matrix must be 2x2 counts, got ${JSON.stringify(cm.matrix)}`);
  for (const k of ['tp', 'fp', 'tn', 'fn'] as const) {
    if (!isCount(cm[k])) fail(`.confusionMatrix.${k} must be a count, got ${JSON.stringify(cm[k])}`);
  }
  if (cm.tp + cm.fp + cm.tn + cm.fn !== metrics.n) {
    fail(`.n (${metrics.n}) differs from TP+FP+TN+FN (${cm.tp + cm.fp + cm.tn + cm.fn})`);
  }
  for (const k of ['accuracy', 'sensitivity', 'specificity', 'precision', 'npv', 'prevalence'] as const) {
    if (!metrics[k] || typeof metrics[k] !== 'object') fail(`.${k} must be { value, lower, upper }, got ${JSON.stringify(metrics[k])}`);
  }
  if (metrics.auc !== null && (typeof metrics.auc !== 'object' || metrics.auc === undefined)) {
    fail(`.auc must be { value, lower, upper } or null, got ${JSON.stringify(metrics.auc)}`);
  }
  if (metrics.auc && (!metrics.roc || metrics.roc.fpr?.length !== metrics.roc.tpr?.length || !metrics.pr)) {
    fail('.roc must have fpr and tpr of equal length, and .pr must be present, when .auc is given');
  }
}

/**
 * Checks an evaluation report's input before anything is rendered, so a bad field fails fast with a
 * {@link ReportError} naming the report directory, the field and the offending value.
 */
export function validateReportInput(dir: string, input: EvaluationReportInput): void {
  const fail = (problem: string, cause?: unknown) => {
    throw new ReportError(`Cannot write evaluation report ${dir}: ${problem}`, { file: dir, cause });
  };
  if (!input || typeof input !== 'object') fail('input is missing');
  if (typeof input.title !== 'string' || input.title.trim() === '') fail(`title must be a non-empty string, got ${JSON.stringify(input.title)}`);
  const model = input.model;
  if (!model || !Array.isArray(model.classes) || model.classes.length < 2) {
    fail(`model.classes must list at least 2 classes, got ${JSON.stringify(model?.classes)}`);
  }
  if (!model.classes.includes(model.positiveClass)) {
    fail(`model.positiveClass ${JSON.stringify(model.positiveClass)} is not one of model.classes ${JSON.stringify(model.classes)}`);
  }
  if (typeof model.threshold !== 'number' || !(model.threshold >= 0 && model.threshold <= 1)) {
    fail(`model.threshold must be a number in [0, 1], got ${JSON.stringify(model.threshold)}`);
  }
  checkMetrics(input.metrics, 'metrics', dir);
  for (const [source, m] of Object.entries(input.perSource ?? {})) checkMetrics(m, `perSource[${JSON.stringify(source)}]`, dir);
  for (const [group, m] of Object.entries(input.groups?.groups ?? {})) checkMetrics(m, `groups.groups[${JSON.stringify(group)}]`, dir);
  if (!Array.isArray(input.scores)) fail('scores must be an array of { path, label, score }');
  input.scores.forEach((s, i) => {
    if (!s || typeof s.path !== 'string' || typeof s.label !== 'string') fail(`scores[${i}] must have a string path and label, got ${JSON.stringify(s)}`);
    if (typeof s.score !== 'number' || !(s.score >= 0 && s.score <= 1)) fail(`scores[${i}].score must be in [0, 1], got ${JSON.stringify(s.score)} for ${s.path}`);
  });
  input.history?.epochs.forEach((ep, i) => {
    for (const k of ['epoch', 'loss', 'accuracy'] as const) {
      if (typeof ep[k] !== 'number' || !Number.isFinite(ep[k])) fail(`history.epochs[${i}].${k} must be a finite number, got ${JSON.stringify(ep[k])}`);
    }
  });
  input.gradcam?.forEach((g, i) => {
    if (!g || typeof g.overlayPngPath !== 'string' || g.overlayPngPath === '') fail(`gradcam[${i}].overlayPngPath must be a file path, got ${JSON.stringify(g?.overlayPngPath)}`);
  });
}
