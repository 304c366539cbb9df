import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, shuffleInPlace, type Rng } from '@cxr/metrics';
import { CheckpointError, TrainingInputError } from '../errors';
import { createHead, resolveHeadOptions, type HeadOptions, type ResolvedHeadOptions } from '../head/createHead';
import { headLayers } from '../head/createClassifier';
import { computeClassWeights, type ClassWeightOption } from './computeClassWeights';
import { fineTuneWeights, type FineTuneLayer } from '../finetune/planFineTune';
import { isFineTuneLayer } from '../finetune/fineTuneLayerPrefix';
import { headForward } from './headForward';
import { LegacyDecayAdam } from './legacyDecayAdam';
import { checkSourceAdversarial, SourceAdversary, sourceAdversaryWeights, type SourceAdversarialOptions } from './sourceAdversarial';
import { sourceBalancedWeights } from './sourceBalancedWeights';
import { checkSpectralDecoupling, spectralDecouplingPenalty } from './spectralDecoupling';

/** Features of the frozen base: one `Float32Array` (HWC) per image, or a `[n, h, w, c]` tensor. */
export type FeatureInput = readonly Float32Array[] | tf.Tensor4D;

/** Labels as class names (`'covid'`) or as indices into `classes`. */
export type LabelInput = readonly (string | number)[];

/** A progress event, after every batch and after every epoch. */
export interface TrainProgress {
  type: 'batch' | 'epoch';
  /** 0-based epoch and batch. */
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean training loss and accuracy of the epoch so far (batch events) or of the whole epoch. */
  loss: number;
  accuracy: number;
  /** Validation loss and accuracy (epoch events with validation data). */
  valLoss?: number;
  valAccuracy?: number;
  /** Learning rate of the last update. */
  learningRate: number;
  /** Estimated seconds left for the whole run. */
  etaSeconds: number;
}

/** Early stopping on validation loss; the best epoch's weights are restored at the end. */
export interface EarlyStoppingOptions {
  /** Epochs without an improvement of at least `minDelta` before training stops. */
  patience: number;
  minDelta?: number;
}

/** Options of {@link trainHead}. Defaults follow the notebook (Adam 1e-3, decay lr/epochs, batch 8). */
export interface TrainHeadOptions {
  /** Class names in output order, e.g. `['covid', 'normal']`. Never derived from the labels. */
  classes: readonly string[];
  /** Head sizes (inputShape comes from the features when they are a tensor). */
  head?: Partial<HeadOptions>;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Keras legacy decay per update; default `learningRate / epochs` as the notebook. */
  decay?: number;
  classWeight?: ClassWeightOption;
  /** Held-out data for validation loss/accuracy, early stopping and the best checkpoint. */
  validation?: { features: FeatureInput; labels: LabelInput };
  /** Or the last fraction of the training data (before shuffling, like Keras). Not patient-aware. */
  validationSplit?: number;
  earlyStopping?: EarlyStoppingOptions;
  /** Seeds weights, shuffling and dropout masks (default 0). */
  seed?: number;
  /** Shuffle the training order every epoch (default true). */
  shuffle?: boolean;
  /**
   * Source (hospital, collection) of each training sample, index-aligned with the labels (with `validationSplit`,
   * of all samples). Needed by `sourceBalanced` and `sourceAdversarial`; data, like the labels, so not checkpointed.
   */
  sources?: readonly string[];
  /** Weight samples so that every source weighs the same within each class ({@link sourceBalancedWeights}); needs `sources`. */
  sourceBalanced?: boolean;
  /** Spectral decoupling: adds `lambda / 2 * ||logits||^2` (batch mean) to the loss ({@link spectralDecouplingPenalty}); default 0, off. */
  spectralDecoupling?: number;
  /**
   * Source-adversarial penalty: a class-conditional source classifier on the hidden layer, through gradient
   * reversal ({@link SourceAdversary}); needs `sources` and a class with at least two sources. Off by default.
   */
  sourceAdversarial?: SourceAdversarialOptions;
  /**
   * Fine-tune backbone blocks with the head (`planFineTune`): the features are the cut backbone's (below the blocks),
   * the blocks start from their ImageNet weights and train with Adam at `learningRate` (default a tenth of the
   * head's, same legacy decay); they are the head's first layers, so the saved model holds them.
   */
  fineTune?: { layers: readonly FineTuneLayer[]; learningRate?: number };
  onProgress?: (event: TrainProgress) => void;
  /** Aborting stops after the current batch and returns a checkpoint to resume from. */
  signal?: AbortSignal;
  /**
   * Called with a checkpoint at the end of every epoch but the last (awaited before the next epoch starts): save it
   * (e.g. `saveCheckpoint`, atomic) and a kill, OOM or power loss loses at most one epoch; `resumeTrainHead` from it
   * gives the same result as an uninterrupted run. Not called after the final or an early-stopping epoch: resuming
   * from the epoch before repeats that epoch exactly.
   */
  onEpochCheckpoint?: (checkpoint: TrainingCheckpoint) => void | Promise<void>;
}

