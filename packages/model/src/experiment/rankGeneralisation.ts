import { wilsonInterval, type Interval } from '@cxr/metrics';
import type { PreprocessSpec } from '@cxr/preprocess';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { openBackbone, type BackboneSpec } from '../backbones/openBackbone';
import { TrainingInputError } from '../errors';
import { FeatureCache } from '../features/FeatureCache';
import { extractFileFeatures } from '../features/extractFileFeatures';
import { cropToPooledCells } from '../finetune/cropToPooledCells';
import { planFineTune, type FineTunePlan } from '../finetune/planFineTune';
import type { FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import { groupBootstrapAuc, type GroupBootstrapAuc } from '../probe/groupBootstrapAuc';
import { groupedFolds } from '../probe/groupedFolds';
import { trainHead } from '../train/trainHead';
import type { TrainConfiguration } from './trainConfiguration';
import { trainingSpec } from '../pipeline/trainingSpec';

/** One image of the experiment: its file, label (as the dataset builds it), source and patient. */
export interface GeneralisationItem {
  file: string;
  label: string;
  source: string;
  patient: string;
}

/**
 * A recipe as a view of the items: the classes a model is trained on (first = the positive class whose probability
 * is the score), and which dataset label goes to which class. Items whose label maps to no class are not trained on,
 * but they are still scored (so a two-class model's covid score can be tested against pneumonia it never saw).
 */
export interface GeneralisationRecipe {
  name: string;
  classes: readonly string[];
  /** Dataset label -> class of this recipe (labels absent here are not trained on). */
  classOf: Readonly<Record<string, string>>;
}

/** Options of {@link rankGeneralisation}. */
export interface RankGeneralisationOptions {
  items: readonly GeneralisationItem[];
  recipes: readonly GeneralisationRecipe[];
  /**
   * The train options compared (`parseTrainConfiguration`): CLAHE, spectral decoupling, source balancing, the source
   * adversary (applied only where a class has two sources in training). Each recipe is trained with each.
   */
  configurations: readonly TrainConfiguration[];
  /** The row the others are compared with (default: the first recipe with the first configuration). */
  baseline?: { recipe: string; configuration: string };
  /** Dataset labels of the positive class, of the normals, and of the same-collection other disease (e.g. pneumonia). */
  labels: { positive: string; normal: string; other: string };
  backbone: BackboneSpec;
  cacheDir: string;
  seeds: readonly number[];
  /** Sensitivity the specificity is read at (default 0.95). */
  sensitivity?: number;
  /** Cross-validation folds (default 5). */
  folds?: number;
  epochs?: number;
  bootstrapIterations?: number;
  engine?: FeatureEngineChoice;
  onProgress?: (message: string) => void;
}

/** Specificity on one held-out source's normals at the operating point where the internal positives reach the target sensitivity. */
export interface HeldOutSpecificity {
  source: string;
  /** Threshold = the score that keeps >= `sensitivity` of the internal test's positives at or above it. */
  threshold: number;
  trueNegatives: number;
  negatives: number;
  specificity: number;
}

/** One recipe x configuration x seed. */
export interface GeneralisationRun {
  seed: number;
  heldOut: HeldOutSpecificity[];
  /** The worst of `heldOut` (the ranking criterion). */
  worstSpecificity: number;
  /** Cross-fitted (k-fold, patient-grouped) covid score: positives vs other disease, within their collection. */
  positiveVsOther: GroupBootstrapAuc | null;
  /** Cross-fitted score: positives vs normals, all sources (internal). */
  internalAuc: GroupBootstrapAuc;
  /** Cross-fitted, at threshold 0.5: internal sensitivity and specificity (positives vs normals). */
  internalSensitivity: Interval;
  internalSpecificity: Interval;
  /** Cross-fitted score among normals: AUC of the positives' collection against the other sources (0.5 = source-blind). */
  scoreSourceAuc: GroupBootstrapAuc | null;
}

/** Mean over seeds, and the range over seeds (min-max). */
export interface SeedSpread {
  mean: number;
  min: number;
  max: number;
}

/** Where a row's range over seeds lies against the baseline's: wholly above, wholly below, or overlapping it. */
export type SeedRangeComparison = 'above' | 'below' | 'overlapping';

/** One recipe x configuration over all seeds. */
export interface GeneralisationRow {
  recipe: string;
  configuration: string;
  runs: GeneralisationRun[];
  /** Mean over seeds and range of the worst held-out specificity. */
  worstSpecificity: SeedSpread;
  /** Wilson 95% interval of the worst-source counts pooled over seeds (seeds share images, so it is optimistic). */
  worstSpecificityPooled: Interval;
  positiveVsOther: SeedSpread | null;
  /** The lowest lower and highest upper bound of the seeds' 95% patient-bootstrap intervals of `positiveVsOther`. */
  positiveVsOtherInterval: { lower: number; upper: number } | null;
  /**
   * Against the baseline row, by ranges over seeds: `beats` when the worst held-out specificity lies wholly above the
   * baseline's and the same-collection AUC does not lie wholly below it (`cxr train`'s default changes only then).
   */
  versusBaseline: { worstSpecificity: SeedRangeComparison; positiveVsOther: SeedRangeComparison | null; beats: boolean };
  internalSensitivity: SeedSpread;
  internalSpecificity: SeedSpread;
  scoreSourceAuc: SeedSpread | null;
}

/** The ranking: rows best first (worst held-out specificity, then positive-vs-other AUC). */
export interface GeneralisationReport {
  notice: 'NOT FOR CLINICAL USE';
  settings: { seeds: number[]; sensitivity: number; folds: number; epochs: number; bootstrapIterations: number };
  counts: Record<string, Record<string, number>>;
  rows: GeneralisationRow[];
  baseline: { recipe: string; configuration: string };
  /** The best-ranked row that beats the baseline (`versusBaseline.beats`), or null when none does. */
  winner: { recipe: string; configuration: string } | null;
  /** Where the data cannot answer, in words. */
  notes: string[];
  seconds: number;
}

const spread = (v: number[]): SeedSpread => ({ mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) });

