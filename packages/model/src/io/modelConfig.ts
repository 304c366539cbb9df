import { DEFAULT_PREPROCESS_SPEC, parsePreprocessSpec, PreprocessSpecError, type PreprocessSpec } from '@cxr/preprocess';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors';
import { FINE_TUNE_LAYER_PREFIX } from '../finetune/fineTuneLayerPrefix';
import { inputDistributionProblem, type InputDistribution } from '../ood/inputDistribution';

/** Version of the `cxr.json` layout this library writes and reads. */
export const MODEL_CONFIG_FORMAT_VERSION = 1;

/** The backbone a saved model was built on (its weights are inside the saved model too). */
export interface SavedBackboneInfo {
  name: string;
  /** Identifies the base weights (part A's `Backbone.weightsHash`). */
  weightsHash: string;
  /** Output of the base per image, `[height, width, channels]`. */
  outputShape: [number, number, number];
  /** Part A's `BackboneInfo` (source, format, cut layer...), or null. */
  info: unknown;
}

/** `cxr.json`: everything a prediction needs besides the weights. */
export interface ModelConfig {
  formatVersion: typeof MODEL_CONFIG_FORMAT_VERSION;
  /** ISO 8601 time of saving. */
  createdAt: string;
  notForClinicalUse: true;
  /** Class names in the model's output order. */
  classes: string[];
  /**
   * The class the decision threshold applies to (e.g. 'covid'), or `null` when the model decides by the most
   * probable class (argmax; a recipe without a positive class, such as `three-class`).
   */
  positiveClass: string | null;
  /** Decide `positiveClass` when its probability is >= threshold (unused when `positiveClass` is null). */
  threshold: number;
  backbone: SavedBackboneInfo;
  /** How images become inputs; prediction uses exactly this. */
  preprocessing: PreprocessSpec;
  /** Training history and evaluation metrics (free-form JSON), or null. */
  trainingMetrics: Record<string, unknown> | null;
  /** Versions of the packages that trained the model. */
  packageVersions: Record<string, string>;
  /** Hash of the dataset manifest the model was trained on, or null. */
  datasetManifestHash: string | null;
  /** Temperature scaling of the outputs, fitted on the validation split; absent or null: none. */
  calibration?: Calibration | null;
  /** What the model was trained on, for refusing other inputs (`checkInput`); absent or null: no refusal. */
  inputDistribution?: InputDistribution | null;
  /** The data-design audit of the training data (class x source, source probes); absent or null: not audited. */
  dataDesign?: DataDesignRecord | null;
  /**
   * Backbone blocks fine-tuned with the head; absent or null: the backbone is frozen whole. The saved model runs the
   * backbone up to `backboneCut` (= `backbone.info.cutLayer`, `backbone.outputShape`), then these blocks (the head
   * layers `finetune_<name>`), then the head: prediction in Node and the browser runs that one model.
   */
  fineTune?: FineTuneRecord | null;
}

/** `cxr.json` `fineTune`: which backbone blocks were trained with the head, and how. */
export interface FineTuneRecord {
  /** Number of blocks (`--fine-tune-blocks`). */
  blocks: number;
  /** The frozen backbone's cut: its output feeds the blocks (e.g. `conv_dw_12_relu`). */
  backboneCut: string;
  /** Where the backbone ended before: the blocks, at their ImageNet start, reproduce its output there (e.g. `conv_pw_12_relu`). */
  replaces: string;
  /** Each block: its head layer, the backbone layers it replaces, its size and activation. */
  layers: { headLayer: string; backboneLayers: string[]; units: number; activation: string }[];
  /** Batch norm folded into the block's convolution (inference mode: fixed ImageNet statistics). */
  batchNorm: 'folded';
  /** Adam learning rate of the blocks (the head's is in trainingMetrics and the options). */
  learningRate: number;
}