/** Per-epoch history. */
export interface TrainHistory {
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  learningRate: number[];
}

/** A named weight as plain data, for checkpoints. */
export interface WeightData {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The serialisable options a checkpoint keeps, so that `resumeTrainHead` needs only the data. */
export interface ResolvedTrainOptions {
  classes: string[];
  head: ResolvedHeadOptions;
  epochs: number;
  batchSize: number;
  learningRate: number;
  decay: number;
  classWeights: number[] | null;
  validationSplit: number;
  earlyStopping: Required<EarlyStoppingOptions> | null;
  seed: number;
  shuffle: boolean;
  /** Spectral decoupling lambda (0: off; absent in checkpoints made before it existed). */
  spectralDecoupling?: number;
  sourceBalanced?: boolean;
  sourceAdversarial?: SourceAdversarialOptions | null;
  /** Source names in index order (sorted), when `sources` were given. */
  sourceNames?: string[] | null;
  /** Learning rate of the fine-tuned backbone blocks (`head.blocks`); absent: no blocks. */
  fineTuneLearningRate?: number;
}

/**
 * Everything needed to continue training exactly where it stopped: head and optimizer weights,
 * position (epoch, next batch, that epoch's order), generator state, partial sums, history, best weights.
 */
export interface TrainingCheckpoint {
  version: 1;
  options: ResolvedTrainOptions;
  /** FNV-1a of the training (and validation) features and labels; resuming on other data is refused. */
  dataFingerprint: string;
  epoch: number;
  batch: number;
  /** The epoch's training order; empty at an epoch boundary (the next order is drawn from `rngState`). */
  order: number[];
  /** The seeded generator's state (`Rng.state` of `@cxr/metrics`: four 32-bit integers). */
  rngState: number[];
  partial: { lossSum: number; correct: number; seen: number };
  history: TrainHistory;
  best: { valLoss: number; epoch: number; wait: number; weights: WeightData[] | null };
  weights: WeightData[];
  /** Weights of the source classifier, when training with `sourceAdversarial`. */
  auxiliary?: WeightData[];
  optimizer: { iterations: number; weights: WeightData[] };
  /** The optimizer of the fine-tuned backbone blocks, when there are any. */
  blockOptimizer?: { iterations: number; weights: WeightData[] };
  elapsedMs: number;
  batchesDone: number;
}

/** Result of {@link trainHead}. */
export interface TrainHeadResult {
  /** The trained head (best weights restored when there was validation data). */
  head: tfl.Sequential;
  history: TrainHistory;
  /** Epochs completed (fewer than `epochs` after early stopping or an abort). */
  epochsCompleted: number;
  /** 0-based epoch whose weights the head holds (the best one with validation data, else the last). */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Set when the signal aborted training: resume with {@link resumeTrainHead}. */
  checkpoint?: TrainingCheckpoint;
  aborted: boolean;
  classes: string[];
}

type RuntimeOptions = Pick<TrainHeadOptions, 'onProgress' | 'signal' | 'validation' | 'onEpochCheckpoint' | 'sources'> & Pick<Partial<TrainHeadOptions>, 'fineTune'>;

/**
 * Trains the notebook's head on precomputed features of a frozen base: Adam with Keras' legacy decay,
 * categorical cross-entropy (class-weighted if asked), batch 8, 10 epochs by default, seeded, with
 * validation, early stopping with the best weights restored, progress events and abort-to-checkpoint.
 * This equals `model.fit` of base + head with the base frozen, at a fraction of the cost, because the
 * base's output never changes. Dropout masks come from the seeded generator, so runs are reproducible.
 *
 * @example
 * const { head, history } = await trainHead(features, labels, {
 *   classes: ['covid', 'normal'], classWeight: 'balanced', validation: { features: vf, labels: vl },
 *   earlyStopping: { patience: 3 }, seed: 42, onProgress: (e) => console.log(e.epoch, e.loss),
 * });
 */
export async function trainHead(features: FeatureInput, labels: LabelInput, options: TrainHeadOptions): Promise<TrainHeadResult> {
  const resolved = resolveTrainOptions(features, labels, options);
  return run(features, labels, resolved, options, null);
}

/**
 * Continues an aborted {@link trainHead} from its checkpoint (one returned on abort, or one given to
 * `onEpochCheckpoint`), on the same data (checked by fingerprint). The result equals that of an uninterrupted run.
 */
export async function resumeTrainHead(
  checkpoint: TrainingCheckpoint,
  features: FeatureInput,
  labels: LabelInput,
  options: RuntimeOptions = {},
): Promise<TrainHeadResult> {
  if (checkpoint?.version !== 1) throw new CheckpointError(`Unsupported checkpoint version ${JSON.stringify(checkpoint?.version)}`);
  return run(features, labels, checkpoint.options, options, checkpoint);
}

function resolveTrainOptions(features: FeatureInput, labels: LabelInput, options: TrainHeadOptions): ResolvedTrainOptions {
  const classes = [...(options.classes ?? [])];
  if (classes.length < 2 || new Set(classes).size !== classes.length) {
    throw new TrainingInputError(`classes must list at least two distinct names in output order, got ${JSON.stringify(options.classes)}`);
  }
  const inputShape = featureShape(features, options.head?.inputShape);
  const fineTune = options.fineTune;
  if (fineTune && options.head?.blocks) throw new TrainingInputError('Give the fine-tuned blocks once: fineTune.layers, not head.blocks');
  if (fineTune && (!Array.isArray(fineTune.layers) || fineTune.layers.length === 0)) throw new TrainingInputError('fineTune.layers must list at least one block (planFineTune)');
  const blocks = fineTune ? fineTune.layers.map((l) => ({ name: l.name, units: l.units, activation: l.activation })) : options.head?.blocks;
  const head = resolveHeadOptions({ ...options.head, inputShape, classes: classes.length, seed: options.head?.seed ?? options.seed ?? 0, blocks });
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 8;
  const learningRate = options.learningRate ?? 1e-3;
  const fineTuneLearningRate = head.blocks.length > 0 ? (fineTune?.learningRate ?? learningRate / 10) : undefined;
  if (fineTuneLearningRate !== undefined && !(fineTuneLearningRate > 0)) throw new TrainingInputError(`fineTune.learningRate must be > 0, got ${fineTuneLearningRate}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new TrainingInputError(`epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TrainingInputError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!(learningRate > 0)) throw new TrainingInputError(`learningRate must be > 0, got ${learningRate}`);
  const validationSplit = options.validationSplit ?? 0;
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new TrainingInputError(`validationSplit must be in [0, 1), got ${validationSplit}`);
  if (validationSplit > 0 && options.validation) throw new TrainingInputError('Give either validation data or validationSplit, not both');
  const es = options.earlyStopping;
  if (es && !(validationSplit > 0 || options.validation)) {
    throw new TrainingInputError('earlyStopping monitors the validation loss: give validation data or validationSplit');
  }
  if (es && !(Number.isInteger(es.patience) && es.patience >= 1)) throw new TrainingInputError(`earlyStopping.patience must be a positive integer, got ${es.patience}`);
  const indices = labelIndices(labels, classes, 'labels');
  const nTrain = indices.length - Math.floor(indices.length * validationSplit);
  const spectralDecoupling = options.spectralDecoupling ?? 0;
  checkSpectralDecoupling(spectralDecoupling);
  if (options.sourceAdversarial) checkSourceAdversarial(options.sourceAdversarial);
  const needsSources = Boolean(options.sourceBalanced || options.sourceAdversarial);
  if (needsSources && !options.sources) throw new TrainingInputError('sourceBalanced and sourceAdversarial need the source of each sample (sources)');
  const sourceNames = options.sources ? [...new Set(sourceIndexInput(options.sources, indices.length).slice(0, nTrain))].sort() : null;
  return {
    classes,
    head,
    epochs,
    batchSize,
    learningRate,
    decay: options.decay ?? learningRate / epochs,
    classWeights: options.classWeight ? computeClassWeights(indices.slice(0, nTrain), classes, options.classWeight) : null,
    validationSplit,
    earlyStopping: es ? { patience: es.patience, minDelta: es.minDelta ?? 0 } : null,
    seed: options.seed ?? 0,
    shuffle: options.shuffle ?? true,
    spectralDecoupling,
    sourceBalanced: options.sourceBalanced ?? false,
    sourceAdversarial: options.sourceAdversarial ? { weight: options.sourceAdversarial.weight } : null,
    sourceNames,
    ...(fineTuneLearningRate !== undefined ? { fineTuneLearningRate } : {}),
  };
}

/** Checks the per-sample sources: strings, one per label. */
function sourceIndexInput(sources: readonly string[], n: number): string[] {
  if (!Array.isArray(sources) || sources.length !== n) throw new TrainingInputError(`${n} labels but ${sources?.length} sources`);
  sources.forEach((s, i) => {
    if (typeof s !== 'string' || s === '') throw new TrainingInputError(`sources[${i}] is ${JSON.stringify(s)}, expected a non-empty name`);
  });
  return [...sources];
}

async function run(
  features: FeatureInput,
  labels: LabelInput,
  o: ResolvedTrainOptions,
  runtime: RuntimeOptions,
  checkpoint: TrainingCheckpoint | null,
): Promise<TrainHeadResult> {
  const allIdx = labelIndices(labels, o.classes, 'labels');
  const shape = featureShape(features, o.head.inputShape);
  if (shape.some((n, i) => n !== o.head.inputShape[i])) {
    throw new TrainingInputError(`Features have shape [${shape.join(', ')}] but the head expects [${o.head.inputShape.join(', ')}]`);
  }
  const nAll = featureCount(features);
  if (nAll !== allIdx.length) throw new TrainingInputError(`${nAll} feature maps but ${allIdx.length} labels`);
  const nTrain = nAll - Math.floor(nAll * o.validationSplit);
  if (nTrain < 1) throw new TrainingInputError('No training samples left after the validation split');

  // validation labels as indices, once: for the fingerprint and for the one-hot targets below
  const validation = runtime.validation ? { features: runtime.validation.features, labels: labelIndices(runtime.validation.labels, o.classes, 'validation labels') } : null;
  // Per-sample source indices (training part), when the options use them.
  let sourceIdx: number[] | null = null;
  if (o.sourceNames && (o.sourceBalanced || o.sourceAdversarial)) {
    if (!runtime.sources) throw new TrainingInputError('This training uses sources (sourceBalanced or sourceAdversarial): give the same sources again');
    const names = o.sourceNames;
    sourceIdx = sourceIndexInput(runtime.sources, allIdx.length)
      .slice(0, nTrain)
      .map((s, i) => {
        const k = names.indexOf(s);
        if (k < 0) throw new TrainingInputError(`sources[${i}] is ${JSON.stringify(s)}, not one of ${names.join(', ')}`);
        return k;
      });
  }
  const fingerprint = dataFingerprint(features, sourceIdx ? [...allIdx, ...sourceIdx] : allIdx, validation, o.classes);
  if (checkpoint && checkpoint.dataFingerprint !== fingerprint) {
    throw new CheckpointError(`Checkpoint was made on other data (fingerprint ${checkpoint.dataFingerprint}, these data ${fingerprint})`);
  }

  const owned: tf.Tensor[] = [];
  const own = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  // Everything made from here on is released on every path: a bad validation set or checkpoint throws before
  // the first batch, and the head is disposed too unless it is returned.
  let createdHead: tfl.LayersModel | undefined;
  let createdOptimizer: LegacyDecayAdam | undefined;
  let createdBlockOptimizer: LegacyDecayAdam | undefined;
  let createdAdversary: SourceAdversary | undefined;
  try {
    const xAll = Array.isArray(features) ? own(stackFeatures(features as Float32Array[], shape)) : (features as tf.Tensor4D);
    const yAll = own(tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(allIdx, 'int32'), o.classes.length), 'float32')));
    let xTrain = xAll;
    let yTrain = yAll;
    let xVal: tf.Tensor4D | null = null;
    let yVal: tf.Tensor | null = null;
    if (o.validationSplit > 0) {
      xTrain = own(tf.slice(xAll, 0, nTrain));
      yTrain = own(tf.slice(yAll, 0, nTrain));
      xVal = own(tf.slice(xAll, nTrain));
      yVal = own(tf.slice(yAll, nTrain));
    } else if (validation) {
      const v = validation;
      const vShape = featureShape(v.features, o.head.inputShape);
      if (vShape.some((n, i) => n !== shape[i])) throw new TrainingInputError(`Validation features have shape [${vShape.join(', ')}], training [${shape.join(', ')}]`);
      const vIdx = v.labels;
      if (featureCount(v.features) !== vIdx.length) throw new TrainingInputError(`${featureCount(v.features)} validation feature maps but ${vIdx.length} labels`);
      xVal = Array.isArray(v.features) ? own(stackFeatures(v.features as Float32Array[], shape)) : (v.features as tf.Tensor4D);
      yVal = own(tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(vIdx, 'int32'), o.classes.length), 'float32')));
    }
    const trainIdx = allIdx.slice(0, nTrain);
    const classWeights = o.classWeights;
    const balance = o.sourceBalanced && sourceIdx ? sourceBalancedWeights(trainIdx, sourceIdx) : null;
    const sampleWeights =
      classWeights || balance ? own(tf.tensor1d(trainIdx.map((c, i) => (classWeights ? classWeights[c] : 1) * (balance ? balance[i] : 1)))) : null;

    const head = createHead(o.head);
    createdHead = head;
    const layers = headLayers(head);
    let adversary: { model: SourceAdversary; weights: tf.Tensor; classes: tf.Tensor; sources: tf.Tensor } | null = null;
    if (o.sourceAdversarial && sourceIdx && o.sourceNames) {
      const weights = sourceAdversaryWeights(trainIdx, sourceIdx);
      if (!weights.some((w) => w > 0)) throw new TrainingInputError('sourceAdversarial needs a class with samples from at least two sources');
      const [names, idx] = [o.sourceNames, sourceIdx];
      const present = o.classes.map((_, c) => names.map((__, s) => trainIdx.some((tc, i) => tc === c && idx[i] === s)));
      const model = new SourceAdversary(o.head.units, o.classes.length, names.length, present, o.seed + 2);
      createdAdversary = model;
      adversary = { model, weights: own(tf.tensor1d(weights)), classes: own(tf.tensor1d(trainIdx, 'int32')), sources: own(tf.tensor1d(sourceIdx, 'int32')) };
    }
    const regularised = Boolean(adversary || o.spectralDecoupling);
    // fine-tuned backbone blocks (the head's first layers) get their own optimizer: a lower learning rate
    const blockLayers = layers.filter(isFineTuneLayer);
    const blockVariables = blockLayers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    const headOnly = layers.filter((l) => !isFineTuneLayer(l));
    const variables = [...headOnly.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable)), ...(adversary?.model.variables ?? [])];
    if (blockLayers.length > 0 && !checkpoint) {
      const given = runtime.fineTune?.layers;
      if (!given || given.length !== blockLayers.length) throw new TrainingInputError(`The head has ${blockLayers.length} fine-tuned blocks: give their backbone weights (fineTune.layers)`);
      const init = fineTuneWeights(given);
      try {
        blockLayers.forEach((l, i) => l.setWeights(init.slice(2 * i, 2 * i + 2)));
      } finally {
        tf.dispose(init);
      }
    }
    const optimizer = new LegacyDecayAdam({ learningRate: o.learningRate, decay: o.decay });
    createdOptimizer = optimizer;
    const blockOptimizer = blockVariables.length > 0 ? new LegacyDecayAdam({ learningRate: o.fineTuneLearningRate ?? o.learningRate / 10, decay: o.decay }) : null;
    createdBlockOptimizer = blockOptimizer ?? undefined;
    const batches = Math.ceil(nTrain / o.batchSize);
    const totalBatches = batches * o.epochs;

    let epoch = 0;
    let startBatch = 0;
    let order: number[] | null = null;
    let rng: Rng = createRng(o.seed);
    let partial = { lossSum: 0, correct: 0, seen: 0 };
    let history: TrainHistory = { loss: [], accuracy: [], valLoss: [], valAccuracy: [], learningRate: [] };
    let best: TrainingCheckpoint['best'] = { valLoss: Infinity, epoch: -1, wait: 0, weights: null };
    let elapsedBefore = 0;
    let batchesDone = 0;
    if (checkpoint) {
      setWeightData(head, checkpoint.weights);
      if (adversary) {
        const aux = checkpoint.auxiliary ?? [];
        if (aux.length !== 2) throw new CheckpointError('Checkpoint has no source classifier weights for sourceAdversarial');
        adversary.model.variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(aux[i].data, aux[i].shape))));
      }
      await restoreOptimizer(optimizer, checkpoint.optimizer, variables);
      if (blockOptimizer) {
        if (!checkpoint.blockOptimizer) throw new CheckpointError('Checkpoint has no optimizer state for the fine-tuned blocks');
        await restoreOptimizer(blockOptimizer, checkpoint.blockOptimizer, blockVariables);
      }
      ({ epoch, batch: startBatch, order, partial, history, best, elapsedMs: elapsedBefore, batchesDone } = structuredClone(checkpoint));
      if (!Array.isArray(checkpoint.rngState) || checkpoint.rngState.length !== 4) {
        throw new CheckpointError('Checkpoint holds the random generator state of an older cxr (one number, not four): train again without it');
      }
      rng = createRng(o.seed, checkpoint.rngState);
      // JSON turns Infinity into null
      if (typeof best.valLoss !== 'number') best.valLoss = Infinity;
    }
    const started = Date.now();
    const dropoutRate = o.head.dropout;
    let stoppedEarly = false;
    let lastLr = optimizer.currentLearningRate;

    const snapshot = async (atEpoch: number, atBatch: number, atOrder: number[]): Promise<TrainingCheckpoint> => ({
      version: 1,
      options: o,
      dataFingerprint: fingerprint,
      epoch: atEpoch,
      batch: atBatch,
      order: [...atOrder],
      rngState: rng.state,
      partial: { ...partial },
      history: structuredClone(history),
      best: structuredClone(best),
      weights: getWeightData(head),
      ...(adversary ? { auxiliary: adversary.model.variables.map((v) => ({ name: v.name, shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) })) } : {}),
      optimizer: await saveOptimizer(optimizer),
      ...(blockOptimizer ? { blockOptimizer: await saveOptimizer(blockOptimizer) } : {}),
      elapsedMs: elapsedBefore + Date.now() - started,
      batchesDone,
    });

    for (; epoch < o.epochs; epoch++) {
      if (order === null || order.length === 0) {
        order = Array.from({ length: nTrain }, (_, i) => i);
        if (o.shuffle) shuffleInPlace(order, rng);
      }
      for (let b = startBatch; b < batches; b++) {
        // Let pending events run (a Ctrl-C handler that aborts the signal): tfjs work between batches settles
        // as microtasks only, so without a macrotask turn the signal could never be seen until training ended.
        if (runtime.signal) await new Promise<void>((resolve) => setTimeout(resolve, 0));
        if (runtime.signal?.aborted) {
          const ckpt = await snapshot(epoch, b, order);
          return { head, history, epochsCompleted: epoch, bestEpoch: best.epoch >= 0 ? best.epoch : epoch - 1, stoppedEarly: false, checkpoint: ckpt, aborted: true, classes: o.classes };
        }
        const idx = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
        const masks = dropoutRate > 0 ? dropoutMasks(rng, idx.length, layers, dropoutRate) : [];
        lastLr = optimizer.currentLearningRate;
        const kept: tf.Tensor[] = [];
        const objective = (): tf.Scalar => {
          const ids = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(xTrain, ids);
          const yb = tf.gather(yTrain, ids);
          const parts = regularised ? headForward(layers, xb, masks) : null;
          const probs = parts ? parts.probs : forward(layers, xb, masks);
          kept.push(tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(yb, -1)), 'float32'))));
          const perSample = tfl.metrics.categoricalCrossentropy(yb, probs);
          const weighted = sampleWeights ? tf.mul(perSample, tf.gather(sampleWeights, ids)) : perSample;
          const task = tf.mean(weighted) as tf.Scalar;
          if (!parts) return task;
          // the reported loss stays the task's cross-entropy; the penalties only steer the gradient
          kept.push(tf.keep(task.clone()));
          let total: tf.Scalar = task;
          if (o.spectralDecoupling) total = tf.add(total, spectralDecouplingPenalty(parts.logits, o.spectralDecoupling));
          if (adversary && o.sourceAdversarial) {
            const a = adversary;
            const penalty = a.model.loss(parts.hidden, tf.gather(a.classes, ids), tf.gather(a.sources, ids), tf.gather(a.weights, ids), o.sourceAdversarial.weight);
            total = tf.add(total, penalty);
          }
          return total;
        };
        let loss: tf.Scalar;
        if (blockOptimizer) {
          // one backward pass, two optimizers: the head's rate for the head, the blocks' for the blocks
          const { value, grads } = tf.variableGrads(objective, [...variables, ...blockVariables]);
          const pick = (vars: tf.Variable[]) => vars.map((v) => ({ name: v.name, tensor: grads[v.name] }));
          optimizer.applyGradients(pick(variables));
          blockOptimizer.applyGradients(pick(blockVariables));
          tf.dispose(Object.values(grads));
          loss = value;
        } else {
          loss = optimizer.minimize(objective, true, variables) as tf.Scalar;
        }
        const [lossValue] = await (kept[1] ?? loss).data();
        const [correctValue] = await kept[0].data();
        tf.dispose([loss, ...kept]);
        masks.forEach((m) => m?.dispose());
        partial.lossSum += lossValue * idx.length;
        partial.correct += correctValue;
        partial.seen += idx.length;
        batchesDone++;
        const elapsed = elapsedBefore + Date.now() - started;
        const done = epoch * batches + b + 1;
        runtime.onProgress?.({
          type: 'batch',
          epoch,
          epochs: o.epochs,
          batch: b,
          batches,
          loss: partial.lossSum / partial.seen,
          accuracy: partial.correct / partial.seen,
          learningRate: lastLr,
          etaSeconds: ((elapsed / Math.max(1, batchesDone)) * (totalBatches - done)) / 1000,
        });
      }
      startBatch = 0;
      order = null;
      history.loss.push(partial.lossSum / partial.seen);
      history.accuracy.push(partial.correct / partial.seen);
      history.learningRate.push(lastLr);
      partial = { lossSum: 0, correct: 0, seen: 0 };
      let stop = false;
      if (xVal && yVal) {
        const { loss: vl, accuracy: va } = await evaluate(layers, xVal, yVal, o.batchSize);
        history.valLoss.push(vl);
        history.valAccuracy.push(va);
        if (vl < best.valLoss - (o.earlyStopping?.minDelta ?? 0)) {
          best = { valLoss: vl, epoch, wait: 0, weights: getWeightData(head) };
        } else {
          best.wait++;
          if (o.earlyStopping && best.wait >= o.earlyStopping.patience) stop = true;
        }
      }
      const elapsed = elapsedBefore + Date.now() - started;
      runtime.onProgress?.({
        type: 'epoch',
        epoch,
        epochs: o.epochs,
        batch: batches - 1,
        batches,
        loss: history.loss[epoch],
        accuracy: history.accuracy[epoch],
        valLoss: history.valLoss[epoch],
        valAccuracy: history.valAccuracy[epoch],
        learningRate: lastLr,
        etaSeconds: stop ? 0 : ((elapsed / Math.max(1, batchesDone)) * (totalBatches - (epoch + 1) * batches)) / 1000,
      });
      if (stop) {
        stoppedEarly = true;
        epoch++;
        break;
      }
      // The state at the start of the next epoch: its order is drawn from the generator when it starts.
      if (runtime.onEpochCheckpoint && epoch + 1 < o.epochs) await runtime.onEpochCheckpoint(await snapshot(epoch + 1, 0, []));
    }
    if (best.weights) setWeightData(head, best.weights);
    return {
      head,
      history,
      epochsCompleted: epoch,
      bestEpoch: best.weights ? best.epoch : epoch - 1,
      stoppedEarly,
      aborted: false,
      classes: o.classes,
    };
  } catch (error) {
    createdHead?.dispose();
    throw error;
  } finally {
    createdOptimizer?.dispose();
    createdBlockOptimizer?.dispose();
    createdAdversary?.dispose();
    tf.dispose(owned);
  }
}

