import { access } from 'node:fs/promises';
import type * as tfl from '@tensorflow/tfjs-layers';
import path from 'node:path';
import type { ManifestRecord } from '@cxr/dataset';
import {
  PatientLeakError,
  readBuildClasses,
  readManifest,
  readSplitFile,
  resolveManifestPath,
  splitByPatient,
  validateSplit,
  type SplitAssignment,
  type SplitName,
} from '@cxr/dataset/node';
import { binaryMetrics, createRng, shuffleInPlace, wilsonInterval, youdenThreshold, type Interval } from '@cxr/metrics';
import { FeatureCache } from '../features/FeatureCache';
import { globalAveragePool } from '../probe/globalAveragePool';
import { groupBootstrapAuc, type GroupBootstrapAuc } from '../probe/groupBootstrapAuc';
import { initBackend } from '../backend/initBackend';
import { groupedFolds } from '../probe/groupedFolds';
import { openBackbone, type BackboneSpec } from '../backbones/openBackbone';
import { sourceProbe, type SourceProbeResult } from '../probe/sourceProbe';
import { type Backbone } from '../backbones/backbone';
import { type FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import { PreprocessError } from '@cxr/preprocess';
import { PipelineInputError } from '../errors';
import { experimentFeatures } from './experimentFeatures';
import { resolveMitigation, STRONG_AUGMENTATION, type MitigationSettings } from './mitigations';
import { planHoldOuts, type HoldOutPlan, type SkippedHoldOut } from './planHoldOuts';
import { headPool, scoreFeatures, trainArm } from './trainArm';

/** Options of {@link runLoso}. */
export interface LosoOptions {
  /** A dataset built by `cxr dataset build` (its `manifest.csv`; an optional `split.csv` fixes the internal split). */
  data: string;
  /** The frozen base: `{ name: 'mobilenet_v1', weights: dir }`, or a random VGG16-like base (tests). */
  backbone: BackboneSpec;
  /** Mitigations to measure besides `none` (always measured first). */
  mitigations?: readonly string[];
  /** Feature cache folder (default `<data>/.cache/features`). */
  cacheDir?: string;
  seed?: number;
  /** Cross-validation folds of the probes (default 5). */
  folds?: number;
  /** Head training epochs (default 10, the notebook's). */
  epochs?: number;
  /** Bootstrap resamples of AUC intervals (default 2000). */
  bootstrapIterations?: number;
  engine?: FeatureEngineChoice;
  /** Source AUC above which the report raises the shortcut alarm (default 0.8). */
  alarmAuc?: number;
  /** Directory against which relative paths resolve. */
  cwd?: string;
  /** Progress lines (feature extraction, each arm). */
  onProgress?: (message: string) => void;
}

/** Sensitivity, specificity, AUC (with CIs) of scores on a set of images at a threshold. */
export interface ScoreSummary {
  n: number;
  positives: number;
  negatives: number;
  threshold: number;
  /** Wilson intervals over images; `null` without images of that class. */
  sensitivity: Interval | null;
  specificity: Interval | null;
  accuracy: Interval;
  /** ROC AUC with a patient-level bootstrap interval; `null` unless both classes occur. */
  auc: GroupBootstrapAuc | null;
  /** Specificity per source of the negatives (e.g. NIH normals vs covid-chestxray normals). */
  specificityBySource: Record<string, Interval & { n: number }>;
}

/** One trained model and what it scored: the internal patient-level test and, for a hold-out, the held-out images. */
export interface EvaluationResult {
  id: string;
  kind: 'internal' | 'source' | 'normals';
  /** The held-out source, for hold-outs. */
  heldOut: string | null;
  description: string;
  /** Images per source and label in training, validation, internal test and held-out test. */
  counts: Record<'train' | 'val' | 'test' | 'heldOut', Record<string, Record<string, number>>>;
  threshold: { value: number; chosenOn: 'fixed 0.5' | "validation (Youden's J)" };
  internalTest: ScoreSummary;
  /** The held-out images (unseen hospital, or that hospital's unseen normals). */
  heldOutTest: ScoreSummary | null;
  /**
   * AUC of the internal test's positives against the held-out negatives: how well covid from the training
   * hospitals is told from normals of the unseen one.
   */
  aucInternalPositivesVsHeldOutNegatives: GroupBootstrapAuc | null;
}

/** The shortcut alarm of one arm: source predictability of features and of the model's score, beside the disease. */
export interface ProbeReport {
  /** Features (global average pooled) predicting the source among negatives only: the cleanest shortcut test. */
  featureSourceNegatives: ProbeSummary | null;
  /** Features predicting the source over all images (confounded with the label where sources hold one class). */
  featureSourceAll: ProbeSummary | null;
  /** Features predicting the label: the disease AUC of the same probe, for comparison. */
  featureDisease: ProbeSummary | null;
  /**
   * Features predicting the label within the source that provides the positives (the source held fixed): what
   * disease signal is left when the source cannot help.
   */
  featureDiseaseWithinSource: ProbeSummary | null;
  /** Cross-fitted model scores (k-fold, patient-grouped): disease AUC over all images. */
  scoreDisease: GroupBootstrapAuc | null;
  /** Cross-fitted model scores predicting the positives' source among negatives (a score using the source is high there). */
  scoreSourceNegatives: (GroupBootstrapAuc & { positiveSource: string; n: number }) | null;
  /** Cross-fitted model scores: disease AUC within the positives' source only. */
  scoreDiseaseWithinSource: (GroupBootstrapAuc & { source: string; n: number }) | null;
}

/** The compact part of a {@link SourceProbeResult} that the report keeps. */
export interface ProbeSummary {
  auc: number;
  ci: { lower: number; upper: number; level: number };
  positiveSource: string;
  negativeSource: string;
  n: number;
  nPositive: number;
  nNegative: number;
  folds: { fold: number; n: number; positives: number; auc: number | null }[];
  method: string;
}

/** One mitigation's arm of the experiment. */
export interface ArmResult {
  mitigation: MitigationSettings;
  evaluations: EvaluationResult[];
  probe: ProbeReport;
  /** Shortcut alarms raised (empty when none). */
  flags: string[];
  featureSeconds: number;
  totalSeconds: number;
}

/** The whole leave-one-source-out report. */
export interface LosoReport {
  notice: 'NOT FOR CLINICAL USE';
  dataset: {
    dir: string;
    images: number;
    patients: number;
    counts: Record<string, Record<string, number>>;
    internalSplit: 'split.csv' | 'splitByPatient 70/15/15 stratified by source x label';
  };
  backbone: { name: string; weightsHash: string; pretrained: boolean; outputShape: [number, number, number] };
  /** What ran the backbone: onnxruntime-node, or tfjs with the reason `auto` fell back (or `tfjs` when forced). */
  featureEngine: string;
  positive: string;
  negative: string;
  settings: { seed: number; folds: number; epochs: number; bootstrapIterations: number; alarmAuc: number };
  plans: HoldOutPlan[];
  skipped: SkippedHoldOut[];
  arms: ArmResult[];
}

interface Item {
  index: number;
  record: ManifestRecord;
  file: string;
  label: string;
  source: string;
  patient: string;
}

/** The two classes the experiment compares, from the dataset's build recipe. */
interface BinaryClasses {
  positive: string;
  negative: string;
}
const FRACTIONS = { train: 0.7, val: 0.15, test: 0.15 };

function countBy(items: readonly Item[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const it of items) {
    out[it.source] ??= {};
    out[it.source][it.label] = (out[it.source][it.label] ?? 0) + 1;
  }
  return out;
}

function toLeakInput(error: unknown, where: string): never {
  if (error instanceof PatientLeakError) throw new PipelineInputError(`${where}: ${error.message}`, { cause: error });
  if (error instanceof PreprocessError) throw new PipelineInputError(error.message, { cause: error });
  throw error;
}

/** Patient-level split of `items` (70/15/15, stratified by source x label), checked for leaks. */
function splitItems(items: readonly Item[], seed: number): Map<number, SplitName> {
  const assigned = splitByPatient(
    items.map((it) => ({ path: it.record.path, label: it.label, patientId: it.patient, source: it.source, stratum: `${it.source}|${it.label}`, index: it.index })),
    { fractions: FRACTIONS, seed, stratifyBy: 'stratum' },
  );
  validateSplit(assigned);
  return new Map(assigned.map((a) => [a.index as number, a.split]));
}

/** Summary of scores on a set of images. */
function summarise(items: readonly Item[], scores: readonly number[], threshold: number, bootstrapIterations: number, seed: number, classes: BinaryClasses): ScoreSummary {
  const { positive: POSITIVE, negative: NEGATIVE } = classes;
  const labels = items.map((it) => it.label);
  const positives = labels.filter((l) => l === POSITIVE).length;
  const negatives = labels.length - positives;
  const m = binaryMetrics({ labels, scores, positiveLabel: POSITIVE, negativeLabel: NEGATIVE, threshold, bootstrap: { iterations: 1, seed } });
  const bySource: ScoreSummary['specificityBySource'] = {};
  for (const s of [...new Set(items.filter((it) => it.label === NEGATIVE).map((it) => it.source))].sort()) {
    const idx = items.flatMap((it, i) => (it.label === NEGATIVE && it.source === s ? [i] : []));
    const tn = idx.filter((i) => scores[i] < threshold).length;
    bySource[s] = { ...wilsonInterval(tn, idx.length), n: idx.length };
  }
  return {
    n: items.length,
    positives,
    negatives,
    threshold,
    sensitivity: positives > 0 ? m.sensitivity : null,
    specificity: negatives > 0 ? m.specificity : null,
    accuracy: m.accuracy,
    auc:
      positives > 0 && negatives > 0
        ? groupBootstrapAuc(labels.map((l) => (l === POSITIVE ? 1 : 0)), scores, items.map((it) => it.patient), { iterations: bootstrapIterations, seed })
        : null,
    specificityBySource: bySource,
  };
}

function probeSummary(r: SourceProbeResult): ProbeSummary {
  return {
    auc: r.auc,
    ci: { lower: r.ci.lower, upper: r.ci.upper, level: r.ci.level },
    positiveSource: r.positiveSource,
    negativeSource: r.negativeSource,
    n: r.n,
    nPositive: r.nPositive,
    nNegative: r.nNegative,
    folds: r.folds,
    method: r.method,
  };
}

function tryProbe(run: () => SourceProbeResult): ProbeSummary | null {
  try {
    return probeSummary(run());
  } catch (error) {
    if ((error as Error).name === 'ProbeInputError') return null;
    throw error;
  }
}

/** Reads the manifest into experiment items, with the two classes of the build's recipe; refuses other labels. */
async function readLosoItems(dataDir: string, manifestFile: string, dataArg: string): Promise<{ items: Item[]; binary: BinaryClasses }> {
  if (!(await access(manifestFile).then(() => true, () => false))) {
    throw new PipelineInputError(`${manifestFile}: no manifest.csv; build the dataset first with \`cxr dataset build --source ... --out ${dataArg}\``);
  }
  const records = await readManifest(manifestFile);
  const { classes, positiveClass: recipePositive } = await readBuildClasses(dataDir);
  // An argmax recipe (no positive class) is compared as its first class against the other.
  const positiveClass = recipePositive ?? classes[0];
  const binary: BinaryClasses = { positive: positiveClass, negative: classes.find((c: string) => c !== positiveClass) ?? positiveClass };
  const { positive: POSITIVE, negative: NEGATIVE } = binary;
  const items: Item[] = records.map((record, index) => ({
    index,
    record,
    file: resolveManifestPath(manifestFile, record),
    label: record.label,
    source: record.source,
    patient: record.patientId === '' ? `path:${record.path}` : `${record.source}:${record.patientId}`,
  }));
  const otherLabel = items.find((it) => it.label !== POSITIVE && it.label !== NEGATIVE);
  if (otherLabel) throw new PipelineInputError(`${manifestFile}: label ${JSON.stringify(otherLabel.label)} of ${otherLabel.record.path}; the experiment compares ${POSITIVE} with ${NEGATIVE} only`);
  for (const l of [POSITIVE, NEGATIVE]) {
    if (!items.some((it) => it.label === l)) throw new PipelineInputError(`${manifestFile}: no ${l} images; the experiment needs both ${POSITIVE} and ${NEGATIVE}`);
  }
  return { items, binary };
}

/** The internal split: `split.csv` when the dataset has one (checked for leaks), else a fresh patient-level split. */
async function internalSplitOf(
  items: readonly Item[],
  dataDir: string,
  seed: number,
): Promise<{ internal: Map<number, SplitName>; internalSplit: LosoReport['dataset']['internalSplit'] }> {
  const splitFile = path.join(dataDir, 'split.csv');
  if (!(await access(splitFile).then(() => true, () => false))) {
    return { internal: splitItems(items, seed), internalSplit: 'splitByPatient 70/15/15 stratified by source x label' };
  }
  let rows: SplitAssignment[];
  try {
    rows = await readSplitFile(splitFile);
  } catch (error) {
    toLeakInput(error, splitFile);
  }
  const byPath = new Map(rows.map((r) => [r.path, r.split]));
  const internal = new Map<number, SplitName>();
  const withSplit: SplitAssignment[] = [];
  for (const it of items) {
    const s = byPath.get(it.record.path);
    if (s === undefined) throw new PipelineInputError(`${splitFile}: no split for ${it.record.path} of the manifest`);
    internal.set(it.index, s);
    withSplit.push({ path: it.record.path, label: it.label, patientId: it.patient, split: s });
  }
  try {
    validateSplit(withSplit);
  } catch (error) {
    toLeakInput(error, splitFile);
  }
  return { internal, internalSplit: 'split.csv' };
}

/** Backbone features of every item: raw maps and head-pooled maps, per arm preprocessing and augmented copy. */
interface ArmFeatures {
  raw: Float32Array[];
  head: Float32Array[];
}

/**
 * A memoised source of backbone features (arms that preprocess alike share them), extracted through the disk cache;
 * `fallbacks` collects why the ONNX engine was not used, when it was not.
 */
function createFeatureSource(backbone: Backbone, items: readonly Item[], options: { cache: FeatureCache; engine?: FeatureEngineChoice; seed: number; say: (m: string) => void }) {
  const rawShape = backbone.outputShape;
  const files = items.map((it) => it.file);
  const memo = new Map<string, ArmFeatures>();
  const fallbacks = new Set<string>();
  const featuresFor = async (arm: MitigationSettings, copy: number | null): Promise<ArmFeatures> => {
    const spec = {
      ...backbone.preprocessing,
      clahe: arm.clahe ? { tileGridSize: 8, clipLimit: 2 } : backbone.preprocessing.clahe,
      cropBorder: arm.cropBorder || backbone.preprocessing.cropBorder,
      ...(arm.lungCrop ? { lungCrop: arm.lungCrop } : {}),
    };
    const key = JSON.stringify([spec, copy]);
    const hit = memo.get(key);
    if (hit) return hit;
    const label = `${arm.name}${copy === null ? '' : ` (augmented copy ${copy + 1})`}`;
    const raw = await experimentFeatures(backbone, files, {
      spec,
      augment: copy === null ? undefined : { options: { ...STRONG_AUGMENTATION }, copy, seed: options.seed },
      cache: options.cache,
      engine: options.engine,
      onWarning: (message) => fallbacks.add(message),
      onProgress: (done, total, cached) => {
        if (done === total) options.say(`features ${label}: ${total} images (${cached} from cache)`);
      },
    });
    const f = { raw, head: raw.map((x) => headPool(x, rawShape).data) };
    memo.set(key, f);
    return f;
  };
  return { featuresFor, fallbacks };
}

/** What one arm's evaluations share: its items and features, the settings, and how it trains a head. */
interface ArmContext {
  arm: MitigationSettings;
  items: readonly Item[];
  binary: BinaryClasses;
  /** Head-pooled features by item index. */
  features: readonly Float32Array[];
  headShape: [number, number, number];
  seed: number;
  folds: number;
  bootstrapIterations: number;
  manifestFile: string;
  train: (trainItems: readonly Item[], armSeed: number) => Promise<tfl.Sequential>;
}

/** Trains on the pool's train split, picks the threshold, and tests on the pool's test split and the held-out images. */
async function evaluateSplit(
  ctx: ArmContext,
  id: string,
  kind: EvaluationResult['kind'],
  heldOut: string | null,
  description: string,
  split: Map<number, SplitName>,
  pool: readonly Item[],
  heldOutItems: readonly Item[],
): Promise<EvaluationResult> {
  const { positive: POSITIVE, negative: NEGATIVE } = ctx.binary;
  const { seed, bootstrapIterations } = ctx;
  const part = (s: SplitName) => pool.filter((it) => split.get(it.index) === s);
  const [tr, va, te] = [part('train'), part('val'), part('test')];
  // No patient may be both trained on and tested: checked over the pool split and the held-out images.
  try {
    validateSplit([
      ...pool.map((it) => ({ path: it.record.path, label: it.label, patientId: it.patient, split: split.get(it.index) as SplitName })),
      ...heldOutItems.map((it) => ({ path: it.record.path, label: it.label, patientId: it.patient, split: 'test' as const })),
    ]);
  } catch (error) {
    toLeakInput(error, `${id} (${ctx.manifestFile})`);
  }
  const head = await ctx.train(tr, seed);
  try {
    const score = (list: readonly Item[]) => scoreFeatures(head, list.map((it) => ctx.features[it.index]), ctx.headShape);
    let threshold = 0.5;
    let chosenOn: EvaluationResult['threshold']['chosenOn'] = 'fixed 0.5';
    if (ctx.arm.validationThreshold) {
      const vs = score(va);
      const labels = va.map((it) => it.label);
      if (labels.includes(POSITIVE) && labels.includes(NEGATIVE)) {
        const t = youdenThreshold(labels, vs, POSITIVE, { negativeLabel: NEGATIVE }).threshold;
        threshold = Number.isFinite(t) ? t : 1;
        chosenOn = "validation (Youden's J)";
      }
    }
    const teScores = score(te);
    const internalTest = summarise(te, teScores, threshold, bootstrapIterations, seed, ctx.binary);
    let heldOutTest: ScoreSummary | null = null;
    let cross: GroupBootstrapAuc | null = null;
    if (heldOutItems.length > 0) {
      const hoScores = score(heldOutItems);
      heldOutTest = summarise(heldOutItems, hoScores, threshold, bootstrapIterations, seed, ctx.binary);
      const pos = te.flatMap((it, i) => (it.label === POSITIVE ? [{ it, s: teScores[i] }] : []));
      const neg = heldOutItems.flatMap((it, i) => (it.label === NEGATIVE ? [{ it, s: hoScores[i] }] : []));
      if (pos.length > 0 && neg.length > 0) {
        const both = [...pos, ...neg];
        cross = groupBootstrapAuc(both.map((b) => (b.it.label === POSITIVE ? 1 : 0)), both.map((b) => b.s), both.map((b) => b.it.patient), {
          iterations: bootstrapIterations,
          seed,
        });
      }
    }
    return {
      id,
      kind,
      heldOut,
      description,
      counts: { train: countBy(tr), val: countBy(va), test: countBy(te), heldOut: countBy(heldOutItems) },
      threshold: { value: threshold, chosenOn },
      internalTest,
      heldOutTest,
      aucInternalPositivesVsHeldOutNegatives: cross,
    };
  } finally {
    head.dispose();
  }
}

/** The internal evaluation, then one per hold-out plan (a source, or a source's negatives). */
async function evaluateArm(ctx: ArmContext, internal: Map<number, SplitName>, plans: readonly HoldOutPlan[]): Promise<EvaluationResult[]> {
  const { items, seed, arm } = ctx;
  const evaluations: EvaluationResult[] = [];
  evaluations.push(await evaluateSplit(ctx, 'internal', 'internal', null, 'all sources, patient-level split: train 70%, validation 15%, test 15%', internal, items, []));
  for (const plan of plans) {
    const isHeld = (it: Item) => it.source === plan.source && (plan.kind === 'source' || it.label === ctx.binary.negative);
    let heldPatients = [...new Set(items.filter(isHeld).map((it) => it.patient))].sort();
    let note = '';
    if (arm.multiSourceNormals) {
      // Half of the held-out source's patients join training: normals (or all images) from several sources.
      const order = shuffleInPlace([...heldPatients], createRng(`${seed}:multi-source-normals:${plan.source}`));
      const total = order.length;
      heldPatients = order.slice(Math.floor(total / 2)).sort();
      note = `; half of its patients (${total - heldPatients.length} of ${total}) train`;
    }
    const held = new Set(heldPatients);
    const pool = items.filter((it) => !held.has(it.patient));
    const heldOutItems = items.filter((it) => held.has(it.patient) && isHeld(it));
    const split = splitItems(pool, seed);
    evaluations.push(
      await evaluateSplit(
        ctx,
        `${plan.kind === 'source' ? 'hold-out' : 'hold-out-normals'}:${plan.source}`,
        plan.kind,
        plan.source,
        plan.reason + note,
        split,
        pool,
        heldOutItems,
      ),
    );
  }
  return evaluations;
}

/**
 * The shortcut probes of one arm: pooled features and cross-fitted model scores (k-fold, patient-grouped, stratified
 * by source x label; every image scored by a head that never saw its patient) against the source and the label.
 */
async function shortcutProbes(ctx: ArmContext, raw: readonly Float32Array[], rawShape: readonly number[]): Promise<ProbeReport> {
  const { items, seed, folds, bootstrapIterations, features, headShape } = ctx;
  const { positive: POSITIVE, negative: NEGATIVE } = ctx.binary;
  const pooled = raw.map((f) => globalAveragePool(f, rawShape as [number, number, number]));
  const negatives = items.filter((it) => it.label === NEGATIVE);
  const covidSource = positiveSourceOf(items, POSITIVE);
  // Probes pooled features of `subset` against `by` (the source, or the label), grouped by patient.
  const probeFeatures = (subset: readonly Item[], by: (it: Item) => string, positiveSource?: string) =>
    tryProbe(() =>
      sourceProbe({
        features: subset.map((it) => pooled[it.index]),
        sources: subset.map(by),
        groups: subset.map((it) => it.patient),
        folds,
        seed,
        bootstrapIterations,
        positiveSource,
      }),
    );
  const featureSourceNegatives = probeFeatures(negatives, (it) => it.source);
  const featureSourceAll = probeFeatures(items, (it) => it.source, covidSource);
  const featureDisease = probeFeatures(items, (it) => it.label, POSITIVE);
  const cvFolds = groupedFolds(items.map((it) => `${it.source}|${it.label}`), items.map((it) => it.patient), Math.min(folds, new Set(items.map((it) => it.patient)).size), seed);
  const oof = new Array<number>(items.length).fill(NaN);
  for (let k = 0; k < Math.max(...cvFolds) + 1; k++) {
    const tr = items.filter((it) => cvFolds[it.index] !== k);
    const te = items.filter((it) => cvFolds[it.index] === k);
    const head = await ctx.train(tr, seed + k + 1);
    try {
      scoreFeatures(head, te.map((it) => features[it.index]), headShape).forEach((s, j) => {
        oof[te[j].index] = s;
      });
    } finally {
      head.dispose();
    }
  }
  const auc = (subset: readonly Item[], isPositive: (it: Item) => boolean) =>
    groupBootstrapAuc(subset.map((it) => (isPositive(it) ? 1 : 0)), subset.map((it) => oof[it.index]), subset.map((it) => it.patient), {
      iterations: bootstrapIterations,
      seed,
    });
  const scoreDisease = auc(items, (it) => it.label === POSITIVE);
  let scoreSourceNegatives: ProbeReport['scoreSourceNegatives'] = null;
  if (negatives.some((it) => it.source === covidSource) && negatives.some((it) => it.source !== covidSource)) {
    scoreSourceNegatives = { ...auc(negatives, (it) => it.source === covidSource), positiveSource: covidSource, n: negatives.length };
  }
  // The disease with the source held fixed: within the source that provides the positives (and some negatives).
  const within = items.filter((it) => it.source === covidSource);
  const featureDiseaseWithinSource = probeFeatures(within, (it) => it.label, POSITIVE);
  let scoreDiseaseWithinSource: ProbeReport['scoreDiseaseWithinSource'] = null;
  if (within.some((it) => it.label === NEGATIVE) && within.some((it) => it.label === POSITIVE)) {
    scoreDiseaseWithinSource = { ...auc(within, (it) => it.label === POSITIVE), source: covidSource, n: within.length };
  }
  return { featureSourceNegatives, featureSourceAll, featureDisease, featureDiseaseWithinSource, scoreDisease, scoreSourceNegatives, scoreDiseaseWithinSource };
}

/** The alarms of one arm: source visible in the features or the score (AUC above `alarmAuc`), and unseen-source specificity drops. */
function alarmFlags(probe: ProbeReport, evaluations: readonly EvaluationResult[], binary: BinaryClasses, alarmAuc: number): string[] {
  const { positive: POSITIVE, negative: NEGATIVE } = binary;
  const { featureSourceNegatives, scoreSourceNegatives } = probe;
  const flags: string[] = [];
  if (featureSourceNegatives && featureSourceNegatives.auc > alarmAuc) {
    flags.push(
      `SHORTCUT ALARM: frozen features tell ${featureSourceNegatives.positiveSource} ${NEGATIVE}s from ${featureSourceNegatives.negativeSource} ${NEGATIVE}s ` +
        `with AUC ${featureSourceNegatives.auc.toFixed(2)} (95% CI ${featureSourceNegatives.ci.lower.toFixed(2)}-${featureSourceNegatives.ci.upper.toFixed(2)}) > ${alarmAuc}: ` +
        `the source is visible, so a model can learn it instead of the disease`,
    );
  }
  if (scoreSourceNegatives && scoreSourceNegatives.value > alarmAuc) {
    flags.push(
      `SHORTCUT ALARM: among ${NEGATIVE}s the model's ${POSITIVE} score separates ${scoreSourceNegatives.positiveSource} from the other sources with AUC ${scoreSourceNegatives.value.toFixed(2)} ` +
        `(95% CI ${scoreSourceNegatives.lower.toFixed(2)}-${scoreSourceNegatives.upper.toFixed(2)}) > ${alarmAuc}: the score follows the source`,
    );
  }
  // Unseen-hospital specificity against the internal test's (all sources seen in training).
  const internalSpec = evaluations[0].internalTest.specificity;
  for (const e of evaluations) {
    const spec = e.heldOutTest?.specificity;
    if (e.kind !== 'internal' && spec && internalSpec && spec.value < internalSpec.value - 0.2 && spec.upper < internalSpec.value) {
      flags.push(
        `SOURCE SHIFT: specificity on ${e.heldOut} ${NEGATIVE}s unseen in training is ${spec.value.toFixed(2)} (95% CI ${spec.lower.toFixed(2)}-${spec.upper.toFixed(2)}), ` +
          `against ${internalSpec.value.toFixed(2)} on the internal test (all sources in training)`,
      );
    }
  }
  return flags;
}

/**
 * Leave-one-source-out validation with a shortcut alarm, for each mitigation asked (and the notebook's recipe):
 * trains the notebook's head on frozen backbone features (cached on disk), tests on the internal patient-level
 * split and on each source that can be held out ({@link planHoldOuts}), and probes how well the features and the
 * cross-fitted model score predict the data source ({@link sourceProbe}), flagging source AUCs above `alarmAuc`.
 * Every split is patient-level and checked: a `split.csv` putting a patient in two splits is refused. The two classes
 * come from the build's recipe (`summary.json`; the default recipe otherwise).
 *
 * @throws PipelineInputError for a missing manifest, a patient leak, or labels other than the recipe's two classes
 * @example
 * const report = await runLoso({ data: 'data/cxr', backbone: { name: 'mobilenet_v1', weights: 'weights/mobilenet' }, mitigations: ['clahe'] });
 * report.arms[0].flags; // SHORTCUT ALARM lines, if any
 */
export async function runLoso(options: LosoOptions): Promise<LosoReport> {
  const cwd = options.cwd ?? process.cwd();
  const dataDir = path.resolve(cwd, options.data);
  const manifestFile = path.join(dataDir, 'manifest.csv');
  const seed = options.seed ?? 42;
  const folds = options.folds ?? 5;
  const epochs = options.epochs ?? 10;
  const bootstrapIterations = options.bootstrapIterations ?? 2000;
  const alarmAuc = options.alarmAuc ?? 0.8;
  const say = options.onProgress ?? (() => undefined);
  const names = ['none', ...(options.mitigations ?? []).filter((m) => m !== 'none')];
  const arms = [...new Set(names)].map(resolveMitigation);

  const { items, binary } = await readLosoItems(dataDir, manifestFile, options.data);
  const { internal, internalSplit } = await internalSplitOf(items, dataDir, seed);
  const { plans, skipped } = planHoldOuts(items.map((it) => ({ label: it.label, source: it.source, patientId: it.patient })), binary.positive, binary.negative);
  await initBackend();
  const backbone: Backbone = await openBackbone(options.backbone);
  const rawShape = backbone.outputShape;
  // The head's parameter-free AveragePooling2D(4x4) is applied once here (see headPool): same model, much faster training.
  const headShape = headPool(new Float32Array(rawShape[0] * rawShape[1] * rawShape[2]), rawShape).shape;
  const cache = new FeatureCache(path.resolve(cwd, options.cacheDir ?? path.join(dataDir, '.cache/features')));
  const { featuresFor, fallbacks } = createFeatureSource(backbone, items, { cache, engine: options.engine, seed, say });

  const results: ArmResult[] = [];
  try {
    for (const arm of arms) {
      const t0 = performance.now();
      const plain = await featuresFor(arm, null);
      const features = plain.head;
      const copies: Float32Array[][] = [];
      for (let c = 0; c < arm.augmentCopies; c++) copies.push((await featuresFor(arm, c)).head);
      const featureSeconds = (performance.now() - t0) / 1000;
      say(`arm ${arm.name}: training and testing`);
      const ctx: ArmContext = {
        arm,
        items,
        binary,
        features,
        headShape,
        seed,
        folds,
        bootstrapIterations,
        manifestFile,
        train: async (trainItems, armSeed) =>
          trainArm(
            {
              features: trainItems.map((it) => features[it.index]),
              labels: trainItems.map((it) => it.label),
              sources: trainItems.map((it) => it.source),
              copies: copies.map((c) => trainItems.map((it) => c[it.index])),
            },
            { classes: [binary.positive, binary.negative], shape: headShape, epochs, seed: armSeed, sourceBalanced: arm.sourceBalanced },
          ),
      };
      const evaluations = await evaluateArm(ctx, internal, plans);
      const probe = await shortcutProbes(ctx, plain.raw, rawShape);
      const flags = alarmFlags(probe, evaluations, binary, alarmAuc);
      results.push({ mitigation: arm, evaluations, probe, flags, featureSeconds, totalSeconds: (performance.now() - t0) / 1000 });
      say(`arm ${arm.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s${flags.length ? ` (${flags.length} alarm${flags.length > 1 ? 's' : ''})` : ''}`);
    }
  } finally {
    backbone.model.dispose();
  }
  return {
    notice: 'NOT FOR CLINICAL USE',
    dataset: { dir: dataDir, images: items.length, patients: new Set(items.map((it) => it.patient)).size, counts: countBy(items), internalSplit },
    backbone: { name: backbone.name, weightsHash: backbone.weightsHash, pretrained: backbone.info.pretrained, outputShape: rawShape },
    featureEngine:
      options.engine === 'tfjs' ? 'tfjs (forced)' : fallbacks.size > 0 ? `tfjs (onnxruntime unavailable: ${[...fallbacks].join('; ')})` : 'onnxruntime-node',
    positive: binary.positive,
    negative: binary.negative,
    settings: { seed, folds, epochs, bootstrapIterations, alarmAuc },
    plans,
    skipped,
    arms: results,
  };
}

/** The source providing most positive images (ties: alphabetical). */
function positiveSourceOf(items: readonly Item[], positive: string): string {
  const counts = new Map<string, number>();
  for (const it of items) if (it.label === positive) counts.set(it.source, (counts.get(it.source) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
}