/** `cxr.json` `calibration`: temperature scaling applied by `predict` before the threshold. */
export interface Calibration {
  method: 'temperature-scaling';
  /** Probabilities become `softmax(log(p) / temperature)`. */
  temperature: number;
  /** Where it was fitted, e.g. `validation split (41 images)`. */
  fittedOn: string;
  /** Mean negative log-likelihood there before and after. */
  nllBefore: number;
  nllAfter: number;
}

/** `cxr.json` `dataDesign`: what the data-design audit found when the model was trained. */
export interface DataDesignRecord {
  /** Some class comes >= `threshold` from sources no other class has. */
  confounded: boolean;
  /** Trained anyway (`--allow-confounded`). */
  allowedConfounded: boolean;
  threshold: number;
  /** One sentence per confounded class. */
  findings: string[];
  /** Class x source counts and each class's share from sources no other class has. */
  perClass: { label: string; n: number; bySource: Record<string, number>; exclusiveShare: number; confounded: boolean }[];
  /** Within-class source probes on the training features (`auditFeatureSources`), or null. */
  sourceProbe: { alarm: boolean; threshold: number; probes: { label: string; positiveSource: string; negativeSource: string; auc: number; alarm: boolean }[]; notProbed: { label: string; reason: string }[] } | null;
  /** The warning to show wherever the model's results are shown, or null when not confounded. */
  warning: string | null;
}

/** A loaded model: the tfjs classifier and its validated `cxr.json`. */
export interface CxrModel {
  model: tfl.LayersModel;
  config: ModelConfig;
}