/** Runs the head layers; Dropout layers use the given masks (training) or pass through (no mask). */
function forward(layers: tfl.layers.Layer[], x: tf.Tensor, masks: (tf.Tensor | null)[]): tf.Tensor {
  let y = x;
  layers.forEach((layer, i) => {
    if (layer.getClassName() === 'Dropout') {
      const mask = masks[i];
      if (mask) y = tf.mul(y, mask);
    } else {
      y = layer.apply(y, { training: false }) as tf.Tensor;
    }
  });
  return y;
}

/**
 * Inverted-dropout masks (kept units scaled by 1 / (1 - rate), as Keras/tfjs `Dropout`), drawn from the
 * seeded generator: a unit is kept when u >= rate. Entry i is the mask for layer i (null if not Dropout).
 */
export function dropoutMasks(rng: Rng, batch: number, layers: tfl.layers.Layer[], rate: number): (tf.Tensor | null)[] {
  return layers.map((layer) => {
    if (layer.getClassName() !== 'Dropout') return null;
    const units = (layer.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1);
    const values = new Float32Array(batch * units);
    const scale = 1 / (1 - rate);
    for (let i = 0; i < values.length; i++) values[i] = rng.next() >= rate ? scale : 0;
    return tf.tensor(values, [batch, ...(layer.outputShape as number[]).slice(1)]);
  });
}

