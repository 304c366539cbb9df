import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { NormalizationPreset } from '@cxr/preprocess';
import { BackboneConfigError, WeightsFormatError } from '../errors';
import { BACKBONE_NAMES, type Backbone, type BackboneName } from './backbone';
import { backbonePreprocessing } from './backbonePreprocessing';
import { cutModel } from './cutModel';
import { makeBackbone } from './makeBackbone';
import { concatShards, manifestShardPaths, manifestWeightBytes, shardUrl } from '../weights/weightsManifest';

/** Options of {@link loadBackboneFromUrl}. */
export interface LoadBackboneFromUrlOptions {
  name: BackboneName;
  /** URL of a tfjs layers `model.json`; its shards are fetched relative to it. */
  url: string;
  cutLayer?: string;
  normalization?: NormalizationPreset;
  /** Fetch implementation (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

async function bytesOf(fetcher: typeof fetch, url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw new WeightsFormatError(url, `request failed: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw new WeightsFormatError(url, `HTTP ${response.status} ${response.statusText}`.trim());
  return new Uint8Array(await response.arrayBuffer());
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Loads a frozen backbone from a tfjs layers model over HTTP (browser-safe; also works in Node 18+).
 * The raw bytes of model.json and its shards are hashed as {@link loadBackbone} hashes the same files on disk,
 * so `weightsHash` is identical in the browser and in Node, and a model trained in Node can check its base.
 *
 * @example
 * const backbone = await loadBackboneFromUrl({ name: 'mobilenet_v1', url: '/weights/mobilenet_v1_1.0_224_conv_pw_12/model.json' });
 * @throws WeightsFormatError naming the URL (HTTP error, not a layers model), BackboneConfigError.
 */
export async function loadBackboneFromUrl(options: LoadBackboneFromUrlOptions): Promise<Backbone> {
  const { name, url } = options;
  if (!BACKBONE_NAMES.includes(name)) {
    throw new BackboneConfigError(`Unknown backbone '${String(name)}'; expected one of ${BACKBONE_NAMES.join(', ')}`);
  }
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  const jsonBytes = await bytesOf(fetcher, url);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes)) as tf.io.ModelJSON;
  } catch (error) {
    throw new WeightsFormatError(url, 'not valid JSON', { cause: error });
  }
  if (json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new WeightsFormatError(url, 'not a tfjs layers model (no modelTopology or weightsManifest)');
  }
  const shardUrls = manifestShardPaths(json.weightsManifest, url).map((p) => shardUrl(url, p));
  const shards = await Promise.all(shardUrls.map((u) => bytesOf(fetcher, u)));
  const needed = manifestWeightBytes(json.weightsManifest);
  const received = shards.reduce((n, s) => n + s.length, 0);
  if (received !== needed) throw new WeightsFormatError(url, `its shards hold ${received} bytes but its weights need ${needed} (truncated or wrong shard?)`);
  const all = concatShards([jsonBytes, ...shards]); // hashed as loadBackbone hashes model.json then the shards
  const weightsHash = hex(await globalThis.crypto.subtle.digest('SHA-256', all));
  const weightData = all.slice(jsonBytes.length).buffer;
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData,
      }),
    );
  } catch (error) {
    throw new WeightsFormatError(url, `tfjs could not build the model: ${(error as Error).message}`, { cause: error });
  }
  let preprocessing: ReturnType<typeof backbonePreprocessing>;
  try {
    if (options.cutLayer) model = cutModel(model, options.cutLayer);
    const inputShape = model.inputs[0].shape.slice(1) as [number, number, number];
    preprocessing = backbonePreprocessing(name, { inputShape, normalization: options.normalization });
  } catch (error) {
    model.dispose(); // a bad cut layer or normalisation must not leave the loaded weights behind
    throw error;
  }
  return makeBackbone(name, model, preprocessing, weightsHash, {
    weightsSource: url,
    weightsFormat: 'tfjs-layers',
    pretrained: true,
    ...(options.cutLayer ? { cutLayer: options.cutLayer } : {}),
  });
}