const KEYS = [
  'formatVersion', 'createdAt', 'notForClinicalUse', 'classes', 'positiveClass', 'threshold', 'backbone',
  'preprocessing', 'trainingMetrics', 'packageVersions', 'datasetManifestHash',
];
/** Fields a `cxr.json` may have (older models lack them). */
const OPTIONAL_KEYS = ['calibration', 'inputDistribution', 'dataDesign', 'fineTune'];
const SPEC_KEYS = ['version', 'height', 'width', 'channels', 'resizeMode', 'normalization', 'clahe', 'cropBorder'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a parsed `cxr.json` and returns it typed. Every problem throws {@link ModelConfigError}
 * naming `source` (the file or URL), the field and the offending value.
 */
export function validateModelConfig(json: unknown, source: string): ModelConfig {
  const fail = (msg: string): never => {
    throw new ModelConfigError(`Invalid model config ${source}: ${msg}`);
  };
  const show = (v: unknown) => JSON.stringify(v) ?? String(v);
  if (!isObject(json)) fail(`expected a JSON object, got ${show(json)}`);
  const o = json as Record<string, unknown>;
  for (const k of KEYS) if (!(k in o)) fail(`missing field "${k}"`);
  for (const k of Object.keys(o)) if (!KEYS.includes(k) && !OPTIONAL_KEYS.includes(k)) fail(`unknown field "${k}"`);
  if (o.formatVersion !== MODEL_CONFIG_FORMAT_VERSION) {
    fail(`formatVersion is ${show(o.formatVersion)}, this library reads ${MODEL_CONFIG_FORMAT_VERSION}`);
  }
  if (typeof o.createdAt !== 'string' || Number.isNaN(Date.parse(o.createdAt))) fail(`createdAt must be an ISO date string, got ${show(o.createdAt)}`);
  if (o.notForClinicalUse !== true) fail(`notForClinicalUse must be true, got ${show(o.notForClinicalUse)}`);
  const classes = o.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string' && c.length > 0) || new Set(classes).size !== classes.length) {
    fail(`classes must be at least two distinct non-empty names, got ${show(classes)}`);
  }
  if (o.positiveClass !== null && (typeof o.positiveClass !== 'string' || !(classes as string[]).includes(o.positiveClass))) {
    fail(`positiveClass ${show(o.positiveClass)} is not one of classes ${show(classes)} (or null: decide by the most probable class)`);
  }
  if (typeof o.threshold !== 'number' || !(o.threshold >= 0 && o.threshold <= 1)) fail(`threshold must be a number in [0, 1], got ${show(o.threshold)}`);
  const b = o.backbone;
  if (!isObject(b)) fail(`backbone must be an object, got ${show(b)}`);
  const bb = b as Record<string, unknown>;
  if (typeof bb.name !== 'string' || !bb.name) fail(`backbone.name must be a non-empty string, got ${show(bb.name)}`);
  if (typeof bb.weightsHash !== 'string') fail(`backbone.weightsHash must be a string, got ${show(bb.weightsHash)}`);
  if (!Array.isArray(bb.outputShape) || bb.outputShape.length !== 3 || !bb.outputShape.every((n) => Number.isInteger(n) && n > 0)) {
    fail(`backbone.outputShape must be [height, width, channels], got ${show(bb.outputShape)}`);
  }
  if (!('info' in bb)) fail('missing field "backbone.info"');
  validateSpec(o.preprocessing, fail, show);
  if (o.trainingMetrics !== null && !isObject(o.trainingMetrics)) fail(`trainingMetrics must be an object or null, got ${show(o.trainingMetrics)}`);
  if (!isObject(o.packageVersions) || !Object.values(o.packageVersions).every((v) => typeof v === 'string')) {
    fail(`packageVersions must map package names to version strings, got ${show(o.packageVersions)}`);
  }
  if (o.datasetManifestHash !== null && typeof o.datasetManifestHash !== 'string') {
    fail(`datasetManifestHash must be a string or null, got ${show(o.datasetManifestHash)}`);
  }
  const cal = o.calibration;
  if (cal !== undefined && cal !== null) {
    const c = cal as Record<string, unknown>;
    if (!isObject(cal) || c.method !== 'temperature-scaling' || typeof c.temperature !== 'number' || !(c.temperature > 0) || !Number.isFinite(c.temperature)) {
      fail(`calibration must be null or { method: "temperature-scaling", temperature > 0, ... }, got ${show(cal)}`);
    }
  }
  if (o.inputDistribution !== undefined && o.inputDistribution !== null) {
    const problem = inputDistributionProblem(o.inputDistribution);
    if (problem) fail(`inputDistribution ${problem}`);
    if ((o.inputDistribution as InputDistribution).dims !== (bb.outputShape as number[])[2]) {
      fail(`inputDistribution.dims ${(o.inputDistribution as InputDistribution).dims} is not the backbone's ${(bb.outputShape as number[])[2]} channels`);
    }
  }
  const dd = o.dataDesign;
  if (dd !== undefined && dd !== null) {
    const d = dd as Record<string, unknown>;
    if (!isObject(dd) || typeof d.confounded !== 'boolean' || typeof d.allowedConfounded !== 'boolean' || !Array.isArray(d.findings) || !Array.isArray(d.perClass) || !(d.warning === null || typeof d.warning === 'string')) {
      fail(`dataDesign must be null or { confounded, allowedConfounded, findings, perClass, sourceProbe, warning }, got ${show(dd).slice(0, 200)}`);
    }
  }
  const ft = o.fineTune;
  if (ft !== undefined && ft !== null) {
    const f = ft as Record<string, unknown>;
    const layersOk = Array.isArray(f.layers) && f.layers.length > 0 && f.layers.every((l) => isObject(l) && typeof l.headLayer === 'string' && Array.isArray(l.backboneLayers) && Number.isInteger(l.units));
    if (!isObject(ft) || !Number.isInteger(f.blocks) || (f.blocks as number) < 1 || typeof f.backboneCut !== 'string' || typeof f.replaces !== 'string' || !layersOk || (f.layers as unknown[]).length !== f.blocks || typeof f.learningRate !== 'number') {
      fail(`fineTune must be null or { blocks >= 1, backboneCut, replaces, layers (one per block), batchNorm, learningRate }, got ${show(ft).slice(0, 200)}`);
    }
    const cut = isObject(bb.info) ? bb.info.cutLayer : undefined;
    if (cut !== f.backboneCut) fail(`fineTune.backboneCut ${show(f.backboneCut)} is not the backbone's cut layer ${show(cut)} (backbone.info.cutLayer)`);
  }
  return o as unknown as ModelConfig;
}

