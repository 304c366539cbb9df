import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readManifest, resolveManifestPath } from '@cxr/dataset/node';
import { multiclassMetrics, type Interval, type MulticlassMetrics } from '@cxr/metrics';
import { initBackend } from '../backend/initBackend';
import type { Backbone } from '../backbones/backbone';
import { openBackbone, type BackboneSpec } from '../backbones/openBackbone';
import { TrainingInputError } from '../errors';
import { FeatureCache } from '../features/FeatureCache';
import { extractFileFeatures } from '../features/extractFileFeatures';
import type { ClassWeightOption } from '../train/computeClassWeights';
import { crossValidateHead } from './crossValidateHead';
import { cropToPooledCells } from '../finetune/cropToPooledCells';
import { planFineTune, type FineTuneOptions } from '../finetune/planFineTune';

/** Options of {@link runSameCollection}. */
export interface SameCollectionOptions {
  /** A dataset built from ONE source, e.g. `cxr dataset build --recipe covid-vs-pneumonia --source covid-chestxray=...`. */
  data: string;
  /** The frozen backbone (e.g. `{ name: 'mobilenet_v1', weights: '../shared/data/weights/mobilenet_v1_1.0_224_conv_pw_12' }`). */
  backbone: BackboneSpec;
  /** Cross-validation folds (default 5). */
  folds?: number;
  /** One cross-validation per seed (folds and training), default `[42]`. */
  seeds?: number[];
  /** Epochs per fold (default 10, the notebook's). */
  epochs?: number;
  /** Class weights of the head's loss (default none, as the notebook). */
  classWeight?: ClassWeightOption;
  /** Patient-bootstrap resamples of the AUC interval (default 2000). */
  bootstrapIterations?: number;
  /** Feature cache folder (default `<data>/.cache/features`). */
  cacheDir?: string;
  /**
   * Fine-tune the backbone's top blocks with each fold's head (`planFineTune`, e.g. `{ blocks: 1 }` for MobileNet's
   * conv_pw_12); default none (the frozen backbone).
   */
  fineTune?: FineTuneOptions;
  onProgress?: (message: string) => void;
}

/** One seeded cross-validation of {@link runSameCollection}. */
export interface SameCollectionRun {
  seed: number;
  /** ROC AUC of the positive class's out-of-fold probability, with its patient-bootstrap interval (seeded with `seed`). */
  auc: Interval;
  /** Every N-class metric of the out-of-fold predictions (decisions by the recipe's rule at 0.5, or argmax). */
  metrics: MulticlassMetrics;
  /** Items trained on and tested, per fold. */
  perFold: { fold: number; train: number; test: number }[];
}

/** What {@link runSameCollection} measured. */
export interface SameCollectionResult {
  data: string;
  source: string;
  classes: string[];
  /** The class whose AUC is reported (the recipe's positive class, else the first). */
  positiveClass: string;
  images: number;
  patients: number;
  byLabel: Record<string, number>;
  settings: { folds: number; seeds: number[]; epochs: number; classWeight: ClassWeightOption | null; bootstrapIterations: number; backbone: string; fineTune: { blocks: number; cutLayer: string; learningRate: number } | null };
  runs: SameCollectionRun[];
  notice: 'NOT FOR CLINICAL USE';
}

/**
 * The test the source cannot pass: COVID-19 vs other findings inside ONE collection. Extracts frozen-backbone
 * features of every image of a single-source build (cached), then per seed runs patient-level k-fold
 * cross-validation of the notebook head (`crossValidateHead`: folds grouped by patient, stratified by class) and
 * measures the out-of-fold predictions (`multiclassMetrics`, AUC intervals by a patient bootstrap). Since every
 * image comes from the same collection, the collection cannot give the answer away, unlike covid-vs-normal on
 * pooled public data.
 *
 * @throws {TrainingInputError} when the build has more than one source, fewer than two classes, or no manifest
 * @example
 * const r = await runSameCollection({ data: 'data/cvp', backbone: { name: 'mobilenet_v1', weights }, seeds: [42, 43, 44] });
 * r.runs[0].auc; // { value, lower, upper }
 */
