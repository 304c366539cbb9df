import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BACKBONE_NAMES, type Backbone, type BackboneName } from './backbone';
import { createBackbone } from './createBackbone';
import { loadBackbone } from './loadBackbone';
import type { NormalizationPreset } from '@cxr/preprocess';
import { PipelineInputError, PipelineOptionsError } from '../errors';

/** Size of a seeded random VGG-like base (demo and tests): input side, VGG blocks, width multiplier. */
export interface RandomBaseSize {
  inputSize: number;
  blocks: number;
  widthMultiplier: number;
  /** Input normalisation of the random base; default `vgg16-caffe`, as VGG16's ImageNet weights. */
  normalization?: NormalizationPreset;
}

/** The backbone trained on when none is named: VGG16, as the notebook this project follows. */
export const DEFAULT_BACKBONE: BackboneName = 'vgg16';

/** The full VGG16 at 224 px, random weights. */
export const FULL_RANDOM_BASE: RandomBaseSize = { inputSize: 224, blocks: 5, widthMultiplier: 1 };

/** Options of {@link openTrainingBackbone}. */
export interface OpenTrainingBackboneOptions {
  /** `vgg16` (default, the notebook's base) or `mobilenet_v1`. */
  backbone?: string;
  /** Weights file (Keras .h5) or folder (tfjs layers model.json + shards). */
  weights?: string;
  /** Use seeded random weights (NOT ImageNet) instead. */
  randomWeights?: boolean;
  seed?: number;
  /** Size of the random base; default {@link FULL_RANDOM_BASE}. */
  randomSize?: RandomBaseSize;
  cwd?: string;
}

/** A backbone and a sentence saying which weights it carries. */
export interface OpenedBackbone {
  backbone: Backbone;
  /** e.g. `mobilenet_v1, ImageNet weights from <dir>` or `vgg16-like, random weights (seed 1), NOT ImageNet`. */
  description: string;
}

/** The message of a missing `--weights`: how to get them. */
export function missingWeightsMessage(name: string): string {
  return (
    `--weights is required for ${name}: download ImageNet weights with \`cxr weights fetch ${name}\` (prints the path), ` +
    `or convert a Keras file with \`cxr weights import <file.h5> --out <dir>\`; ` +
    `--random-weights trains on a seeded random base instead (demo/testing only: NOT ImageNet)`
  );
}

/**
 * The usage checks of {@link openTrainingBackbone}, without opening anything: a command calls it before it reads or
 * writes any data, so that bad usage (exit 2) leaves nothing behind.
 *
 * @throws PipelineOptionsError for an unknown backbone, missing weights, both or neither of --weights and --random-weights, or random MobileNet
 */
export function checkBackboneOptions(options: Pick<OpenTrainingBackboneOptions, 'backbone' | 'weights' | 'randomWeights'>): BackboneName {
  const name = (options.backbone ?? DEFAULT_BACKBONE) as BackboneName;
  if (!BACKBONE_NAMES.includes(name)) throw new PipelineOptionsError(`--backbone ${JSON.stringify(options.backbone)}: expected one of ${BACKBONE_NAMES.join(', ')}`);
  if (options.randomWeights) {
    if (options.weights) throw new PipelineOptionsError('give either --weights or --random-weights, not both');
    if (name !== 'vgg16') throw new PipelineOptionsError(`--random-weights builds only a vgg16-like base (MobileNet v1 needs its weights: cxr weights fetch mobilenet_v1)`);
  } else if (!options.weights) {
    throw new PipelineOptionsError(missingWeightsMessage(name));
  }
  return name;
}

/**
 * Opens the frozen base for training: pretrained weights from `--weights`, or (with `--random-weights`) a seeded
 * random VGG16-like base, clearly labelled as not ImageNet. MobileNet v1 exists only with weights.
 *
 * @throws PipelineOptionsError for an unknown backbone, missing weights, or random MobileNet; PipelineInputError for a missing weights path.
 */
export async function openTrainingBackbone(options: OpenTrainingBackboneOptions): Promise<OpenedBackbone> {
  const name = checkBackboneOptions(options);
  if (options.randomWeights) {
    const size = options.randomSize ?? FULL_RANDOM_BASE;
    const seed = options.seed ?? 0;
    const backbone = createBackbone({
      name: 'vgg16',
      seed,
      inputShape: [size.inputSize, size.inputSize, 3],
      blocks: size.blocks,
      widthMultiplier: size.widthMultiplier,
      normalization: size.normalization ?? 'vgg16-caffe',
    });
    const shape = size === FULL_RANDOM_BASE ? 'VGG16' : `VGG-like (${size.blocks} blocks, width x${size.widthMultiplier}, ${size.inputSize} px)`;
    return { backbone, description: `${shape} with random weights (seed ${seed}), NOT ImageNet: features are not pretrained` };
  }
  if (!options.weights) throw new PipelineOptionsError(missingWeightsMessage(name));
  const weights = path.resolve(options.cwd ?? process.cwd(), options.weights);
  if (!(await stat(weights).then(() => true, () => false))) throw new PipelineInputError(`${weights}: no such weights file or folder (get weights with \`cxr weights fetch ${name}\`)`);
  // The official tfjs MobileNet v1 is the whole classifier: cut it after its last convolution block (7x7x1024).
  const cutLayer = name === 'mobilenet_v1' && (await mobilenetIsWhole(weights)) ? 'conv_pw_13_relu' : undefined;
  const backbone = await loadBackbone({ name, weights, ...(cutLayer ? { cutLayer } : {}) });
  return { backbone, description: `${name}, pretrained (ImageNet) weights from ${weights}` };
}

/** True when a tfjs MobileNet folder (or model.json) still holds the classifier top (layer `conv_pw_13_relu` and beyond). */
async function mobilenetIsWhole(weights: string): Promise<boolean> {
  const file = weights.endsWith('.json') ? weights : path.join(weights, 'model.json');
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.includes('"conv_preds"') || text.includes('"conv_pw_13_relu"');
}
