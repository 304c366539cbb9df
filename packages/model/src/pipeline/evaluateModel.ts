import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDataset, resolveSplit, type DatasetImage } from '@cxr/dataset/node';
import {
  binaryMetrics,
  classificationReport,
  multiclassMetrics,
  predictiveValues,
  reliabilityDiagram,
  type BinaryMetrics,
  type ClassificationReport,
  type MulticlassMetrics,
  type PredictiveValues,
  type ReliabilityDiagram,
} from '@cxr/metrics';
import { writeEvaluationReport, writeMulticlassReport, type EpochRecord, type GradcamCase, type SubsetSummary } from '@cxr/report';
import { initBackend } from '../backend/initBackend';
import { PipelineInputError } from '../errors';
import { loadModel } from '../io/loadModel';
import type { CxrModel } from '../io/modelConfig';
import type { PipelineProgress as Progress } from './pipelineProgress';
import { classProbabilities, scoreAndCheckImages } from './scoreImages';
import { writeGradcamOverlay } from './writeGradcamOverlay';

/** Options of {@link evaluateModel} (the flags of `cxr evaluate`). */
export interface EvaluateModelOptions {
  model: string;
  /** A built dataset (manifest.csv + split.csv) or class folders (one per class). */
  data: string;
  /** Which split of a built dataset: `test` (default), `val`, `train` or `all`. Class folders are used whole. */
  split?: 'train' | 'val' | 'test' | 'all';
  /** An explicit split.csv (default `<dataset>/split.csv`). */
  splitFile?: string;
  /** Write report.html, report.md, metrics.json and plots here. */
  report?: string;
  /** Grad-CAM overlays of right and wrong cases in the report (each); default 2. */
  gradcamPerKind?: number;
  /** Also measure each group of images: by `source`, `view`, `finding` or `sex` (from the build's manifest). */
  groupBy?: EvaluateGroupBy;
  cwd?: string;
  progress?: Progress;
  /** Also give PPV and NPV at this prevalence (0..1), from the sensitivity and specificity measured here. */
  prevalence?: number;
}

/** The out-of-distribution refusal over the evaluated images. */
export interface EvaluationCoverage {
  n: number;
  /** Images that got a decision (all of them when the model carries no `inputDistribution`). */
  decided: number;
  refused: number;
  /** Why images were refused, with counts (the reason's kind, without the image's own numbers). */
  reasons: Array<{ reason: string; count: number }>;
  all: SubsetSummary;
  /** The same numbers on the decided images only, or null when none were decided. */
  decidedOnly: SubsetSummary | null;
  /** Full metrics on the decided images, or null when none were decided. */
  decidedMetrics: BinaryMetrics | null;
  /** False when the model has no `inputDistribution` (older model): nothing was checked. */
  checked: boolean;
}

/**
 * What `--group-by` can split the images by: facts every build's manifest records. `finding` is the finding as the
 * source writes it (`Pneumonia/Viral/COVID-19` and `COVID-19` are two groups); manifests built before the finding
 * column, and class folders, put every image in the group `unknown`.
 */
export type EvaluateGroupBy = 'source' | 'view' | 'finding' | 'sex';

/** Every {@link EvaluateGroupBy}. */
export const EVALUATE_GROUP_BY: readonly EvaluateGroupBy[] = ['source', 'view', 'finding', 'sex'];

/** What `cxr evaluate` measured for an N-class (or argmax) model: `multiclassMetrics` and where it came from. */
export interface MulticlassEvaluateResult {
  kind: 'multiclass';
  model: string;
  data: string;
  split: string;
  /** How the model decided: `argmax`, or a threshold on its positive class. */
  decision: { rule: 'argmax' | 'threshold'; positiveClass: string | null; threshold: number };
  metrics: MulticlassMetrics;
  /** Per-image probabilities of every class, and the decision. */
  images: Array<{ path: string; label: string; probabilities: Record<string, number>; decision: string; source?: string }>;
  /** The same metrics per group (`--group-by`); undefined values are in each group's `warnings`. */
  groups?: { by: EvaluateGroupBy; groups: Record<string, MulticlassMetrics> };
  report?: { dir: string; html: string; markdown: string; metricsJson: string };
  notice: 'NOT FOR CLINICAL USE';
}

