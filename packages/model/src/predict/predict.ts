import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { applyTemperature } from '@cxr/metrics';
import { PredictInputError } from '../errors';
import { isFineTuneLayer } from '../finetune/fineTuneLayerPrefix';
import { HEAD_LAYER_NAMES } from '../head/createHead';
import type { CxrModel } from '../io/modelConfig';
import { checkInput, type ImageFacts, type InputCheck } from '../ood/inputDistribution';
import { toInputBatch, type ModelInput } from './toInputBatch';

/** What a refused input gets instead of a decision. */
export const NO_DECISION = 'outside what this model was trained on: no decision';

/** The prediction for one image. NOT FOR CLINICAL USE. */
export interface Prediction {
  /** Probability per class name, e.g. `{ covid: 0.91, normal: 0.09 }` (temperature-scaled when the model is calibrated). */
  probabilities: Record<string, number>;
  /**
   * With a positive class: it when its probability is >= threshold, else the most probable other class. Without
   * (`positiveClass: null` in `cxr.json`): the most probable class, the first on ties. `null` when the input was
   * refused as outside what the model was trained on ({@link NO_DECISION}; `inputCheck.reasons` says why).
   */
  decision: string | null;
  /** How `decision` was made. */
  decisionRule: 'threshold' | 'argmax';
  /** The threshold applied to the positive class (kept, unused, for an argmax model). */
  threshold: number;
  /** The out-of-distribution check, or null when the model carries no `inputDistribution` (or checks were off). */
  inputCheck: InputCheck | null;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Overrides the saved `cxr.json` threshold. */
  threshold?: number;
  /** Images per forward pass (default 16). */
  batchSize?: number;
  /** Facts of each decoded image (`describeImage`), for the size, aspect-ratio and grey-level checks. */
  images?: readonly (ImageFacts | undefined)[];
  /** `false`: skip the out-of-distribution check (always decide). Default: check when the model can. */
  checkInputs?: boolean;
  /** `false`: raw softmax outputs, ignoring the saved temperature. Default true. */
  calibrated?: boolean;
}

const withFeatures = new WeakMap<tfl.LayersModel, tfl.LayersModel>();

/** The classifier with a second output: the globally average-pooled backbone features (the head's input). */
function featureModel(model: tfl.LayersModel): tfl.LayersModel {
  let m = withFeatures.get(model);
  if (!m) {
    // the head starts at its pool, or at its first fine-tuned backbone block: the frozen base ends before it
    const at = model.layers.findIndex((l) => isFineTuneLayer(l) || l.name === HEAD_LAYER_NAMES.pool);
    // the classifier is flat (base layers, then head layers), so the layer before the head's start is the base output;
    // the pool's own `input` is ambiguous when the head model shares its layers
    const base = at > 0 ? (model.layers[at - 1].output as tfl.SymbolicTensor) : null;
    if (!base || Array.isArray(base) || base.shape.length !== 4) {
      throw new PredictInputError(`model ${model.name} has no ${HEAD_LAYER_NAMES.pool} layer after a 4-d base output: cannot find the backbone features its inputDistribution describes`);
    }
    const pooled = tfl.layers.globalAveragePooling2d({ name: 'cxr_input_check_pool' }).apply(base) as tfl.SymbolicTensor;
    m = tfl.model({ inputs: model.inputs, outputs: [model.outputs[0], pooled] });
    withFeatures.set(model, m);
  }
  return m;
}

/**
 * Classifies preprocessed images (made with the model's saved `preprocessing` spec) in inference mode
 * (dropout off), in batches, leaving no tensors behind. Applies the saved temperature scaling, and when the model
 * carries an `inputDistribution`, refuses inputs unlike its training images (`decision: null`). Browser-safe.
 *
 * @example
 * const [p] = await predict(cxr, preprocessPixels(grey, cxr.config.preprocessing), { images: [describeImage(grey)] });
 * p.decision ?? `${NO_DECISION}: ${p.inputCheck?.reasons.join('; ')}`;
 */
export async function predict(cxr: CxrModel, inputs: ModelInput, options: PredictOptions = {}): Promise<Prediction[]> {
  const { classes, positiveClass } = cxr.config;
  const threshold = options.threshold ?? cxr.config.threshold;
  if (!(threshold >= 0 && threshold <= 1)) throw new PredictInputError(`threshold must be in [0, 1], got ${threshold}`);
  const batchSize = options.batchSize ?? 16;
  // 0 or a fraction would never finish the batch loop below
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new PredictInputError(`batchSize must be a positive integer, got ${batchSize}`);
  const distribution = options.checkInputs === false ? null : (cxr.config.inputDistribution ?? null);
  const temperature = options.calibrated === false ? 1 : (cxr.config.calibration?.temperature ?? 1);
  const net = distribution ? featureModel(cxr.model) : cxr.model;
  const x = toInputBatch(cxr.model, inputs);
  const n = x.shape[0];
  if (options.images && options.images.length !== n) throw new PredictInputError(`${n} inputs but ${options.images.length} image facts`);
  const out: Prediction[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const outputs = tf.tidy(() => {
        const y = net.predict(tf.slice(x, start, Math.min(batchSize, n - start)));
        return Array.isArray(y) ? y : [y];
      });
      let values: Float32Array | Int32Array | Uint8Array;
      let pooled: Float32Array | null = null;
      try {
        values = await outputs[0].data();
        if (outputs[1]) pooled = (await outputs[1].data()) as Float32Array;
      } finally {
        outputs.forEach((t) => t.dispose());
      }
      const k = classes.length;
      for (let i = 0; i < values.length / k; i++) {
        let row = Array.from(values.subarray(i * k, (i + 1) * k));
        if (temperature !== 1) row = applyTemperature(row, temperature);
        const p = decide(row, classes, positiveClass, threshold);
        if (distribution) {
          const dims = distribution.dims;
          const check = checkInput(distribution, { feature: pooled!.subarray(i * dims, (i + 1) * dims), image: options.images?.[start + i] });
          p.inputCheck = check;
          if (!check.inDistribution) p.decision = null;
        }
        out.push(p);
      }
    }
  } finally {
    x.dispose();
  }
  return out;
}

/**
 * The decision rule: the positive class at or above the threshold, else the most probable other class; with no
 * positive class (`null`), the most probable class (argmax, the first on ties). Two classes with a positive class
 * decide exactly as before N classes existed.
 *
 * @example decide([0.2, 0.5, 0.3], ['covid', 'pneumonia', 'normal'], null, 0.5).decision // 'pneumonia'
 */
export function decide(row: readonly number[], classes: readonly string[], positiveClass: string | null, threshold: number): Prediction {
  const probabilities = Object.fromEntries(classes.map((c, i) => [c, row[i]]));
  if (positiveClass === null) {
    let best = 0;
    for (let i = 1; i < classes.length; i++) if (row[i] > row[best]) best = i;
    return { probabilities, decision: classes[best], decisionRule: 'argmax', threshold, inputCheck: null };
  }
  const pos = classes.indexOf(positiveClass);
  let decision = positiveClass;
  if (!(row[pos] >= threshold)) {
    let best = -1;
    classes.forEach((_, i) => {
      if (i !== pos && (best < 0 || row[i] > row[best])) best = i;
    });
    decision = classes[best];
  }
  return { probabilities, decision, decisionRule: 'threshold', threshold, inputCheck: null };
}
