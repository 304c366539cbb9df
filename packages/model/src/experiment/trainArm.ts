import type * as tfl from '@tensorflow/tfjs-layers';
import { trainHead } from '../train/trainHead';
import { createRng } from '@cxr/metrics';
import { headScores } from '../train/headScores';

/** Training images of one evaluation: features, labels and sources, index-aligned. */
export interface TrainingSet {
  features: readonly Float32Array[];
  labels: readonly string[];
  sources: readonly string[];
  /** Extra feature arrays (augmented copies) per image; each copy is another training sample of that image. */
  copies?: readonly (readonly Float32Array[])[];
}

/** How the head is trained: the notebook's recipe unless a mitigation changes it. */
export interface TrainArmOptions {
  /** `[positive, negative]`: {@link scoreFeatures} reads the first output as the positive class's probability. */
  classes: readonly [string, string];
  /** Shape of the (head-pooled) feature maps. */
  shape: [number, number, number];
  epochs: number;
  seed: number;
  /** Oversample so every source x label cell has as many samples as the largest. */
  sourceBalanced: boolean;
}

/**
 * Indices of a source-balanced resample: every source x label cell is brought up to the size of the largest by
 * drawing extra samples of that cell at random (seeded), i.e. per-sample weights realised by replication.
 *
 * @example sourceBalancedIndices(['a|x', 'a|x', 'b|x'], 1) // [0, 1, 2, 2]
 */
export function sourceBalancedIndices(cells: readonly string[], seed: number): number[] {
  const byCell = new Map<string, number[]>();
  cells.forEach((c, i) => {
    const list = byCell.get(c);
    if (list) list.push(i);
    else byCell.set(c, [i]);
  });
  const target = Math.max(0, ...[...byCell.values()].map((l) => l.length));
  const rng = createRng(seed);
  const out: number[] = [];
  for (const [, members] of [...byCell.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    out.push(...members);
    for (let k = members.length; k < target; k++) out.push(members[Math.floor(rng.next() * members.length)]);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Trains the notebook's head (AveragePooling 4x4, Dense 64 relu, Dropout 0.5, softmax; Adam 1e-3 with decay,
 * batch 8) on one training set, with the arm's resampling and augmented copies.
 */
export async function trainArm(set: TrainingSet, options: TrainArmOptions): Promise<tfl.Sequential> {
  let index = set.features.map((_, i) => i);
  if (options.sourceBalanced) {
    index = sourceBalancedIndices(
      set.labels.map((l, i) => `${set.sources[i]}|${l}`),
      options.seed,
    );
  }
  const features: Float32Array[] = index.map((i) => set.features[i]);
  const labels: string[] = index.map((i) => set.labels[i]);
  for (const copy of set.copies ?? []) {
    for (const i of index) {
      features.push(copy[i]);
      labels.push(set.labels[i]);
    }
  }
  const { head } = await trainHead(features, labels, {
    classes: [...options.classes],
    // Features arrive pooled by headPool: the head's own pooling is then the identity.
    head: { inputShape: options.shape, poolSize: 1 },
    epochs: options.epochs,
    seed: options.seed,
  });
  return head;
}

/**
 * The notebook head's AveragePooling2D (pool and stride `poolSize`, padding valid) applied once to a feature map:
 * it has no weights, so training the head on pooled maps (with `poolSize: 1`) is the same model as training it on
 * the raw maps, and far faster. Note what `valid` pooling of 4x4 on a 7x7 map keeps: only the top-left 4x4 cells.
 *
 * @returns the pooled map (HWC) and its shape
 * @example headPool(map7x7x1024, [7, 7, 1024], 4).shape // [1, 1, 1024]
 */
export function headPool(feature: Float32Array, shape: readonly [number, number, number], poolSize = 4): { data: Float32Array; shape: [number, number, number] } {
  const [h, w, c] = shape;
  const oh = Math.floor((h - poolSize) / poolSize) + 1;
  const ow = Math.floor((w - poolSize) / poolSize) + 1;
  const data = new Float32Array(oh * ow * c);
  const scale = 1 / (poolSize * poolSize);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const o = (oy * ow + ox) * c;
      for (let y = oy * poolSize; y < oy * poolSize + poolSize; y++) {
        for (let x = ox * poolSize; x < ox * poolSize + poolSize; x++) {
          const i = (y * w + x) * c;
          for (let k = 0; k < c; k++) data[o + k] += feature[i + k] * scale;
        }
      }
    }
  }
  return { data, shape: [oh, ow, c] };
}

/**
 * Probability of the positive class for each feature map (inference mode, batched, no tensors left behind), clamped
 * to [0, 1]. A head from {@link trainArm} lists the positive class first (`classes: [positive, negative]`).
 */
export function scoreFeatures(head: tfl.LayersModel, features: readonly Float32Array[], shape: readonly number[], batchSize = 64): number[] {
  const positiveIndex = 0; // TrainArmOptions.classes is [positive, negative]
  return headScores(head, features, shape, positiveIndex, batchSize).map((s) => Math.min(1, Math.max(0, s)));
}
