import type { PreprocessSpec } from '@cxr/preprocess';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors';

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
  /** The class the decision threshold applies to (e.g. 'covid'). */
  positiveClass: string;
  /** Decide `positiveClass` when its probability is >= threshold. */
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
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) fail(`unknown field "${k}"`);
  if (o.formatVersion !== MODEL_CONFIG_FORMAT_VERSION) {
    fail(`formatVersion is ${show(o.formatVersion)}, this library reads ${MODEL_CONFIG_FORMAT_VERSION}`);
  }
  if (typeof o.createdAt !== 'string' || Number.isNaN(Date.parse(o.createdAt))) fail(`createdAt must be an ISO date string, got ${show(o.createdAt)}`);
  if (o.notForClinicalUse !== true) fail(`notForClinicalUse must be true, got ${show(o.notForClinicalUse)}`);
  const classes = o.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string' && c.length > 0) || new Set(classes).size !== classes.length) {
    fail(`classes must be at least two distinct non-empty names, got ${show(classes)}`);
  }
  if (typeof o.positiveClass !== 'string' || !(classes as string[]).includes(o.positiveClass)) {
    fail(`positiveClass ${show(o.positiveClass)} is not one of classes ${show(classes)}`);
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
  const outputs = model.outputs[0]?.shape.at(-1);
  if (outputs !== config.classes.length) {
    throw new ModelConfigError(`Model in ${source} has ${outputs} outputs but ${config.classes.length} classes (${config.classes.join(', ')})`);
  }
}