/** What `cxr evaluate` measured for a binary model: `binaryMetrics` keys, plus where it came from. */
export type BinaryEvaluateResult = BinaryMetrics & {
  kind: 'binary';
  model: string;
  data: string;
  /** The split evaluated, or `all` (class folders, or a dataset without split.csv). */
  split: string;
  /** Per-image scores (probability of the positive class). */
  scores: Array<{ path: string; label: string; score: number; source?: string }>;
  /** Per-class precision, recall, F1 and support at the threshold, as `cxr metrics`. */
  classificationReport: ClassificationReport;
  /** Metrics per source, when the manifest knows sources. */
  perSource?: Record<string, BinaryMetrics>;
  /** The same metrics per group (`--group-by`); undefined values are in each group's `warnings`. */
  groups?: { by: EvaluateGroupBy; groups: Record<string, BinaryMetrics> };
  /** Why AUC is absent, when it is. */
  aucReason?: string;
  /** Reliability of the (temperature-scaled) positive-class probability, and the model's temperature (null: none). */
  calibration: ReliabilityDiagram & { temperature: number | null };
  /** PPV and NPV at `options.prevalence`, when given. */
  atPrevalence?: PredictiveValues;
  coverage: EvaluationCoverage;
  /** The data-design warning saved with the model (`cxr.json` `dataDesign.warning`), or null. */
  dataDesignWarning: string | null;
  report?: { dir: string; html: string; markdown: string; metricsJson: string };
  notice: 'NOT FOR CLINICAL USE';
};

/** What `cxr evaluate` measured: binary metrics for a model with a positive class and two classes, else N-class. */
export type EvaluateModelResult = BinaryEvaluateResult | MulticlassEvaluateResult;

/** Image indices per group value (`unknown` for an empty value), in first-seen order. */
function groupIndices(images: readonly DatasetImage[], by: EvaluateGroupBy): Map<string, number[]> {
  const out = new Map<string, number[]>();
  images.forEach((im, k) => {
    const raw = im[by];
    const key = raw === undefined || raw === null || raw === '' ? 'unknown' : raw;
    const list = out.get(key);
    if (list) list.push(k);
    else out.set(key, [k]);
  });
  return out;
}

async function imagesToEvaluate(data: string, options: EvaluateModelOptions): Promise<{ images: DatasetImage[]; split: string; sourceNames: boolean }> {
  const dataset = await loadDataset(data);
  const wanted = options.split ?? 'test';
  if (dataset.kind === 'class-folders' || wanted === 'all') return { images: dataset.images, split: 'all', sourceNames: dataset.kind === 'manifest' };
  const split = await resolveSplit(dataset, { splitFile: options.splitFile, create: false });
  return { images: split[wanted], split: wanted, sourceNames: true };
}

function trainingEpochs(cxr: CxrModel): EpochRecord[] | undefined {
  const epochs = (cxr.config.trainingMetrics as { epochs?: unknown } | null)?.epochs;
  return Array.isArray(epochs) && epochs.length > 0 ? (epochs as EpochRecord[]) : undefined;
}

/**
 * Evaluates a saved model on a dataset's test split (or a class-folder set): scores every image, computes
 * `binaryMetrics` at the model's threshold (Wilson CIs, bootstrap AUC), per source when known, and optionally writes
 * the report with training curves, score histograms and Grad-CAM overlays of right and wrong cases. A set with one
 * class reports what can be measured (e.g. specificity for normals alone) and why AUC is absent.
 *
 * @example
 * const e = await evaluateModel({ model: 'models/m', data: 'data/cxr', split: 'test', report: 'reports/m' });
 * e.sensitivity.value; e.auc?.value; e.perSource; e.report?.html;
 */
