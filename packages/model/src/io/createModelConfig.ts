import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { PreprocessSpec } from '@cxr/preprocess';
import type { BackboneLike } from '../head/createClassifier';
import type { InputDistribution } from '../ood/inputDistribution';
import { MODEL_CONFIG_FORMAT_VERSION, validateModelConfig, type Calibration, type DataDesignRecord, type FineTuneRecord, type ModelConfig } from './modelConfig';

/** The `cxr.json` facts given to `saveModel`. */
export interface ModelConfigOptions {
  /** The backbone the classifier's base came from (name, weights hash, info, preprocessing). */
  backbone: BackboneLike;
  classes: readonly string[];
  /** The class the threshold applies to, or `null` to decide by the most probable class (argmax). */
  positiveClass: string | null;
  /** Decision threshold on the positive class probability (default 0.5). */
  threshold?: number;
  /** Default: the backbone's `preprocessing`. */
  preprocessing?: PreprocessSpec;
  trainingMetrics?: Record<string, unknown> | null;
  /** Merged over the tfjs versions in use. */
  packageVersions?: Record<string, string>;
  datasetManifestHash?: string | null;
  /** Default: now. */
  createdAt?: Date;
  /** Temperature scaling fitted on the validation split (`fitTemperature`). */
  calibration?: Calibration | null;
  /** From `describeInputDistribution`: lets `predict` refuse inputs unlike the training images. */
  inputDistribution?: InputDistribution | null;
  /** The data-design audit of the training data. */
  dataDesign?: DataDesignRecord | null;
  /** The backbone blocks fine-tuned with the head (`fineTuneRecord`). */
  fineTune?: FineTuneRecord | null;
}

/**
 * Builds and validates a `cxr.json` object ({@link ModelConfig}); throws `ModelConfigError` naming the
 * bad field. JSON round-trips it so only plain data is saved.
 */
export function createModelConfig(options: ModelConfigOptions): ModelConfig {
  const b = options.backbone;
  const config = {
    formatVersion: MODEL_CONFIG_FORMAT_VERSION,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    notForClinicalUse: true,
    classes: [...options.classes],
    positiveClass: options.positiveClass,
    threshold: options.threshold ?? 0.5,
    backbone: { name: b.name, weightsHash: b.weightsHash ?? '', outputShape: [...b.outputShape], info: b.info ?? null },
    preprocessing: options.preprocessing ?? b.preprocessing,
    trainingMetrics: options.trainingMetrics ?? null,
    packageVersions: {
      '@tensorflow/tfjs-core': tf.version_core,
      '@tensorflow/tfjs-layers': tfl.version_layers,
      ...options.packageVersions,
    },
    datasetManifestHash: options.datasetManifestHash ?? null,
    ...(options.calibration ? { calibration: options.calibration } : {}),
    ...(options.inputDistribution ? { inputDistribution: options.inputDistribution } : {}),
    ...(options.dataDesign ? { dataDesign: options.dataDesign } : {}),
    ...(options.fineTune ? { fineTune: options.fineTune } : {}),
  };
  return validateModelConfig(JSON.parse(JSON.stringify(config)), 'saveModel options');
}