function validateSpec(spec: unknown, fail: (msg: string) => never, show: (v: unknown) => string): void {
  if (!isObject(spec)) fail(`preprocessing must be an object, got ${show(spec)}`);
  const s = spec as Record<string, unknown>;
  for (const k of SPEC_KEYS) if (!(k in s)) fail(`missing field "preprocessing.${k}"`);
  if (s.version !== 1) fail(`preprocessing.version ${show(s.version)} is not supported (1)`);
  for (const k of ['height', 'width']) {
    if (!Number.isInteger(s[k]) || (s[k] as number) < 1) fail(`preprocessing.${k} must be a positive integer, got ${show(s[k])}`);
  }
  if (s.channels !== 1 && s.channels !== 3) fail(`preprocessing.channels must be 1 or 3, got ${show(s.channels)}`);
  if (!['stretch', 'letterbox', 'crop'].includes(s.resizeMode as string)) fail(`preprocessing.resizeMode ${show(s.resizeMode)} is unknown`);
  if (!['unit', 'mobilenet', 'vgg16-caffe'].includes(s.normalization as string)) fail(`preprocessing.normalization ${show(s.normalization)} is unknown`);
  if (s.clahe !== null && !(isObject(s.clahe) && typeof s.clahe.tileGridSize === 'number' && typeof s.clahe.clipLimit === 'number')) {
    fail(`preprocessing.clahe must be null or { tileGridSize, clipLimit }, got ${show(s.clahe)}`);
  }
  if (typeof s.cropBorder !== 'boolean') fail(`preprocessing.cropBorder must be a boolean, got ${show(s.cropBorder)}`);
  // optional (models saved before it lack it): the lung-field crop, checked by the spec parser's own rules
  if (s.lungCrop !== undefined && s.lungCrop !== null) {
    try {
      parsePreprocessSpec({ ...DEFAULT_PREPROCESS_SPEC, lungCrop: s.lungCrop });
    } catch (error) {
      if (!(error instanceof PreprocessSpecError)) throw error;
      fail(`preprocessing.${error.message.replace(/^Invalid preprocess spec in <spec>: /, '')}`);
    }
  }
}

/**
 * Checks that a loaded tfjs model fits its config: input `[height, width, channels]` of the preprocessing
 * spec and one output per class.
 */
export function checkModelMatchesConfig(model: tfl.LayersModel, config: ModelConfig, source: string): void {
  const input = model.inputs[0]?.shape.slice(1) ?? [];
  const spec = config.preprocessing;
  const expected = [spec.height, spec.width, spec.channels];
  if (input.length !== 3 || input.some((n, i) => n !== expected[i])) {
    throw new ModelConfigError(`Model in ${source} takes input [${input.join(', ')}] but its preprocessing makes [${expected.join(', ')}]`);
  }
  // the fine-tuned blocks cxr.json names are the model's, and the model has no others
  const inModel = model.layers.map((l) => l.name).filter((n) => n.startsWith(FINE_TUNE_LAYER_PREFIX));
  const inConfig = (config.fineTune?.layers ?? []).map((l) => l.headLayer);
  if (inModel.join() !== inConfig.join()) {
    throw new ModelConfigError(`Model in ${source} has fine-tuned blocks [${inModel.join(', ')}] but its cxr.json fineTune names [${inConfig.join(', ')}]`);
  }
  const outputs = model.outputs[0]?.shape.at(-1);
  if (outputs !== config.classes.length) {
    throw new ModelConfigError(`Model in ${source} has ${outputs} outputs but ${config.classes.length} classes (${config.classes.join(', ')})`);
  }
}