/** `a` against `b` by their ranges over seeds. */
export function compareSeedRanges(a: SeedSpread, b: SeedSpread): SeedRangeComparison {
  if (a.min > b.max) return 'above';
  if (a.max < b.min) return 'below';
  return 'overlapping';
}

/** The ranking order: higher mean worst held-out specificity first, then higher mean same-collection AUC (absent last). */
export function compareGeneralisationRows(
  a: Pick<GeneralisationRow, 'worstSpecificity' | 'positiveVsOther'>,
  b: Pick<GeneralisationRow, 'worstSpecificity' | 'positiveVsOther'>,
): number {
  return b.worstSpecificity.mean - a.worstSpecificity.mean || (b.positiveVsOther?.mean ?? -1) - (a.positiveVsOther?.mean ?? -1);
}

/**
 * Ranks rows of {@link rankGeneralisation} (also rows of separate runs on the same items and settings): sorts them
 * ({@link compareGeneralisationRows}), compares each with the baseline row by ranges over seeds (`versusBaseline`),
 * names the best row that beats it, and says in words what the rows cannot support.
 * @throws TrainingInputError when the baseline is not among the rows
 */
export function rankGeneralisationRows(
  rows: readonly GeneralisationRow[],
  baseline: { recipe: string; configuration: string },
): { rows: GeneralisationRow[]; winner: { recipe: string; configuration: string } | null; notes: string[] } {
  const name = (r: { recipe: string; configuration: string }) => `${r.recipe} + ${r.configuration}`;
  const base = rows.find((r) => r.recipe === baseline.recipe && r.configuration === baseline.configuration);
  if (!base) throw new TrainingInputError(`rankGeneralisationRows: the baseline ${name(baseline)} is not among the rows`);
  const sorted = rows.map((r) => ({ ...r })).sort(compareGeneralisationRows);
  for (const row of sorted) {
    const worstSpecificity = compareSeedRanges(row.worstSpecificity, base.worstSpecificity);
    const positiveVsOther = row.positiveVsOther && base.positiveVsOther ? compareSeedRanges(row.positiveVsOther, base.positiveVsOther) : null;
    const isBase = row.recipe === base.recipe && row.configuration === base.configuration;
    row.versusBaseline = { worstSpecificity, positiveVsOther, beats: !isBase && worstSpecificity === 'above' && positiveVsOther !== 'below' };
  }
  const best = sorted.find((r) => r.versusBaseline.beats);
  const notes = [
    best
      ? `${name(best)} beats the baseline ${name(baseline)}: its worst held-out specificity over seeds (${best.worstSpecificity.min.toFixed(2)}-${best.worstSpecificity.max.toFixed(2)}) lies above the baseline's (${base.worstSpecificity.min.toFixed(2)}-${base.worstSpecificity.max.toFixed(2)}), and its same-collection AUC does not lie below.`
      : `No row beats the baseline ${name(baseline)} (worst held-out specificity ${base.worstSpecificity.min.toFixed(2)}-${base.worstSpecificity.max.toFixed(2)} over seeds) with a range over seeds wholly above it and a same-collection AUC not below it.`,
  ];
  if (base.runs.length < 2) notes.push('One seed: the ranges over seeds are single values and cannot show that one row beats another.');
  const chance = sorted.filter((r) => r.positiveVsOtherInterval && r.positiveVsOtherInterval.lower <= 0.5);
  if (chance.length > 0) {
    notes.push(
      chance.length === sorted.length
        ? 'Every row has a same-collection AUC whose 95% interval contains 0.5 in at least one seed: the data cannot show that any of them tells the positives from the other disease better than chance.'
        : `The same-collection AUC's 95% interval contains 0.5 in at least one seed for ${chance.map(name).join('; ')}: no better than chance there.`,
    );
  }
  return { rows: sorted, winner: best ? { recipe: best.recipe, configuration: best.configuration } : null, notes };
}

