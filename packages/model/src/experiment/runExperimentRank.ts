import { access } from 'node:fs/promises';
import path from 'node:path';
import { BUILT_IN_RECIPES } from '@cxr/dataset';
import { readManifest, resolveManifestPath } from '@cxr/dataset/node';
import { initBackend } from '../backend/initBackend';
import { BACKBONE_NAMES, type BackboneName } from '../backbones/backbone';
import type { BackboneSpec } from '../backbones/openBackbone';
import { PipelineInputError, PipelineOptionsError } from '../errors';
import type { FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import { formatGeneralisationReport } from './formatGeneralisationReport';
import { rankGeneralisation, type GeneralisationItem, type GeneralisationRecipe, type GeneralisationReport } from './rankGeneralisation';
import { parseTrainConfiguration } from './trainConfiguration';

/**
 * The configurations `cxr experiment rank` compares unless told: today's default first, then each mitigation, then all
 * of them. Fine-tuning (`fine-tune-blocks`) is not among them: on 2 cores it costs about ten times a frozen row, so it
 * is ranked when named (`--configuration none fine-tune-blocks`).
 */
export const DEFAULT_RANK_CONFIGURATIONS: readonly string[] = Object.freeze([
  'none',
  'clahe',
  'spectral-decoupling',
  'source-adversarial+source-balanced',
  'clahe+spectral-decoupling+source-adversarial+source-balanced',
]);

/** Options of {@link runExperimentRank} (the flags of `cxr experiment rank`). */
export interface ExperimentRankOptions {
  /** A dataset built by `cxr dataset build` with the positive, normal and other-disease labels (e.g. `--recipe three-class`). */
  data: string;
  backbone: string;
  /** Weights folder or file of the backbone (MobileNet v1: the tfjs layers folder). */
  weights?: string;
  /** A backbone spec instead of `backbone` + `weights` (tests: a tiny random base). */
  backboneSpec?: BackboneSpec;
  /** Built-in recipe names whose classes are trained (default notebook, three-class); the first is the baseline's. */
  recipes?: string[];
  /** Train configurations (`parseTrainConfiguration`; default {@link DEFAULT_RANK_CONFIGURATIONS}); the first is the baseline's. */
  configurations?: string[];
  /** Dataset labels (default covid, normal, pneumonia: the built-in recipes' labels). */
  labels?: { positive: string; normal: string; other: string };
  /** Seeds (default 1, 2, 3). */
  seeds?: number[];
  sensitivity?: number;
  folds?: number;
  epochs?: number;
  bootstrapIterations?: number;
  /** Feature cache (default `<data>/.cache/features`). */
  cacheDir?: string;
  engine?: FeatureEngineChoice;
  cwd?: string;
  onProgress?: (message: string) => void;
}

/** What `cxr experiment rank` produced: the ranking and its Markdown. */
export interface ExperimentRankResult {
  report: GeneralisationReport;
  markdown: string;
}

/**
 * Ranks built-in recipes x train configurations x seeds on a built dataset (`rankGeneralisation`) by the worst
 * held-out source's specificity at internal sensitivity 0.95 and by the same-collection positive-vs-other AUC.
 * Every image of the manifest is scored; a recipe trains on the images of its classes.
 *
 * @throws PipelineOptionsError for an unknown backbone, recipe or configuration, or missing weights;
 *   PipelineInputError when the manifest is missing or lacks a label a recipe needs
 * @example
 * const { markdown } = await runExperimentRank({ data: 'data/three', backbone: 'mobilenet_v1', weights: 'weights/mobilenet', configurations: ['none', 'clahe'] });
 */
export async function runExperimentRank(options: ExperimentRankOptions): Promise<ExperimentRankResult> {
  const cwd = options.cwd ?? process.cwd();
  const configurations = (options.configurations ?? DEFAULT_RANK_CONFIGURATIONS).map(parseTrainConfiguration);
  const names = configurations.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new PipelineOptionsError(`configuration ${JSON.stringify(twice)} is given twice`);
  const labels = options.labels ?? { positive: 'covid', normal: 'normal', other: 'pneumonia' };
  const recipes: GeneralisationRecipe[] = [...new Set(options.recipes ?? ['notebook', 'three-class'])].map((name) => {
    const recipe = Object.hasOwn(BUILT_IN_RECIPES, name) ? BUILT_IN_RECIPES[name] : undefined;
    if (!recipe) throw new PipelineOptionsError(`--recipe ${JSON.stringify(name)}: expected one of ${Object.keys(BUILT_IN_RECIPES).join(', ')}`);
    const classes = recipe.classes.map((c) => c.label);
    if (!classes.includes(labels.positive)) throw new PipelineOptionsError(`--recipe ${name}: its classes (${classes.join(', ')}) lack the positive label ${labels.positive}`);
    // the score is the probability of the first class: the positive one
    const ordered = [labels.positive, ...classes.filter((c) => c !== labels.positive)];
    return { name, classes: ordered, classOf: Object.fromEntries(ordered.map((c) => [c, c])) };
  });
  let spec = options.backboneSpec;
  if (!spec) {
    if (!BACKBONE_NAMES.includes(options.backbone as BackboneName)) {
      throw new PipelineOptionsError(`--backbone ${JSON.stringify(options.backbone)}: expected one of ${BACKBONE_NAMES.join(', ')}`);
    }
    if (!options.weights) throw new PipelineOptionsError(`--weights is required: the ranking measures a pretrained ${options.backbone} (e.g. ../shared/data/weights/mobilenet_v1_1.0_224_conv_pw_12)`);
    spec = { name: options.backbone as BackboneName, weights: path.resolve(cwd, options.weights) };
  }
  const dataDir = path.resolve(cwd, options.data);
  const manifest = path.join(dataDir, 'manifest.csv');
  if (!(await access(manifest).then(() => true, () => false))) {
    throw new PipelineInputError(`${manifest}: no manifest.csv; build the dataset first with \`cxr dataset build --recipe three-class --source ... --out ${options.data}\``);
  }
  const items: GeneralisationItem[] = (await readManifest(manifest)).map((r) => ({
    file: resolveManifestPath(manifest, r),
    label: r.label,
    source: r.source,
    patient: r.patientId === '' ? `path:${r.path}` : `${r.source}:${r.patientId}`,
  }));
  const present = new Set(items.map((it) => it.label));
  for (const recipe of recipes) {
    const missing = recipe.classes.filter((c) => !present.has(c));
    if (missing.length > 0) {
      throw new PipelineInputError(`${manifest}: no ${missing.join(', ')} images, which recipe ${recipe.name} trains on (labels present: ${[...present].join(', ')}); build with --recipe three-class`);
    }
  }
  await initBackend();
  const report = await rankGeneralisation({
    items,
    recipes,
    configurations,
    labels,
    backbone: spec,
    cacheDir: path.resolve(cwd, options.cacheDir ?? path.join(options.data, '.cache/features')),
    seeds: options.seeds ?? [1, 2, 3],
    sensitivity: options.sensitivity,
    folds: options.folds,
    epochs: options.epochs,
    bootstrapIterations: options.bootstrapIterations,
    engine: options.engine,
    onProgress: options.onProgress,
  });
  return { report, markdown: formatGeneralisationReport(report) };
}
