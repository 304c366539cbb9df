import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { applyTemperature, fitTemperature } from '@cxr/metrics';
import { TrainingInputError } from '../errors';
import type { Calibration, DataDesignRecord } from '../io/modelConfig';
import { describeInputDistribution, type ImageFacts, type InputDistribution } from '../ood/inputDistribution';
import { globalAveragePool } from '../probe/globalAveragePool';
import type { FeatureSourceAudit } from '../probe/auditFeatureSources';

/** Options of {@link trainingSafeguards}. */
export interface TrainingSafeguardsOptions {
  /** The trained head (input: one backbone feature map). */
  head: tfl.LayersModel;
  /** Backbone output per image, `[height, width, channels]`. */
  featureShape: readonly [number, number, number];
  /** Backbone feature maps of the training images (no augmented copies), and each image's patient. */
  train: { features: readonly Float32Array[]; groups: readonly string[]; images?: readonly ImageFacts[] };
  /** The validation split (feature maps and labels): where the temperature is fitted. */
  validation?: { features: readonly Float32Array[]; labels: readonly string[] };
  /** Class names in the head's output order. */
  classes: readonly string[];
  /** Fit temperature scaling on the validation split (default true; needs one). */
  calibrate?: boolean;
  /** Stated false-refusal rate of the out-of-distribution threshold (default 0.025). */
  falseRefusalRate?: number;
}

/** What {@link trainingSafeguards} made for `cxr.json`. */
export interface TrainingSafeguards {
  /** Temperature scaling fitted on the validation split, or null (off, or no validation images). */
  calibration: Calibration | null;
  inputDistribution: InputDistribution;
  /** Validation probabilities per class after the temperature (to choose a threshold on the same scale predict uses). */
  validationRows: number[][];
}

/** The head's class probabilities for feature maps, in inference mode, leaving no tensors behind. */
export function headProbabilities(head: tfl.LayersModel, features: readonly Float32Array[], shape: readonly number[], batchSize = 64): number[][] {
  const out: number[][] = [];
  const size = shape.reduce((a, b) => a * b, 1);
  for (let start = 0; start < features.length; start += batchSize) {
    const chunk = features.slice(start, start + batchSize);
    const flat = new Float32Array(chunk.length * size);
    chunk.forEach((f, i) => flat.set(f, i * size));
    out.push(...tf.tidy(() => (head.predict(tf.tensor(flat, [chunk.length, ...shape])) as tf.Tensor).arraySync() as number[][]));
  }
  return out;
}

/**
 * What a trained model carries besides its weights to be used safely (issue 15): temperature scaling fitted on the
 * validation split, so its probabilities mean what they say, and the description of its training inputs
 * (`describeInputDistribution` on the globally pooled backbone features, patients left out for the threshold), so
 * `predict` can refuse what it was not trained on. Pass the results to `saveModel`.
 *
 * @example
 * const s = trainingSafeguards({ head, featureShape: backbone.outputShape, train: { features, groups }, validation, classes });
 * await saveModel(dir, { ..., calibration: s.calibration, inputDistribution: s.inputDistribution });
 */
export function trainingSafeguards(options: TrainingSafeguardsOptions): TrainingSafeguards {
  const { head, featureShape, classes } = options;
  const pooled = options.train.features.map((f) => globalAveragePool(f, featureShape));
  const inputDistribution = describeInputDistribution({ features: pooled, groups: options.train.groups, images: options.train.images, falseRefusalRate: options.falseRefusalRate });
  const val = options.validation;
  let rows = val && val.features.length ? headProbabilities(head, val.features, featureShape) : [];
  let calibration: Calibration | null = null;
  if ((options.calibrate ?? true) && val && rows.length > 0) {
    const targets = val.labels.map((l) => {
      const t = classes.indexOf(l);
      if (t < 0) throw new TrainingInputError(`validation label ${JSON.stringify(l)} is not one of the classes ${classes.join(', ')}`);
      return t;
    });
    const fit = fitTemperature(rows, targets);
    calibration = { method: 'temperature-scaling', temperature: fit.temperature, fittedOn: `validation split (${fit.n} images)`, nllBefore: fit.nllBefore, nllAfter: fit.nllAfter };
    rows = rows.map((r) => applyTemperature(r, fit.temperature));
  }
  return { calibration, inputDistribution, validationRows: rows };
}

/**
 * The `cxr.json` `dataDesign` record from the data-design audit (`auditDataDesign` of `@cxr/dataset`, passed in as
 * plain data) and the within-class source probes ({@link auditFeatureSources}).
 */
export function createDataDesignRecord(
  audit: { confounded: boolean; threshold: number; findings: string[]; perClass: { label: string; n: number; bySource: Record<string, number>; exclusiveShare: number; confounded: boolean }[] },
  sourceProbe: FeatureSourceAudit | null,
  allowedConfounded: boolean,
): DataDesignRecord {
  const probeAlarms = sourceProbe?.probes.filter((p) => p.alarm) ?? [];
  const parts: string[] = [];
  if (audit.confounded) parts.push(`confounded training data (${audit.findings.join('; ')})`);
  if (probeAlarms.length) {
    parts.push(`the features tell sources apart within a class (${probeAlarms.map((p) => `${p.label}: ${p.positiveSource} vs ${p.negativeSource} AUC ${p.auc.toFixed(2)}`).join('; ')})`);
  }
  return {
    confounded: audit.confounded,
    allowedConfounded,
    threshold: audit.threshold,
    findings: [...audit.findings],
    perClass: audit.perClass.map((c) => ({ label: c.label, n: c.n, bySource: { ...c.bySource }, exclusiveShare: c.exclusiveShare, confounded: c.confounded })),
    sourceProbe: sourceProbe
      ? {
          alarm: sourceProbe.alarm,
          threshold: sourceProbe.threshold,
          probes: sourceProbe.probes.map((p) => ({ label: p.label, positiveSource: p.positiveSource, negativeSource: p.negativeSource, auc: p.auc, alarm: p.alarm })),
          notProbed: sourceProbe.notProbed,
        }
      : null,
    warning: parts.length ? `WARNING: ${parts.join('; and ')}. This model may have learnt where images come from, not the disease; its results do not carry over to other sources.` : null,
  };
}
