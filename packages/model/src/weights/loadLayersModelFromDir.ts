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
  const modelJson = dirOrModelJson.endsWith('.json') ? dirOrModelJson : path.join(dirOrModelJson, 'model.json');
  let text: string;
  try {
    text = await readFile(modelJson, 'utf8');
  } catch (error) {
    throw new WeightsFormatError(modelJson, 'no model.json (a tfjs layers model is a model.json and its weight shards)', { cause: error });
  }
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text) as tf.io.ModelJSON;
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
  return { modelJson, shards, json };
}

/**
 * A tfjs IOHandler that reads a layers model (model.json + binary shards) from disk, for Node where
 * `tf.io.fileSystem` needs tfjs-node. Checks every shard exists, stays in the model's folder, and that the
 * shards hold exactly the bytes the manifest's weights need (by their sizes, before reading any of them).
 */
export function fileSystemLoader(dirOrModelJson: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const { modelJson, shards, json } = await layersModelFiles(dirOrModelJson);
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
      return {
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData: weightData.buffer,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        trainingConfig: json.trainingConfig,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

/**
 * Loads a tfjs layers model from a folder holding `model.json` and its shards (or from the model.json path).
 * In the browser use `tf.loadLayersModel(url)` instead.
 * @throws WeightsFormatError naming the file when model.json or a shard is missing or malformed.
 */
export async function loadLayersModelFromDir(dirOrModelJson: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(fileSystemLoader(dirOrModelJson));
  } catch (error) {
    if (error instanceof WeightsFormatError) throw error;
    throw new WeightsFormatError(dirOrModelJson, `tfjs could not build the model: ${(error as Error).message}`, { cause: error });
  }
}
