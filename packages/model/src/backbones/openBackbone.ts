import type { Backbone } from './backbone';
import { createBackbone, type CreateBackboneOptions } from './createBackbone';
import { loadBackbone, type LoadBackboneOptions } from './loadBackbone';

/**
 * A serialisable description of a backbone (what a worker thread needs to rebuild it): with `weights`,
 * {@link loadBackbone}'s options; without, {@link createBackbone}'s (random, seeded weights).
 */
export type BackboneSpec = LoadBackboneOptions | (CreateBackboneOptions & { weights?: undefined });

/** Loads (with `weights`) or creates (without: random weights) the backbone a {@link BackboneSpec} describes (Node). */
export async function openBackbone(spec: BackboneSpec): Promise<Backbone> {
  return spec.weights === undefined ? createBackbone(spec) : loadBackbone(spec);
}