async function evaluate(layers: tfl.layers.Layer[], x: tf.Tensor4D, y: tf.Tensor, batchSize: number): Promise<{ loss: number; accuracy: number }> {
  const n = x.shape[0];
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [l, c] = tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      const yb = tf.slice(y, start, size);
      const probs = forward(layers, xb, []);
      return [
        tf.sum(tfl.metrics.categoricalCrossentropy(yb, probs)),
        tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(yb, -1)), 'float32')),
      ];
    });
    lossSum += (await l.data())[0];
    correct += (await c.data())[0];
    tf.dispose([l, c]);
  }
  return { loss: lossSum / n, accuracy: correct / n };
}

function featureShape(features: FeatureInput, fallback?: readonly number[]): [number, number, number] {
  if (features instanceof tf.Tensor) {
    if (features.rank !== 4) throw new TrainingInputError(`Feature tensor must be [n, h, w, c], got shape [${features.shape.join(', ')}]`);
    return features.shape.slice(1) as [number, number, number];
  }
  if (!fallback || fallback.length !== 3) {
    throw new TrainingInputError('Features given as Float32Array[] need head.inputShape ([h, w, c]) in the options');
  }
  const size = fallback[0] * fallback[1] * fallback[2];
  features.forEach((f, i) => {
    if (!(f instanceof Float32Array) || f.length !== size) {
      throw new TrainingInputError(`Feature map ${i} has ${f?.length} values, expected ${size} for [${fallback.join(', ')}]`);
    }
  });
  return [fallback[0], fallback[1], fallback[2]];
}

