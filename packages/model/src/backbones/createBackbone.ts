import type { NormalizationPreset } from '@cxr/preprocess';
import { BackboneConfigError } from '../errors';
import type { Backbone, BackboneName } from './backbone';
import { backbonePreprocessing } from './backbonePreprocessing';
import { createVgg16 } from './createVgg16';
import { makeBackbone } from './makeBackbone';

/** Options of {@link createBackbone} (random, seeded weights). */
export interface CreateBackboneOptions {
  /** Only `vgg16` can be built without weights (MobileNet v1 is loaded from its tfjs layers files). */
  name: BackboneName;
  /** Seed of the random weights (default 0): the same seed gives the same weights. */
  seed?: number;
  inputShape?: [number, number, number];
  /** See {@link createVgg16}: tiny look-alikes for tests. */
  widthMultiplier?: number;
  blocks?: number;
  normalization?: NormalizationPreset;
}

/** FNV-1a of a string, hex: enough to tell random configurations apart in cache keys (not a security hash). */
function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * A backbone with random, seeded weights: for tests, demos and speed measurements where no pretrained
 * weights are available. Its features are NOT ImageNet features: a head trained on them learns little.
 * `weightsHash` is `random:<fingerprint of the configuration>`.
 *
 * @example
 * const backbone = createBackbone({ name: 'vgg16', seed: 1 }); // 224x224x3 -> 7x7x512
 */
export function createBackbone(options: CreateBackboneOptions): Backbone {
  if (options.name !== 'vgg16') {
    throw new BackboneConfigError(
      `createBackbone builds only vgg16 with random weights; load ${options.name} with loadBackbone({ name, weights })`,
    );
  }
  const seed = options.seed ?? 0;
  const preprocessing = backbonePreprocessing('vgg16', options);
  const model = createVgg16({ inputShape: options.inputShape, widthMultiplier: options.widthMultiplier, blocks: options.blocks, seed });
  const config = JSON.stringify({ name: 'vgg16', seed, s: options.inputShape ?? null, w: options.widthMultiplier ?? 1, b: options.blocks ?? 5 });
  return makeBackbone('vgg16', model, preprocessing, `random:${fingerprint(config)}`, {
    weightsSource: 'random',
    weightsFormat: 'random',
    pretrained: false,
    seed,
  });
}