/**
 * The score at or above which at least `target` of `positives` lie: the threshold of the ROC point with
 * sensitivity >= target (the highest such threshold).
 *
 * @example thresholdAtSensitivity([0.9, 0.8, 0.7, 0.6], 0.75) // 0.7
 */
export function thresholdAtSensitivity(positives: readonly number[], target: number): number {
  if (positives.length === 0) throw new TrainingInputError('thresholdAtSensitivity: no positive scores');
  const sorted = [...positives].sort((a, b) => b - a);
  return sorted[Math.max(0, Math.ceil(target * sorted.length) - 1)];
}

/**
 * Ranks recipes x train configurations by how they hold up on hospitals left out of training, over several seeds: for each
 * source with normals, a model trained without that source's normals (and without the whole source when it has no
 * positives) is read at the threshold where the internal test's positives reach `sensitivity`, and the specificity on
 * the held-out normals is counted; the criterion is the worst such specificity. Beside it, cross-fitted over all
 * images: the positives-vs-other-disease AUC within one collection, the internal sensitivity and specificity at 0.5,
 * and the AUC with which the score tells the normals' sources apart.
 */
export async function rankGeneralisation(options: RankGeneralisationOptions): Promise<GeneralisationReport> {
  const started = performance.now();
  const say = options.onProgress ?? (() => undefined);
  const { items, labels } = options;
  const sensitivity = options.sensitivity ?? 0.95;
  const folds = options.folds ?? 5;
  const epochs = options.epochs ?? 10;
  const iterations = options.bootstrapIterations ?? 1000;
  if (items.length === 0) throw new TrainingInputError('rankGeneralisation: no images');
  if (options.recipes.length === 0 || options.configurations.length === 0 || options.seeds.length === 0) {
    throw new TrainingInputError('rankGeneralisation: needs at least one recipe, one configuration and one seed');
  }
  const baseline = options.baseline ?? { recipe: options.recipes[0].name, configuration: options.configurations[0].name };
  if (!options.recipes.some((r) => r.name === baseline.recipe) || !options.configurations.some((c) => c.name === baseline.configuration)) {
    throw new TrainingInputError(`rankGeneralisation: the baseline ${baseline.recipe} + ${baseline.configuration} is not among the recipes and configurations ranked`);
  }
  for (const l of [labels.positive, labels.normal]) {
    if (!items.some((it) => it.label === l)) throw new TrainingInputError(`rankGeneralisation: no images labelled ${JSON.stringify(l)}`);
  }
  const counts: GeneralisationReport['counts'] = {};
  for (const it of items) (counts[it.source] ??= {})[it.label] = (counts[it.source]?.[it.label] ?? 0) + 1;
  const positiveSources = new Set(items.filter((it) => it.label === labels.positive).map((it) => it.source));
  const normalSources = [...new Set(items.filter((it) => it.label === labels.normal).map((it) => it.source))].sort();
  const notes: string[] = [];
  if (normalSources.length < 2) notes.push('Only one source has normals: no held-out hospital can be tested.');

  const backbone = await openBackbone(options.backbone);
  const cache = new FeatureCache(options.cacheDir);
  const pooled = new Map<string, { features: tf.Tensor4D; fineTune?: FineTunePlan }>();
  const featuresFor = async (config: TrainConfiguration): Promise<{ features: tf.Tensor4D; fineTune?: FineTunePlan }> => {
    const key = `${config.clahe}|${config.lungCrop}|${config.fineTuneBlocks}`;
    const hit = pooled.get(key);
    if (hit) return hit;
    // fine-tuned blocks read the frozen backbone cut below them (planFineTune), as cxr train --fine-tune-blocks does
    const fineTune = config.fineTuneBlocks > 0 ? planFineTune(backbone, { blocks: config.fineTuneBlocks }) : undefined;
    const base = fineTune?.backbone ?? backbone;
    // the spec cxr train --clahe / --lung-crop would record (the same features and cache entries)
    const spec: PreprocessSpec = trainingSpec(base.preprocessing, { clahe: config.clahe, lungCrop: config.lungCrop });
    const raw = await extractFileFeatures(base, items.map((it) => it.file), {
      cache,
      preprocessing: spec,
      engine: options.engine ?? 'auto',
      onProgress: (p) => {
        if (p.done === (p.total ?? items.length)) say(`features (${config.clahe ? 'CLAHE, ' : ''}${config.lungCrop ? 'lung crop, ' : ''}cut at ${fineTune?.cutLayer ?? 'the backbone output'}): ${p.done} images (${p.cached} from cache)`);
      },
    });
    let t: tf.Tensor4D;
    if (fineTune) {
      // the blocks act per position before the head's 4x4 pooling: keep the cells that pooling reads
      const { features, shape } = cropToPooledCells(raw, base.outputShape, 4);
      const all = new Float32Array(features.length * shape[0] * shape[1] * shape[2]);
      features.forEach((f, i) => all.set(f, i * f.length));
      t = tf.tensor4d(all, [features.length, ...shape]);
    } else {
      const [h, w, c] = base.outputShape;
      const all = new Float32Array(raw.length * h * w * c);
      raw.forEach((f, i) => all.set(f, i * h * w * c));
      // The notebook head's AveragePooling2D(4x4, valid) has no weights: applied once here, the head then pools 1x1.
      t = tf.tidy(() => tf.avgPool(tf.tensor4d(all, [raw.length, h, w, c]), 4, 4, 'valid') as tf.Tensor4D);
    }
    const entry = { features: t, fineTune };
    pooled.set(key, entry);
    return entry;
  };

  const rows: GeneralisationRow[] = [];
  try {
    for (const recipe of options.recipes) {
      for (const config of options.configurations) {
        const { features, fineTune } = await featuresFor(config);
        const runs: GeneralisationRun[] = [];
        for (const seed of options.seeds) {
          const train = async (idx: readonly number[]): Promise<tfl.LayersModel> => {
            const use = idx.filter((i) => recipe.classOf[items[i].label] !== undefined);
            const lab = use.map((i) => recipe.classOf[items[i].label]);
            const src = use.map((i) => items[i].source);
            // the adversary needs a class with two sources in training: where none has, it is off (said in the notes)
            const twoSources = recipe.classes.some((c) => new Set(src.filter((_, j) => lab[j] === c)).size > 1);
            const x = tf.gather(features, use);
            try {
              const { head } = await trainHead(x, lab, {
                classes: [...recipe.classes],
                head: { poolSize: fineTune ? 4 : 1 },
                fineTune: fineTune ? { layers: fineTune.layers } : undefined,
                epochs,
                seed,
                sources: src,
                sourceBalanced: config.sourceBalanced,
                spectralDecoupling: config.spectralDecoupling,
                sourceAdversarial: config.sourceAdversarial > 0 && twoSources ? { weight: config.sourceAdversarial } : undefined,
              });
              return head;
            } finally {
              x.dispose();
            }
          };
          const score = (head: tfl.LayersModel, idx: readonly number[]): number[] =>
            tf.tidy(() => Array.from(tf.slice(head.predict(tf.gather(features, idx)) as tf.Tensor, [0, 0], [-1, 1]).dataSync()));
          const strata = items.map((it) => `${it.source}|${it.label}`);

          // held-out hospitals
          const heldOut: HeldOutSpecificity[] = [];
          for (const source of normalSources) {
            const wholeSource = !positiveSources.has(source);
            const isHeld = (it: GeneralisationItem) => it.source === source && (wholeSource || it.label === labels.normal);
            const heldPatients = new Set(items.filter(isHeld).map((it) => it.patient));
            const pool = items.flatMap((it, i) => (heldPatients.has(it.patient) ? [] : [i]));
            const held = items.flatMap((it, i) => (heldPatients.has(it.patient) && isHeld(it) ? [i] : []));
            // 80/20 patient-level split of the pool (one fold of five as the internal test)
            const fold = groupedFolds(pool.map((i) => strata[i]), pool.map((i) => items[i].patient), folds, seed);
            const tr = pool.filter((_, j) => fold[j] !== 0);
            const te = pool.filter((_, j) => fold[j] === 0 && items[pool[j]].label === labels.positive);
            const head = await train(tr);
            try {
              const t = thresholdAtSensitivity(score(head, te), sensitivity);
              const hs = score(head, held.filter((i) => items[i].label === labels.normal));
              const tn = hs.filter((s) => s < t).length;
              heldOut.push({ source, threshold: t, trueNegatives: tn, negatives: hs.length, specificity: tn / hs.length });
            } finally {
              head.dispose();
            }
          }

          // cross-fitted scores over all images
          const cv = groupedFolds(strata, items.map((it) => it.patient), folds, seed);
          const oof = new Array<number>(items.length).fill(NaN);
          for (let k = 0; k < folds; k++) {
            const head = await train(items.flatMap((_, i) => (cv[i] !== k ? [i] : [])));
            try {
              const te = items.flatMap((_, i) => (cv[i] === k ? [i] : []));
              score(head, te).forEach((s, j) => (oof[te[j]] = s));
            } finally {
              head.dispose();
            }
          }
          const subsetAuc = (pos: (it: GeneralisationItem) => boolean, neg: (it: GeneralisationItem) => boolean): GroupBootstrapAuc | null => {
            const idx = items.flatMap((it, i) => (pos(it) || neg(it) ? [i] : []));
            const y = idx.map((i) => (pos(items[i]) ? 1 : 0));
            if (!y.includes(1) || !y.includes(0)) return null;
            return groupBootstrapAuc(y, idx.map((i) => oof[i]), idx.map((i) => items[i].patient), { iterations, seed });
          };
          const otherSources = new Set(items.filter((it) => it.label === labels.other).map((it) => it.source));
          const positiveVsOther = subsetAuc(
            (it) => it.label === labels.positive && otherSources.has(it.source),
            (it) => it.label === labels.other && positiveSources.has(it.source),
          );
          const internalAuc = subsetAuc((it) => it.label === labels.positive, (it) => it.label === labels.normal) as GroupBootstrapAuc;
          const pos = items.flatMap((it, i) => (it.label === labels.positive ? [oof[i]] : []));
          const neg = items.flatMap((it, i) => (it.label === labels.normal ? [oof[i]] : []));
          const scoreSourceAuc = subsetAuc(
            (it) => it.label === labels.normal && positiveSources.has(it.source),
            (it) => it.label === labels.normal && !positiveSources.has(it.source),
          );
          const worst = heldOut.reduce((a, b) => (b.specificity < a.specificity ? b : a), heldOut[0]);
          runs.push({
            seed,
            heldOut,
            worstSpecificity: worst ? worst.specificity : NaN,
            positiveVsOther,
            internalAuc,
            internalSensitivity: wilsonInterval(pos.filter((s) => s >= 0.5).length, pos.length),
            internalSpecificity: wilsonInterval(neg.filter((s) => s < 0.5).length, neg.length),
            scoreSourceAuc,
          });
        }
        const worstOf = runs.map((r) => r.heldOut.reduce((a, b) => (b.specificity < a.specificity ? b : a), r.heldOut[0]));
        const pvoRuns = runs.flatMap((r) => (r.positiveVsOther && Number.isFinite(r.positiveVsOther.value) ? [r.positiveVsOther] : []));
        const pvo = pvoRuns.map((a) => a.value);
        const ssa = runs.flatMap((r) => (r.scoreSourceAuc ? [r.scoreSourceAuc.value] : []));
        const row: GeneralisationRow = {
          recipe: recipe.name,
          configuration: config.name,
          runs,
          worstSpecificity: spread(runs.map((r) => r.worstSpecificity)),
          worstSpecificityPooled: wilsonInterval(
            worstOf.reduce((a, w) => a + (w?.trueNegatives ?? 0), 0),
            worstOf.reduce((a, w) => a + (w?.negatives ?? 0), 0),
          ),
          positiveVsOther: pvo.length ? spread(pvo) : null,
          positiveVsOtherInterval: pvoRuns.length ? { lower: Math.min(...pvoRuns.map((a) => a.lower)), upper: Math.max(...pvoRuns.map((a) => a.upper)) } : null,
          versusBaseline: { worstSpecificity: 'overlapping', positiveVsOther: null, beats: false },
          internalSensitivity: spread(runs.map((r) => r.internalSensitivity.value)),
          internalSpecificity: spread(runs.map((r) => r.internalSpecificity.value)),
          scoreSourceAuc: ssa.length ? spread(ssa) : null,
        };
        rows.push(row);
        say(
          `${recipe.name} + ${config.name}: worst held-out specificity ${row.worstSpecificity.mean.toFixed(2)} ` +
            `(${row.worstSpecificity.min.toFixed(2)}-${row.worstSpecificity.max.toFixed(2)}), positive vs other AUC ${row.positiveVsOther?.mean.toFixed(2) ?? '-'}`,
        );
      }
    }
  } finally {
    tf.dispose([...pooled.values()].map((p) => p.features));
    backbone.model.dispose();
  }
  for (const source of normalSources) {
    const wholeSource = !positiveSources.has(source);
    const pool = items.filter((it) => !(it.source === source && (wholeSource || it.label === labels.normal)));
    const sourcesPerLabel = new Map<string, Set<string>>();
    for (const it of pool) sourcesPerLabel.set(it.label, (sourcesPerLabel.get(it.label) ?? new Set<string>()).add(it.source));
    if (![...sourcesPerLabel.values()].some((s) => s.size > 1)) {
      notes.push(
        `Holding out ${source}${wholeSource ? '' : "'s normals"} leaves no class with images from two sources: source balancing and the ` +
          'source-adversarial penalty cannot act in that evaluation (they train as without them).',
      );
    }
  }
  const ranked = rankGeneralisationRows(rows, baseline);
  return {
    notice: 'NOT FOR CLINICAL USE',
    settings: { seeds: [...options.seeds], sensitivity, folds, epochs, bootstrapIterations: iterations },
    counts,
    rows: ranked.rows,
    baseline,
    winner: ranked.winner,
    notes: [...ranked.notes, ...notes],
    seconds: (performance.now() - started) / 1000,
  };
}
