import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { WeightsFormatError } from '../errors';
import { concatShards, manifestShardPaths, manifestWeightBytes } from './weightsManifest';

/**
 * model.json of a folder (or the file itself), and the shard files its manifest names, in order.
 * @throws WeightsFormatError when model.json is missing or malformed, or a shard path leaves its folder.
 */
export async function layersModelFiles(dirOrModelJson: string): Promise<{ modelJson: string; shards: string[]; json: tf.io.ModelJSON }> {
  const { modelJson, shards, json } = await readLayersModelJson(dirOrModelJson);
  return { modelJson, shards, json };
}

/** {@link layersModelFiles}, with model.json's bytes as read (hashed by `loadBackbone`). */
async function readLayersModelJson(dirOrModelJson: string): Promise<{ modelJson: string; shards: string[]; json: tf.io.ModelJSON; bytes: Buffer }> {
  const modelJson = dirOrModelJson.endsWith('.json') ? dirOrModelJson : path.join(dirOrModelJson, 'model.json');
  let bytes: Buffer;
  try {
    bytes = await readFile(modelJson);
  } catch (error) {
    throw new WeightsFormatError(modelJson, 'no model.json (a tfjs layers model is a model.json and its weight shards)', { cause: error });
  }
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(bytes.toString('utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new WeightsFormatError(modelJson, 'not valid JSON', { cause: error });
  }
  if (json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new WeightsFormatError(modelJson, 'not a tfjs layers model (no modelTopology or weightsManifest)');
  }
  if (json.format != null && json.format !== 'layers-model') {
    throw new WeightsFormatError(modelJson, `format is '${json.format}', expected 'layers-model'`);
  }
  const dir = path.resolve(path.dirname(modelJson));
  const shards = manifestShardPaths(json.weightsManifest, modelJson).map((p) => {
    const file = path.resolve(dir, p);
    // manifestShardPaths already refuses '..' and absolute paths; this is the belt to its braces.
    if (!file.startsWith(dir + path.sep)) throw new WeightsFormatError(modelJson, `weight shard path ${JSON.stringify(p)} leaves ${dir}`);
    return file;
  });
  return { modelJson, shards, json, bytes };
}

/**
 * A tfjs IOHandler that reads a layers model (model.json + binary shards) from disk, for Node where
 * `tf.io.fileSystem` needs tfjs-node. Checks every shard exists, stays in the model's folder, and that the
 * shards hold exactly the bytes the manifest's weights need (by their sizes, before reading any of them).
 */
export function fileSystemLoader(dirOrModelJson: string): tf.io.IOHandler {
  return { load: async () => (await readLayersModel(dirOrModelJson)).artifacts };
}

/** What {@link fileSystemLoader} loads, and the bytes of the files it read: model.json, then the shards in order. */
async function readLayersModel(dirOrModelJson: string): Promise<{ artifacts: tf.io.ModelArtifacts; fileBytes: Uint8Array[] }> {
  const { modelJson, shards, json, bytes } = await readLayersModelJson(dirOrModelJson);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const sizes: number[] = [];
  for (const shard of shards) {
    try {
      const info = await stat(shard);
      if (!info.isFile()) throw new Error('not a file');
      sizes.push(info.size);
    } catch (error) {
      throw new WeightsFormatError(shard, `weight shard listed in ${modelJson} is missing`, { cause: error });
    }
  }
  const total = sizes.reduce((n, b) => n + b, 0);
  const needed = manifestWeightBytes(json.weightsManifest);
  if (total !== needed) {
    throw new WeightsFormatError(modelJson, `its shards hold ${total} bytes but its weights need ${needed} (truncated or wrong shard?)`);
  }
  const buffers: Buffer[] = [];
  for (const shard of shards) {
    try {
      buffers.push(await readFile(shard));
    } catch (error) {
      throw new WeightsFormatError(shard, `weight shard listed in ${modelJson} is unreadable`, { cause: error });
    }
  }
  if (buffers.reduce((n, b) => n + b.byteLength, 0) !== needed) {
    throw new WeightsFormatError(modelJson, 'a weight shard changed size while it was read');
  }
  const weightData = concatShards(buffers);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData: weightData.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
  };
  return { artifacts, fileBytes: [bytes, ...buffers] };
}

/**
 * Loads a tfjs layers model from a folder holding `model.json` and its shards (or from the model.json path).
 * In the browser use `tf.loadLayersModel(url)` instead.
 * @throws WeightsFormatError naming the file when model.json or a shard is missing or malformed.
 */
export async function loadLayersModelFromDir(dirOrModelJson: string): Promise<tfl.LayersModel> {
  return (await loadLayersModelWithBytes(dirOrModelJson)).model;
}

/**
 * {@link loadLayersModelFromDir}, also giving the bytes of the files it read (model.json, then the shards in
 * order), so that a caller hashing them (`loadBackbone`) does not read them from disk a second time.
 */
export async function loadLayersModelWithBytes(dirOrModelJson: string): Promise<{ model: tfl.LayersModel; fileBytes: Uint8Array[] }> {
  let fileBytes: Uint8Array[] = [];
  const loader: tf.io.IOHandler = {
    load: async () => {
      const read = await readLayersModel(dirOrModelJson);
      fileBytes = read.fileBytes;
      return read.artifacts;
    },
  };
  try {
    const model = await tfl.loadLayersModel(loader);
    return { model, fileBytes };
  } catch (error) {
    if (error instanceof WeightsFormatError) throw error;
    throw new WeightsFormatError(dirOrModelJson, `tfjs could not build the model: ${(error as Error).message}`, { cause: error });
  }
}