function featureCount(features: FeatureInput): number {
  return features instanceof tf.Tensor ? features.shape[0] : features.length;
}

function stackFeatures(features: readonly Float32Array[], shape: readonly number[]): tf.Tensor4D {
  const size = shape[0] * shape[1] * shape[2];
  const all = new Float32Array(features.length * size);
  features.forEach((f, i) => all.set(f, i * size));
  return tf.tensor4d(all, [features.length, shape[0], shape[1], shape[2]]);
}

function labelIndices(labels: LabelInput, classes: readonly string[], what: string): number[] {
  if (!Array.isArray(labels) || labels.length === 0) throw new TrainingInputError(`${what} must be a non-empty array`);
  return labels.map((label, i) => {
    const idx = typeof label === 'number' ? label : classes.indexOf(label);
    if (!Number.isInteger(idx) || idx < 0 || idx >= classes.length) {
      throw new TrainingInputError(`${what}[${i}] is ${JSON.stringify(label)}, not one of the classes ${classes.join(', ')}`);
    }
    return idx;
  });
}

function dataFingerprint(
  features: FeatureInput,
  labels: number[],
  validation: { features: FeatureInput; labels: number[] } | null,
  classes: readonly string[],
): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    h = Math.imul(h ^ v, 0x01000193) >>> 0;
  };
  const mixFeatures = (f: FeatureInput) => {
    const arrays = f instanceof tf.Tensor ? [f.dataSync() as Float32Array] : (f as Float32Array[]);
    for (const a of arrays) {
      const words = new Uint32Array(a.buffer, a.byteOffset, a.length);
      for (let i = 0; i < words.length; i++) mix(words[i]);
    }
  };
  classes.forEach((c) => [...c].forEach((ch) => mix(ch.charCodeAt(0))));
  labels.forEach(mix);
  mixFeatures(features);
  if (validation) {
    validation.labels.forEach(mix);
    mixFeatures(validation.features);
  }
  return h.toString(16).padStart(8, '0');
}