export async function runSameCollection(options: SameCollectionOptions): Promise<SameCollectionResult> {
  const data = path.resolve(options.data);
  const manifestFile = path.join(data, 'manifest.csv');
  const records = await readManifest(manifestFile).catch((cause: unknown) => {
    throw new TrainingInputError(`${manifestFile}: cannot read the manifest (${(cause as Error).message}); build the dataset first`);
  });
  const sources = [...new Set(records.map((r) => r.source))];
  if (sources.length !== 1) {
    throw new TrainingInputError(`${manifestFile}: holds ${sources.length} sources (${sources.join(', ')}); the same-collection test needs one (build with --recipe covid-vs-pneumonia)`);
  }
  const summary = await readFile(path.join(data, 'summary.json'), 'utf8').then(
    (t) => JSON.parse(t) as { classes?: string[]; positiveClass?: string | null },
    () => ({}) as { classes?: string[]; positiveClass?: string | null },
  );
  const present = [...new Set(records.map((r) => r.label))];
  const classes = (summary.classes ?? present).filter((c) => present.includes(c));
  if (classes.length < 2) throw new TrainingInputError(`${manifestFile}: only ${present.join(', ')} images; the test needs two classes or more`);
  const positiveClass = summary.positiveClass && classes.includes(summary.positiveClass) ? summary.positiveClass : classes[0];
  const seeds = options.seeds ?? [42];
  const folds = options.folds ?? 5;
  const epochs = options.epochs ?? 10;
  const bootstrapIterations = options.bootstrapIterations ?? 2000;
  const say = options.onProgress ?? (() => undefined);

  await initBackend();
  const opened: Backbone = await openBackbone(options.backbone);
  const plan = options.fineTune ? planFineTune(opened, options.fineTune) : null;
  const backbone = plan ? plan.backbone : opened;
  const fineTuneLearningRate = options.fineTune ? (options.fineTune.learningRate ?? 1e-4) : 0;
  const files = records.map((r) => resolveManifestPath(manifestFile, r));
  const full = await extractFileFeatures(backbone, files, {
    cache: new FeatureCache(options.cacheDir ?? path.join(data, '.cache/features')),
    onProgress: (p) => {
      if (p.done === p.total) say(`features: ${p.total} images (${p.cached} from cache)`);
    },
  });
  opened.model.dispose();
  // With fine-tuned blocks (per-position maps) the head's valid 4x4 pooling reads only the top-left 4x4 cells of
  // a 7x7 map: training on those cells alone is the same model, at a third of the cost.
  const { features, shape } = plan ? cropToPooledCells(full, backbone.outputShape, 4) : { features: full, shape: [...backbone.outputShape] as [number, number, number] };
  const labels = records.map((r) => r.label);
  const groups = records.map((r) => `${r.source}:${r.patientId === '' ? r.path : r.patientId}`);
  const runs: SameCollectionRun[] = [];
  for (const seed of seeds) {
    const cv = await crossValidateHead(features, labels, groups, {
      classes,
      shape,
      folds,
      seed,
      epochs,
      classWeight: options.classWeight,
      ...(plan ? { fineTune: { layers: plan.layers, learningRate: fineTuneLearningRate } } : {}),
      onProgress: (k, n) => say(`seed ${seed}: fold ${k + 1}/${n}`),
    });
    const p = classes.indexOf(positiveClass);
    const predicted =
      summary.positiveClass && classes.length === 2
        ? cv.probabilities.map((row) => (row[p] >= 0.5 ? positiveClass : classes[1 - p]))
        : undefined;
    const metrics = multiclassMetrics({ classes, labels, probabilities: cv.probabilities, predicted, groups, bootstrap: { iterations: bootstrapIterations, seed } });
    runs.push({ seed, auc: metrics.perClass[p].auc, metrics, perFold: cv.perFold });
  }
  const byLabel: Record<string, number> = {};
  for (const l of labels) byLabel[l] = (byLabel[l] ?? 0) + 1;
  return {
    data,
    source: sources[0],
    classes,
    positiveClass,
    images: records.length,
    patients: new Set(groups).size,
    byLabel,
    settings: { folds, seeds, epochs, classWeight: options.classWeight ?? null, bootstrapIterations, backbone: backbone.name, fineTune: plan ? { blocks: plan.layers.length, cutLayer: plan.cutLayer, learningRate: fineTuneLearningRate } : null },
    runs,
    notice: 'NOT FOR CLINICAL USE',
  };
}