export async function evaluateModel(options: EvaluateModelOptions): Promise<EvaluateModelResult> {
  const cwd = options.cwd ?? process.cwd();
  const modelDir = path.resolve(cwd, options.model);
  const data = path.resolve(cwd, options.data);
  const progress = options.progress;
  await initBackend();
  const cxr = await loadModel(modelDir);
  try {
    const { images, split } = await imagesToEvaluate(data, options);
    if (images.length === 0) throw new PipelineInputError(`${data}: the ${split} split holds no images`);
    const classes = cxr.config.classes;
    const unknown = images.find((i) => !classes.includes(i.label));
    if (unknown) throw new PipelineInputError(`${unknown.file}: label ${JSON.stringify(unknown.label)} is not a class of the model (${classes.join(', ')})`);
    progress?.line(`evaluating ${images.length} images (${split}) with ${modelDir}`);
    const configPositive = cxr.config.positiveClass;
    if (configPositive === null || classes.length > 2) return await evaluateMulticlass(cxr, images, { modelDir, data, split, options, cwd });
    const positive = configPositive;
    const negative = classes.find((c) => c !== positive) ?? positive;
    if (options.prevalence !== undefined && !(options.prevalence > 0 && options.prevalence < 1)) {
      throw new PipelineInputError(`prevalence must be a number in (0, 1), e.g. 0.05; got ${options.prevalence}`);
    }
    const { scores, checks } = await scoreAndCheckImages(cxr, images.map((i) => i.file), { progress });
    const labels = images.map((i) => i.label);
    const threshold = cxr.config.threshold;
    const metrics = binaryMetrics({ labels, scores, positiveLabel: positive, negativeLabel: negative, threshold, source: data });
    const sources = [...new Set(images.map((i) => i.source).filter((s): s is string => !!s))];
    const perSource =
      sources.length > 0
        ? Object.fromEntries(
            sources.map((s) => {
              const idx = images.map((im, k) => (im.source === s ? k : -1)).filter((k) => k >= 0);
              return [s, binaryMetrics({ labels: idx.map((k) => labels[k]), scores: idx.map((k) => scores[k]), positiveLabel: positive, negativeLabel: negative, threshold, source: `${data} (${s})` })];
            }),
          )
        : undefined;
    const aucReason = metrics.auc === null ? `AUC needs both classes; only ${JSON.stringify(labels[0])} images in ${split === 'all' ? data : `the ${split} split`}${metrics.warnings.length ? ` (${metrics.warnings.join('; ')})` : ''}` : undefined;
    const summary = (m: BinaryMetrics): SubsetSummary => ({ n: m.n, accuracy: nan(m.accuracy.value), sensitivity: nan(m.sensitivity.value), specificity: nan(m.specificity.value), auc: m.auc ? nan(m.auc.value) : null });
    const decidedIdx = checks.flatMap((c, k) => (c === null || c.inDistribution ? [k] : []));
    const decidedMetrics = decidedIdx.length > 0
      ? binaryMetrics({ labels: decidedIdx.map((k) => labels[k]), scores: decidedIdx.map((k) => scores[k]), positiveLabel: positive, negativeLabel: negative, threshold, source: `${data} (decided images)` })
      : null;
    const reasonCounts = new Map<string, number>();
    for (const c of checks) for (const r of c?.reasons ?? []) reasonCounts.set(reasonKind(r), (reasonCounts.get(reasonKind(r)) ?? 0) + 1);
    const coverage: EvaluationCoverage = {
      n: images.length,
      decided: decidedIdx.length,
      refused: images.length - decidedIdx.length,
      reasons: [...reasonCounts].map(([reason, count]) => ({ reason, count })),
      all: summary(metrics),
      decidedOnly: decidedMetrics ? summary(decidedMetrics) : null,
      decidedMetrics,
      checked: checks.some((c) => c !== null),
    };
    const calibration = { ...reliabilityDiagram(labels, scores, positive, { negativeLabel: negative, source: data }), temperature: cxr.config.calibration?.temperature ?? null };
    const atPrevalence = options.prevalence !== undefined && Number.isFinite(metrics.sensitivity.value) && Number.isFinite(metrics.specificity.value)
      ? predictiveValues({ sensitivity: metrics.sensitivity.value, specificity: metrics.specificity.value, prevalence: options.prevalence })
      : undefined;
    const dataDesignWarning = cxr.config.dataDesign?.warning ?? null;
    const safetyWarnings = [
      ...(dataDesignWarning ? [dataDesignWarning] : []),
      ...(options.prevalence !== undefined && !atPrevalence ? [`PPV/NPV at prevalence ${options.prevalence} need both classes (sensitivity and specificity) in the evaluated images`] : []),
      ...(coverage.checked ? [] : ['this model carries no description of its training inputs (trained before the out-of-distribution check): no image was checked']),
    ];
    const scored = images.map((im, k) => ({ path: im.path, label: im.label, score: scores[k], ...(im.source ? { source: im.source } : {}) }));
    const groups = options.groupBy
      ? {
          by: options.groupBy,
          groups: Object.fromEntries(
            [...groupIndices(images, options.groupBy)].map(([g, idx]) => [
              g,
              binaryMetrics({ labels: idx.map((k) => labels[k]), scores: idx.map((k) => scores[k]), positiveLabel: positive, negativeLabel: negative, threshold, source: `${data} (${options.groupBy} ${g})` }),
            ]),
          ),
        }
      : undefined;
    const result: BinaryEvaluateResult = {
      kind: 'binary',
      ...metrics,
      model: modelDir,
      data,
      split,
      scores: scored,
      classificationReport: classificationReport(
        labels,
        scores.map((x) => (x >= threshold ? positive : negative)),
        { labels: [negative, positive], source: data },
      ),
      ...(perSource ? { perSource } : {}),
      ...(groups ? { groups } : {}),
      ...(aucReason ? { aucReason } : {}),
      calibration,
      ...(atPrevalence ? { atPrevalence } : {}),
      coverage,
      dataDesignWarning,
      warnings: [...safetyWarnings, ...metrics.warnings],
      notice: 'NOT FOR CLINICAL USE',
    };
    if (options.report) {
      const reportDir = path.resolve(cwd, options.report);
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-gradcam-'));
      try {
        const perKind = options.gradcamPerKind ?? 2;
        const isRight = (k: number): boolean => (scores[k] >= threshold) === (labels[k] === positive);
        const confidence = (k: number): number => Math.abs(scores[k] - threshold);
        const order = images.map((_, k) => k).sort((a, b) => confidence(b) - confidence(a));
        const picks = [...order.filter(isRight).slice(0, perKind), ...order.filter((k) => !isRight(k)).slice(0, perKind)];
        const gradcam: GradcamCase[] = [];
        for (const [n, k] of picks.entries()) {
          const png = path.join(tmp, `${String(n + 1).padStart(2, '0')}.png`);
          await writeGradcamOverlay(cxr, images[k].file, png);
          gradcam.push({ path: images[k].path, overlayPngPath: png, label: labels[k], score: scores[k], correct: isRight(k) });
          progress?.bar('grad-cam', n + 1, picks.length);
        }
        progress?.end();
        const info = cxr.config.backbone.info as { pretrained?: boolean; weightsSource?: string } | null;
        const epochs = trainingEpochs(cxr);
        const files = await writeEvaluationReport(reportDir, {
          title: `cxr evaluation: ${path.basename(modelDir)} on ${path.basename(data)} (${split})`,
          model: {
            backbone: cxr.config.backbone.name,
            weights: info?.pretrained === false ? 'random weights, NOT ImageNet (demo/testing only)' : `ImageNet (${info?.weightsSource ?? 'pretrained'}), frozen; head trained`,
            classes,
            positiveClass: positive,
            threshold,
          },
          metrics,
          ...(perSource ? { perSource } : {}),
          ...(groups ? { groups } : {}),
          ...(epochs ? { history: { epochs } } : {}),
          scores: scored,
          gradcam,
          notes: [`Model: ${modelDir}`, `Data: ${data} (${split}, ${images.length} images)`],
          warnings: [...safetyWarnings, ...metrics.warnings, ...(aucReason ? [aucReason] : [])],
          safety: {
            calibration: { ece: calibration.ece, mce: calibration.mce, bins: calibration.bins, temperature: calibration.temperature },
            ...(atPrevalence ? { atPrevalence } : {}),
            ...(coverage.checked ? { coverage: { n: coverage.n, decided: coverage.decided, refused: coverage.refused, reasons: coverage.reasons, all: coverage.all, decidedOnly: coverage.decidedOnly } } : {}),
          },
        });
        result.report = { dir: files.dir, html: files.html, markdown: files.markdown, metricsJson: files.metricsJson };
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    return result;
  } finally {
    cxr.model.dispose();
  }
}


const nan = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** A refusal reason without the image's own numbers, to count reasons over many images. */
function reasonKind(reason: string): string {
  if (reason.startsWith('unlike the training images')) return 'unlike the training images (feature distance above the threshold)';
  if (reason.startsWith('image is ')) return 'image too small';
  if (reason.startsWith('aspect ratio')) return 'aspect ratio beyond the limit';
  if (reason.startsWith('only ')) return 'too few grey levels';
  return reason;
}

/**
 * The N-class evaluation: probabilities of every class, decisions by the model's rule (argmax, or its positive
 * class at its threshold), `multiclassMetrics` with patient-bootstrap AUC intervals, per group when asked, and the
 * N-class report (N x N matrix, per-class rows, one-vs-rest ROC curves).
 */
async function evaluateMulticlass(
  cxr: CxrModel,
  images: readonly DatasetImage[],
  ctx: { modelDir: string; data: string; split: string; options: EvaluateModelOptions; cwd: string },
): Promise<MulticlassEvaluateResult> {
  const { modelDir, data, split, options } = ctx;
  const { classes, positiveClass, threshold } = cxr.config;
  const rows = await classProbabilities(cxr, images.map((i) => i.file), { progress: options.progress });
  const decide = (row: number[]): string => {
    if (positiveClass !== null) {
      const p = classes.indexOf(positiveClass);
      if (row[p] >= threshold) return positiveClass;
      let best = -1;
      row.forEach((v, i) => {
        if (i !== p && (best < 0 || v > row[best])) best = i;
      });
      return classes[best];
    }
    let best = 0;
    row.forEach((v, i) => {
      if (v > row[best]) best = i;
    });
    return classes[best];
  };
  const labels = images.map((i) => i.label);
  const decisions = rows.map(decide);
  const patients = images.map((i) => (i.patientId ? `${i.source ?? ''}:${i.patientId}` : i.path));
  const measure = (idx: number[], source: string): MulticlassMetrics =>
    multiclassMetrics({
      classes,
      labels: idx.map((k) => labels[k]),
      probabilities: idx.map((k) => rows[k]),
      predicted: idx.map((k) => decisions[k]),
      groups: idx.map((k) => patients[k]),
      source,
    });
  const metrics = measure(images.map((_, k) => k), data);
  const groups = options.groupBy
    ? { by: options.groupBy, groups: Object.fromEntries([...groupIndices(images, options.groupBy)].map(([g, idx]) => [g, measure(idx, `${data} (${options.groupBy} ${g})`)])) }
    : undefined;
  const result: MulticlassEvaluateResult = {
    kind: 'multiclass',
    model: modelDir,
    data,
    split,
    decision: { rule: positiveClass === null ? 'argmax' : 'threshold', positiveClass, threshold },
    metrics,
    images: images.map((im, k) => ({
      path: im.path,
      label: im.label,
      probabilities: Object.fromEntries(classes.map((c, i) => [c, rows[k][i]])),
      decision: decisions[k],
      ...(im.source ? { source: im.source } : {}),
    })),
    ...(groups ? { groups } : {}),
    notice: 'NOT FOR CLINICAL USE',
  };
  if (options.report) {
    const info = cxr.config.backbone.info as { pretrained?: boolean; weightsSource?: string } | null;
    const files = await writeMulticlassReport(path.resolve(ctx.cwd, options.report), {
      title: `cxr evaluation: ${path.basename(modelDir)} on ${path.basename(data)} (${split})`,
      model: {
        backbone: cxr.config.backbone.name,
        weights: info?.pretrained === false ? 'random weights, NOT ImageNet (demo/testing only)' : `ImageNet (${info?.weightsSource ?? 'pretrained'}), frozen; head trained`,
        classes: [...classes],
        decision: positiveClass === null ? 'the most probable class' : `${positiveClass} when p(${positiveClass}) >= ${threshold}, else the most probable other class`,
      },
      metrics,
      ...(groups ? { groups } : {}),
      images: result.images,
      notes: [`Model: ${modelDir}`, `Data: ${data} (${split}, ${images.length} images)`],
    });
    result.report = files;
  }
  return result;
}
