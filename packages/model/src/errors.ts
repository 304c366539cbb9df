/**
 * Typed errors of @cxr/model. Every error the package raises for bad input or a failed resource extends
 * {@link ModelError}, so a caller (the CLI) can tell them from bugs with one `instanceof`.
 * Messages name the file (or URL, or layer) and the offending value.
 *
 * Other parts of the package append their classes below (head/train/io/predict/explain, onnx).
 */

/** Base class of every typed @cxr/model error. */
export class ModelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Backbones and weights (part A: src/backbones, src/weights)

/** A weights file exists but could not be read or understood (not HDF5, no model.json, bad manifest...). */
export class WeightsFormatError extends ModelError {
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot read weights from ${file}: ${detail}`, options);
  }
}

/**
 * Fine-tuning asked of a backbone block this library cannot train: names the backbone, the layer and why (e.g. a 3x3
 * convolution whose weight gradient needs Conv2DBackpropFilter, which the default wasm backend lacks).
 */
export class FineTuneError extends ModelError {}

/** A layer of the model found no weights for it in the weights file. */
export class MissingWeightsError extends ModelError {
  constructor(
    readonly layer: string,
    readonly file: string,
    detail = '',
    options?: { cause?: unknown },
  ) {
    super(`No weights for layer ${layer} in ${file}${detail ? `: ${detail}` : ''}`, options);
  }
}

/** A weight in the file has a shape different from what the layer expects. */
export class WeightShapeError extends ModelError {
  constructor(
    readonly layer: string,
    readonly weight: string,
    readonly expected: readonly number[],
    readonly actual: readonly number[],
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Weight ${weight} of layer ${layer} in ${file} has shape [${actual.join(', ')}], expected [${expected.join(', ')}]`,
      options,
    );
  }
}

/** An unknown backbone name, or an option the backbone cannot honour (bad cut layer, bad input shape). */
export class BackboneConfigError extends ModelError {}

/** Downloading weights failed (HTTP status, network error, interrupted transfer that could not resume). */
export class DownloadError extends ModelError {
  constructor(
    readonly url: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Download of ${url} failed: ${detail}`, options);
  }
}

/** A downloaded or cached file does not have the expected SHA-256; the file is removed. */
export class ChecksumError extends ModelError {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
    options?: { cause?: unknown },
  ) {
    super(`SHA-256 of ${file} is ${actual}, expected ${expected}`, options);
  }
}

/** No TensorFlow.js backend could be initialised (or the forced one is unavailable). */
export class BackendError extends ModelError {}

/** Feature extraction failed: a bad image, a worker that died, a corrupt feature-cache entry. */
export class FeatureExtractionError extends ModelError {}

// ---------------------------------------------------------------------------------------------------------
// Head, training, saving/loading, prediction, Grad-CAM (part B: src/head, src/train, src/io, src/predict, src/explain)

/** `cxr.json` (or the config passed to `saveModel`) is missing a field or has a bad value. */
export class ModelConfigError extends ModelError {}

/** Reading or writing a saved model (model.json, weight shards, cxr.json, checkpoint) failed. */
export class ModelIoError extends ModelError {}

/** Training data or training options are inconsistent (shapes, labels, classes, class weights). */
export class TrainingInputError extends ModelError {}

/** A training checkpoint is unreadable or does not match the data it is resumed on. */
export class CheckpointError extends ModelError {}

/** An input to `predict`/`gradCam` does not match the model's input shape. */
export class PredictInputError extends ModelError {}

/** Grad-CAM cannot use the requested (or any) layer of the model. */
export class GradCamLayerError extends ModelError {}

// ---------------------------------------------------------------------------------------------------------
// ONNX export and runtime (src/onnx)

/** A tfjs model cannot be exported to ONNX: an unsupported layer or option, a missing cut layer, a bad shape. */
export class OnnxExportError extends ModelError {
  constructor(
    readonly model: string,
    readonly layer: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot export model ${model} to ONNX${layer === undefined ? '' : ` at layer ${layer}`}: ${detail}`, options);
  }
}

/** onnxruntime-node is missing or failed: loading the package, creating a session, running it, bad input. */
export class OnnxRuntimeError extends ModelError {}

// ---------------------------------------------------------------------------------------------------------
// Shortcut probe (src/probe)

/** Inputs of the source probe are inconsistent (lengths, fewer than two sources or patients, bad folds). */
export class ProbeInputError extends ModelError {}

/**
 * Bad input to a pipeline function (train from a dataset, evaluate, experiments): a dataset or split that cannot
 * be used, an output folder that is not a model folder, a missing weights path. A CLI exits with code 1.
 */
export class PipelineInputError extends ModelError {}

/** A combination of pipeline options that cannot work (unknown backbone, weights and random weights together): a CLI's usage error (exit 2). */
export class PipelineOptionsError extends ModelError {}

/** Pipeline work stopped by its AbortSignal before it finished (a training checkpoint may be left to resume). */
export class PipelineInterruptedError extends ModelError {}

/** Bad input to the out-of-distribution description or check (empty or mismatched features, bad options). */
export class InputCheckError extends ModelError {}