function getWeightData(model: tfl.LayersModel): WeightData[] {
  return model.weights.map((w) => {
    const t = w.read();
    return { name: w.originalName, shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
  });
}

function setWeightData(model: tfl.LayersModel, weights: WeightData[]): void {
  const byName = new Map(weights.map((w) => [w.name, w]));
  // check them all before making any tensor, so a mismatch leaks none
  const found = model.weights.map((w) => {
    const data = byName.get(w.originalName);
    if (!data || data.data.length !== (w.shape as number[]).reduce((a, b) => a * b, 1)) {
      throw new CheckpointError(`Checkpoint has no matching weight for ${w.originalName} [${w.shape.join(', ')}]`);
    }
    return data;
  });
  const values = found.map((data) => tf.tensor(data.data, data.shape));
  model.setWeights(values);
  tf.dispose(values);
}

async function saveOptimizer(optimizer: LegacyDecayAdam): Promise<TrainingCheckpoint['optimizer']> {
  const named = await optimizer.getWeights();
  const [iter, ...rest] = named;
  const iterations = (await iter.tensor.data())[0];
  iter.tensor.dispose();
  return {
    iterations,
    weights: rest.map((w) => ({ name: w.name, shape: [...w.tensor.shape], data: Float32Array.from(w.tensor.dataSync() as Float32Array) })),
  };
}

async function restoreOptimizer(optimizer: LegacyDecayAdam, state: TrainingCheckpoint['optimizer'], variables: tf.Variable[]): Promise<void> {
  if (state.weights.length !== 2 * variables.length) {
    throw new CheckpointError(`Checkpoint optimizer has ${state.weights.length} moments, expected ${2 * variables.length}`);
  }
  const named: Parameters<LegacyDecayAdam['setWeights']>[0] = [
    { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') },
    ...state.weights.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape) })),
  ];
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
}
