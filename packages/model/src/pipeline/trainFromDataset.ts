import { readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { auditDataDesign, ConfoundedDesignError, confoundedMessage, formatDataDesignAudit } from '@cxr/dataset';
import { loadDataset, resolveSplit, sha256File } from '@cxr/dataset/node';
import { thresholdForSensitivity, thresholdForSpecificity, youdenThreshold } from '@cxr/metrics';
import { initBackend, type BackendInfo, type BackendName } from '../backend/initBackend';
import { checkBackboneOptions, type RandomBaseSize } from '../backbones/openTrainingBackbone';
import { PipelineInputError, PipelineOptionsError } from '../errors';
import { saveCheckpoint, loadCheckpoint } from '../io/saveCheckpoint';
import { saveModel } from '../io/saveModel';
import type { FeatureEngineChoice } from '../onnx/createFeatureExtractor';
import { ONNX_QUANTIZER_VERSION, type FeaturePrecision } from '../onnx/getOrExportOnnx';
import { DEFAULT_CALIBRATION_IMAGES, fileCalibration } from '../features/extractFileFeatures';
import { resumeTrainHead, trainHead, type TrainHeadResult, type TrainHistory, type TrainingCheckpoint, type TrainProgress } from '../train/trainHead';
import { extractAugmentedFeatures } from './extractAugmentedFeatures';
import { extractDatasetFeatures } from './extractDatasetFeatures';
import { packageVersions } from './packageVersions';
import { auditFeatureSources } from '../probe/auditFeatureSources';
import { readModelInput } from '../predict/readModelInput';
import { fineTuneRecord, type FineTuneOptions } from '../finetune/planFineTune';
import { cropToPooledCells } from '../finetune/cropToPooledCells';
import { createHead } from '../head/createHead';
import { globalAveragePool } from '../probe/globalAveragePool';
import { createDataDesignRecord, trainingSafeguards } from '../safety/trainingSafeguards';
import type { DataDesignRecord } from '../io/modelConfig';
import type { ImageFacts } from '../ood/inputDistribution';
import type { PipelineProgress as Progress } from './pipelineProgress';
import { openFeatureBackbone } from './openFeatureBackbone';
import { resolvePrecision } from './resolvePrecision';
import type { FractionRect } from '@cxr/preprocess';

/** How the decision threshold is chosen: fixed, or on the validation split. */
export type ThresholdMethod = { kind: 'fixed'; value: number } | { kind: 'youden' } | { kind: 'sensitivity'; target: number } | { kind: 'specificity'; target: number };

/** Options of {@link trainFromDataset} (the flags of `cxr train`). */
export interface TrainFromDatasetOptions {
  /** A built dataset folder (manifest.csv) or class folders (one per class of the recipe). */
  data: string;
  backbone?: string;
  weights?: string;
  randomWeights?: boolean;
  /** Size of a random base (demo, tests); default the full VGG16. */
  randomSize?: RandomBaseSize;
  out: string;
  epochs?: number;
  batchSize?: number;
  /** Augmented copies per training image (rotation +-15 degrees, the notebook's augmentation); default 0. */
  augment?: number;
  /** Also save `model-float16.json` + shards (half the download, for the web app). */
  float16?: boolean;
  /** Adam learning rate; default 1e-3 (the notebook). */
  learningRate?: number;
  seed?: number;
  split?: string;
  backend?: BackendName | 'auto';
  engine?: FeatureEngineChoice;
  /**
   * Backbone precision: `fp32` (default) or `int8` (the ONNX graph quantised, calibrated on up to 32 training images;
   * onnxruntime only). Recorded in `cxr.json` (`trainingMetrics.precision`) and part of the feature cache key.
   */
  precision?: FeaturePrecision;
  /** Feature cache folder; default `$CXR_CACHE_DIR/features` or `~/.cache/cxr/features`. */
  cacheDir?: string;
  threshold?: ThresholdMethod;
  /** CLAHE (8x8 tiles, clip limit 2) before resizing: recorded in `cxr.json`'s preprocessing, so prediction (Node and browser) applies it too. */
  clahe?: boolean;
  /**
   * Keep only the lung fields before anything else (`true`: `LUNG_CROP`, 10% off each side, 8% off the top, 12% off the
   * bottom; or a rectangle in fractions of the image): recorded in `cxr.json`'s preprocessing (`lungCrop`), so prediction
   * (Node and browser) crops alike.
   */
  lungCrop?: boolean | FractionRect;
  /** trainHead `spectralDecoupling` lambda (default 0: off). */
  spectralDecoupling?: number;
  /** trainHead `sourceBalanced`: every source of the manifest weighs the same within each class. */
  sourceBalanced?: boolean;
  /** trainHead `sourceAdversarial.weight` (default 0: off): hide the source among images of one class. */
  sourceAdversarial?: number;
  /**
   * Fine-tune the top backbone blocks with the head (`planFineTune`; MobileNet v1: `{ blocks: 1 }`, its last pointwise
   * block): features are cached below the blocks, the blocks start from ImageNet and train at `learningRate`
   * (default a tenth of the head's). Recorded in `cxr.json` (`fineTune`, `backbone.info.cutLayer`); the saved model
   * holds the blocks, so prediction (Node, browser, ONNX) runs them.
   */
  fineTune?: FineTuneOptions;
  /** Continue from `<out>.checkpoint.json`. */
  resume?: boolean;
  /** Aborting stops after the current batch and leaves a checkpoint. */
  signal?: AbortSignal;
  cwd?: string;
  progress?: Progress;
  /**
   * Train even when the data-design audit finds a class confounded with its sources (`auditDataDesign`); the
   * warning is then saved in `cxr.json` (`dataDesign.warning`). Default false: such data throws ConfoundedDesignError.
   */
  allowConfounded?: boolean;
  /** Fit temperature scaling on the validation split (default true). */
  calibrate?: boolean;
  /** Stated false-refusal rate of the out-of-distribution threshold (default 0.025). */
  falseRefusalRate?: number;
}

/** What {@link trainFromDataset} did (`cxr train --json` prints it). */
export interface TrainFromDatasetResult {
  /** The saved model folder, or null when interrupted. */
  model: string | null;
  aborted: boolean;
  /** The checkpoint left by an interruption (resume with `--resume`). */
  checkpoint?: string;
  resumed: boolean;
  backbone: { name: string; description: string; pretrained: boolean; weightsHash: string };
  backend: BackendInfo;
  engine: string;
  engineNote?: string;
  /** The backbone's precision (`int8`: quantised ONNX graph). */
  precision: FeaturePrecision;
  split: { file: string; created: boolean; train: number; val: number; test: number };
  epochsCompleted: number;
  bestEpoch: number;
  history: TrainHistory;
  threshold: { method: string; value: number; sensitivity?: number; specificity?: number };
  /** The data-design audit as saved in `cxr.json` (null when interrupted). */
  dataDesign: DataDesignRecord | null;
  /** The saved temperature, or null (off, no validation split, or interrupted). */
  temperature: number | null;
  /** The out-of-distribution threshold saved in `cxr.json`, and its stated false-refusal rate. */
  inputCheck: { threshold: number; falseRefusalRate: number; images: number } | null;
  seconds: number;
  notice: 'NOT FOR CLINICAL USE';
}

/** Default feature/weights cache root: `$CXR_CACHE_DIR` or `~/.cache/cxr`. */
export function defaultCacheRoot(): string {
  return process.env.CXR_CACHE_DIR ? path.resolve(process.env.CXR_CACHE_DIR) : path.join(os.homedir(), '.cache', 'cxr');
}

/** `<model dir>.checkpoint.json`: where an interrupted run of `cxr train --out <model dir>` leaves its checkpoint. */
export function checkpointFileFor(out: string): string {
  return `${path.resolve(out)}.checkpoint.json`;
}

function chooseThreshold(method: ThresholdMethod, labels: string[], scores: number[], splitFile: string, positive: string, negative: string): TrainFromDatasetResult['threshold'] {
  if (method.kind === 'fixed') return { method: 'fixed', value: method.value };
  const classesPresent = new Set(labels);
  if (labels.length === 0 || classesPresent.size < 2) {
    throw new PipelineInputError(`${splitFile}: choosing the threshold (${method.kind}) needs both classes in the validation split (it has ${labels.length} images: ${[...classesPresent].join(', ') || 'none'})`);
  }
  const opts = { negativeLabel: negative, source: `${splitFile} (validation split)` };
  const choice =
    method.kind === 'youden'
      ? youdenThreshold(labels, scores, positive, opts)
      : method.kind === 'sensitivity'
        ? thresholdForSensitivity(labels, scores, positive, method.target, opts)
        : thresholdForSpecificity(labels, scores, positive, method.target, opts);
  const name = method.kind === 'youden' ? 'youden' : `${method.kind === 'sensitivity' ? 'sens' : 'spec'}:${method.target}`;
  // Infinity means "never positive": the nearest threshold a probability can meet is 1.
  return { method: `${name} on validation`, value: Math.min(choice.threshold, 1), sensitivity: choice.sensitivity, specificity: choice.specificity };
}

async function checkOutDir(out: string): Promise<void> {
  const exists = await stat(out).then((s) => s, () => null);
  if (!exists) return;
  if (!exists.isDirectory()) throw new PipelineInputError(`${out}: exists and is not a folder`);
  const entries = await readdir(out);
  if (entries.length > 0 && !entries.includes('cxr.json')) throw new PipelineInputError(`${out}: exists and is not a cxr model folder; choose another --out`);
}

/**
 * Trains the notebook's head on a frozen base: patient-level split (made and written beside the manifest when there
 * is none), base features extracted once into the disk cache (ONNX engine when available), Adam 1e-3 with decay
 * lr/epochs, 10 epochs, batch 8, the best validation epoch kept; saves the model with `cxr.json` (classes, positive
 * class, threshold, preprocessing, history, manifest hash, package versions) and `training-history.json`.
 * An aborted `signal` leaves `<out>.checkpoint.json`; `resume: true` continues from it. The classes and the positive
 * class come from the dataset's recipe (`loadDataset`); the threshold method picks on the validation split.
 *
 * @example
 * const r = await trainFromDataset({ data: 'data/cxr', backbone: 'mobilenet_v1', weights: 'weights/mobilenet', out: 'models/m', threshold: { kind: 'youden' } });
 * r.model; r.threshold.value; r.history.valAccuracy;
 */
export async function trainFromDataset(options: TrainFromDatasetOptions): Promise<TrainFromDatasetResult> {
  const started = Date.now();
  const cwd = options.cwd ?? process.cwd();
  const out = path.resolve(cwd, options.out);
  const progress = options.progress;
  const checkpointFile = checkpointFileFor(out);
  // Usage first: bad options must not leave a split.csv written into the dataset folder.
  checkBackboneOptions({ backbone: options.backbone, weights: options.weights, randomWeights: options.randomWeights });
  await checkOutDir(out);
  const checkpoint = options.resume ? await loadCheckpoint(checkpointFile).catch((error: unknown) => {
    throw new PipelineInputError(`${checkpointFile}: cannot resume (${(error as Error).message}); run without --resume to start over`, { cause: error });
  }) : null;
  const resumedBlocks = checkpoint?.options.head.blocks?.length ?? 0;
  if (checkpoint && resumedBlocks !== (options.fineTune?.blocks ?? 0)) {
    throw new PipelineOptionsError(`${checkpointFile} was trained with ${resumedBlocks} fine-tuned blocks: resume with --fine-tune-blocks ${resumedBlocks}`);
  }
  const dataset = await loadDataset(path.resolve(cwd, options.data));
  const split = await resolveSplit(dataset, { splitFile: options.split ? path.resolve(cwd, options.split) : undefined, seed: options.seed ?? 42 });
  progress?.line(
    `split: ${split.created ? 'made (patient-level) and written to' : 'read from'} ${split.file}: ${split.train.length} train, ${split.val.length} val, ${split.test.length} test`,
  );
  {
    // Input first: a bad dataset or split fails before the base is loaded.
    const labels = new Set(split.train.map((i) => i.label));
    if (!dataset.classes.every((c) => labels.has(c))) {
      throw new PipelineInputError(`${split.file}: the train split needs ${dataset.classes.join(' and ')} images (has ${[...labels].join(', ') || 'none'})`);
    }
  }
  // The data-design audit, before any compute: a confounded design stops here unless allowed.
  const audit = auditDataDesign(dataset.images.map((i) => ({ label: i.label, source: i.source ?? 'unknown' })));
  progress?.line(formatDataDesignAudit(audit).trimEnd());
  if (audit.confounded && !options.allowConfounded) {
    throw new ConfoundedDesignError(audit, `${confoundedMessage(audit)}\nTo train anyway (the warning is saved with the model): --allow-confounded.`, dataset.manifestFile ?? dataset.root);
  }
  const backend = await initBackend({ backend: options.backend ?? 'auto' });
  progress?.line(`backend: tfjs ${backend.name} (${backend.reason})`);
  // Fine-tuning cuts the backbone below its top blocks (their features are cached), the blocks join the head; CLAHE and
  // the lung crop go into the backbone's preprocessing: the features, the cache keys and cxr.json all follow them.
  const { opened, backbone, plan } = await openFeatureBackbone({
    backbone: options.backbone,
    weights: options.weights,
    randomWeights: options.randomWeights,
    seed: options.seed,
    randomSize: options.randomSize,
    cwd,
    clahe: options.clahe,
    lungCrop: options.lungCrop,
    fineTune: options.fineTune,
  });
  const description = opened.description;
  const crop = backbone.preprocessing.lungCrop ? ` + lung-field crop ${JSON.stringify(backbone.preprocessing.lungCrop)}` : '';
  progress?.line(`backbone: ${description}${options.clahe ? ' + CLAHE (8x8 tiles, clip 2)' : ''}${crop}`);
  const fineTuneLearningRate = options.fineTune ? (options.fineTune.learningRate ?? (options.learningRate ?? 1e-3) / 10) : undefined;
  if (plan) {
    progress?.line(`fine-tuning ${plan.layers.map((l) => l.layers.join(' + ')).join(', ')} (batch norm folded) from ImageNet at learning rate ${fineTuneLearningRate}; frozen backbone cut at ${plan.cutLayer}`);
  }
  const cacheDir = path.resolve(cwd, options.cacheDir ?? path.join(defaultCacheRoot(), 'features'));
  const all = [...split.train, ...split.val];
  const precision = resolvePrecision(options);
  // int8: calibrated on training images only, the same for the plain and the augmented features.
  const quantCalibration = precision === 'int8' ? await fileCalibration(split.train.map((i) => i.file), backbone.preprocessing) : undefined;
  const run = await extractDatasetFeatures(backbone, all, { cacheDir, engine: options.engine, progress, label: 'features', precision, calibration: quantCalibration });
  const engineNote =
    run.engine === 'cache' ? 'every feature map read from the cache' : run.engine === 'tfjs' ? (run.fallbackReason ?? 'tfjs forced') : 'onnxruntime-node (backbone exported to ONNX)';
  progress?.line(`features: ${all.length} images (${run.cached} from cache ${cacheDir}); engine ${run.engine}${run.fallbackReason ? ` (${run.fallbackReason})` : ''}`);
  let trainFeatures = run.features.slice(0, split.train.length);
  const valFeatures = run.features.slice(split.train.length);
  let trainLabels = split.train.map((i) => i.label);
  // Sources for the source mitigations (class folders have none: one 'unknown' source).
  let trainSources = split.train.map((i) => i.source ?? 'unknown');
  const copies = options.augment ?? 0;
  if (copies > 0) {
    const augmented = await extractAugmentedFeatures(backbone, split.train, { copies, seed: options.seed ?? 42, cacheDir, engine: options.engine, progress, precision, calibration: quantCalibration });
    trainFeatures = [...trainFeatures, ...augmented];
    trainLabels = [...trainLabels, ...split.train.flatMap((i) => Array.from({ length: copies }, () => i.label))];
    trainSources = [...trainSources, ...split.train.flatMap((i) => Array.from({ length: copies }, () => i.source ?? 'unknown'))];
    progress?.line(`augmentation: ${augmented.length} rotated copies (+-15 degrees, ${copies} per training image) added to the ${split.train.length} training images`);
  }
  const valLabels = split.val.map((i) => i.label);
  // Fine-tuned blocks act per position and the head's valid 4x4 pooling reads only the top-left cells (4x4 of 7x7):
  // training on those cells is the same model at a third of the cost; the saved head takes whole maps again.
  const headInput = plan ? cropToPooledCells([], backbone.outputShape, 4).shape : backbone.outputShape;
  const trainInput = (maps: Float32Array[]): Float32Array[] => (plan ? cropToPooledCells(maps, backbone.outputShape, 4).features : maps);
  const validation = valFeatures.length > 0 ? { features: trainInput(valFeatures), labels: valLabels } : undefined;
  const onProgress = (e: TrainProgress): void => {
    if (!progress) return;
    if (e.type === 'batch') {
      // The epoch line below reports the last batch.
      if (e.batch + 1 < e.batches) progress.bar(`epoch ${e.epoch + 1}/${e.epochs}`, e.batch + 1, e.batches, `loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(3)} eta ${Math.round(e.etaSeconds)}s`);
    } else {
      progress.end();
      progress.line(
        `epoch ${e.epoch + 1}/${e.epochs}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(3)}` +
          (e.valLoss !== undefined ? ` val_loss ${e.valLoss.toFixed(4)} val_acc ${(e.valAccuracy ?? NaN).toFixed(3)}` : '') +
          ` lr ${e.learningRate.toExponential(2)}`,
      );
    }
  };
  let result: TrainHeadResult;
  // Written atomically at each epoch end, so a kill or crash (not only an abort) can be resumed with `resume`.
  const onEpochCheckpoint = (c: TrainingCheckpoint) => saveCheckpoint(checkpointFile, c);
  if (checkpoint) {
    progress?.line(`resuming from ${checkpointFile} (epoch ${checkpoint.epoch + 1}, batch ${checkpoint.batch + 1})`);
    result = await resumeTrainHead(checkpoint, trainInput(trainFeatures), trainLabels, { validation, onProgress, signal: options.signal, onEpochCheckpoint, sources: trainSources });
  } else {
    result = await trainHead(trainInput(trainFeatures), trainLabels, {
      classes: [...dataset.classes],
      head: { inputShape: headInput },
      epochs: options.epochs ?? 10,
      batchSize: options.batchSize ?? 8,
      learningRate: options.learningRate ?? 1e-3,
      seed: options.seed ?? 0,
      sources: trainSources,
      spectralDecoupling: options.spectralDecoupling ?? 0,
      sourceBalanced: options.sourceBalanced ?? false,
      sourceAdversarial: options.sourceAdversarial ? { weight: options.sourceAdversarial } : undefined,
      ...(plan ? { fineTune: { layers: plan.layers, learningRate: fineTuneLearningRate } } : {}),
      validation,
      onProgress,
      signal: options.signal,
      onEpochCheckpoint,
    });
  }
  progress?.end();
  if (plan && !result.aborted && headInput !== backbone.outputShape) {
    // the same weights in a head that takes the whole feature maps
    const whole = createHead({ inputShape: backbone.outputShape, classes: dataset.classes.length, blocks: plan.layers });
    whole.setWeights(result.head.getWeights());
    result.head.dispose();
    result = { ...result, head: whole };
  }
  const base = {
    resumed: checkpoint !== null,
    backbone: { name: backbone.name, description, pretrained: backbone.info.pretrained, weightsHash: backbone.weightsHash },
    backend,
    engine: run.engine,
    engineNote,
    precision,
    split: { file: split.file, created: split.created, train: split.train.length, val: split.val.length, test: split.test.length },
    epochsCompleted: result.epochsCompleted,
    bestEpoch: result.bestEpoch,
    history: result.history,
    notice: 'NOT FOR CLINICAL USE' as const,
  };
  if (result.aborted && result.checkpoint) {
    await saveCheckpoint(checkpointFile, result.checkpoint);
    result.head.dispose();
    return { ...base, model: null, aborted: true, checkpoint: checkpointFile, threshold: { method: 'none', value: NaN }, dataDesign: null, temperature: null, inputCheck: null, seconds: (Date.now() - started) / 1000 };
  }
  // Safeguards: temperature on the validation split, the training inputs' description, the within-class source probes.
  const trainImages: ImageFacts[] = [];
  for (const [n, image] of split.train.entries()) {
    trainImages.push((await readModelInput(image.file, backbone.preprocessing)).facts);
    progress?.bar('image checks', n + 1, split.train.length);
  }
  progress?.end();
  const safeguards = trainingSafeguards({
    head: result.head,
    featureShape: backbone.outputShape,
    train: { features: run.features.slice(0, split.train.length), groups: split.train.map((i) => `${i.source ?? ''}:${i.patientId ?? i.path}`), images: trainImages },
    validation,
    classes: dataset.classes,
    calibrate: options.calibrate,
    falseRefusalRate: options.falseRefusalRate,
  });
  const probed = [...split.train, ...split.val];
  const sourceProbe = new Set(probed.map((i) => i.source ?? '')).size > 1
    ? auditFeatureSources({
        features: run.features.map((f) => globalAveragePool(f, backbone.outputShape)),
        labels: probed.map((i) => i.label),
        sources: probed.map((i) => i.source ?? 'unknown'),
        groups: probed.map((i) => `${i.source ?? ''}:${i.patientId ?? i.path}`),
        seed: options.seed ?? 0,
      })
    : null;
  const dataDesign = createDataDesignRecord(audit, sourceProbe, audit.confounded && options.allowConfounded === true);
  for (const p of sourceProbe?.probes ?? []) progress?.line(`source probe (${p.label} only): features -> ${p.positiveSource} vs ${p.negativeSource}: AUC ${p.auc.toFixed(2)}${p.alarm ? ' SHORTCUT ALARM' : ''}`);
  if (dataDesign.warning) progress?.line(dataDesign.warning);
  if (safeguards.calibration) progress?.line(`calibration: temperature ${safeguards.calibration.temperature.toFixed(3)} fitted on the ${safeguards.calibration.fittedOn} (NLL ${safeguards.calibration.nllBefore.toFixed(4)} -> ${safeguards.calibration.nllAfter.toFixed(4)})`);
  const d = safeguards.inputDistribution;
  progress?.line(`input check: k-NN distance threshold ${d.threshold.toFixed(4)} (refuses ${(d.falseRefusalRate * 100).toFixed(1)}% of held-out training images; ${d.count} images)`);
  const method = options.threshold ?? { kind: 'fixed', value: 0.5 };
  const positive = dataset.positiveClass;
  let threshold: TrainFromDatasetResult['threshold'];
  let validationOperatingPoint: { threshold: number; sensitivity: number; specificity: number; positives: number; negatives: number } | null = null;
  if (positive === null) {
    // The recipe decides by the most probable class: there is no threshold to choose.
    if (method.kind !== 'fixed') {
      result.head.dispose();
      throw new PipelineOptionsError(`--threshold ${method.kind}: the dataset's recipe has no positive class (it decides by the most probable class of ${dataset.classes.join(', ')})`);
    }
    threshold = { method: 'argmax (the most probable class)', value: method.value };
  } else {
    // on the same (calibrated) scale predict decides on
    const positiveIndex = dataset.classes.indexOf(positive);
    const valScores = method.kind === 'fixed' ? [] : safeguards.validationRows.map((r) => r[positiveIndex]);
    const negative = dataset.classes.find((c) => c !== positive) ?? positive;
    threshold = chooseThreshold(method, valLabels, valScores, split.file, positive, negative);
    // The validation operating point at the chosen threshold (calibrated scores): what `predict --prevalence` turns into PPV/NPV.
    const valPositive = safeguards.validationRows.map((r) => r[positiveIndex] >= threshold.value);
    const isPositive = valLabels.map((l) => l === positive);
    const positives = isPositive.filter(Boolean).length;
    const negatives = isPositive.length - positives;
    validationOperatingPoint = positives > 0 && negatives > 0
      ? {
          threshold: threshold.value,
          sensitivity: valPositive.filter((v, k) => v && isPositive[k]).length / positives,
          specificity: valPositive.filter((v, k) => !v && !isPositive[k]).length / negatives,
          positives,
          negatives,
        }
        : null;
  }
  const epochs = result.history.loss.map((loss, i) => ({
    epoch: i + 1,
    loss,
    accuracy: result.history.accuracy[i],
    ...(result.history.valLoss.length > i ? { valLoss: result.history.valLoss[i], valAccuracy: result.history.valAccuracy[i] } : {}),
  }));
  const manifestHash = dataset.manifestFile ? await sha256File(dataset.manifestFile) : null;
  await saveModel(out, {
    head: result.head,
    backbone,
    classes: [...dataset.classes],
    positiveClass: dataset.positiveClass,
    threshold: threshold.value,
    trainingMetrics: {
      history: result.history,
      epochs,
      epochsCompleted: result.epochsCompleted,
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly,
      threshold,
      split: { file: split.file, sha256: await sha256File(split.file), train: split.train.length, val: split.val.length, test: split.test.length },
      dataset: dataset.manifestFile ?? dataset.root,
      weights: description,
      engine: run.engine,
      precision,
      ...(quantCalibration ? { quantization: { calibration: quantCalibration.id, images: Math.min(split.train.length, DEFAULT_CALIBRATION_IMAGES), method: 'minmax', biasCorrection: true, quantizer: ONNX_QUANTIZER_VERSION } } : {}),
      backend: backend.name,
      seed: options.seed ?? 0,
      augment: copies > 0 ? { copies, rotate: 15, fill: 'nearest' } : null,
      // the mitigations this model was trained with (CLAHE and the lung crop are also in preprocessing, where prediction reads them)
      mitigations: {
        clahe: options.clahe ?? false,
        lungCrop: backbone.preprocessing.lungCrop ?? null,
        spectralDecoupling: options.spectralDecoupling ?? 0,
        sourceBalanced: options.sourceBalanced ?? false,
        sourceAdversarial: options.sourceAdversarial ?? 0,
      },
      fineTuneBlocks: plan ? plan.layers.length : 0,
      resumed: checkpoint !== null,
      validationOperatingPoint,
    },
    datasetManifestHash: manifestHash,
    calibration: safeguards.calibration,
    inputDistribution: safeguards.inputDistribution,
    dataDesign,
    ...(plan && fineTuneLearningRate !== undefined ? { fineTune: fineTuneRecord(plan, fineTuneLearningRate) } : {}),
    packageVersions: packageVersions(),
    ...(options.float16 ? { quantize: 'float16' as const } : {}),
    overwrite: true,
  });
  // Temp file + rename like the rest of the model folder, so a reader never meets half a history.
  await writeFileAtomic(path.join(out, 'training-history.json'), `${JSON.stringify({ epochs, bestEpoch: result.bestEpoch + 1 }, null, 2)}\n`);
  result.head.dispose();
  await rm(checkpointFile, { force: true });
  return {
    ...base,
    model: out,
    aborted: false,
    threshold,
    dataDesign,
    temperature: safeguards.calibration?.temperature ?? null,
    inputCheck: { threshold: d.threshold, falseRefusalRate: d.falseRefusalRate, images: d.count },
    seconds: (Date.now() - started) / 1000,
  };
}

