import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { WeightsFormatError } from '../errors';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2, string: 0 };

/** model.json of a folder (or the file itself), and the shard files its manifest names, in order. */
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
  const dir = path.dirname(modelJson);
  const shards = json.weightsManifest.flatMap((group) => group.paths.map((p) => path.join(dir, p)));
  return { modelJson, shards, json };
}

/**
 * A tfjs IOHandler that reads a layers model (model.json + binary shards) from disk, for Node where
 * `tf.io.fileSystem` needs tfjs-node. Checks every shard exists and that the shards hold exactly the bytes
 * the manifest's weights need.
 */
export function fileSystemLoader(dirOrModelJson: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const { modelJson, shards, json } = await layersModelFiles(dirOrModelJson);
      const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
      const buffers: Buffer[] = [];
      for (const shard of shards) {
        try {
          buffers.push(await readFile(shard));
        } catch (error) {
          throw new WeightsFormatError(shard, `weight shard listed in ${modelJson} is missing`, { cause: error });
        }
      }
      const total = buffers.reduce((n, b) => n + b.byteLength, 0);
      const needed = weightSpecs.reduce((n, w) => {
        const q = (w as { quantization?: { dtype: string } }).quantization;
        const bytes = q ? BYTES[q.dtype] ?? 4 : BYTES[w.dtype] ?? 4;
        return n + w.shape.reduce((a, b) => a * b, 1) * bytes;
      }, 0);
      if (total !== needed) {
        throw new WeightsFormatError(modelJson, `its shards hold ${total} bytes but its weights need ${needed} (truncated or wrong shard?)`);
      }
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const b of buffers) {
        weightData.set(b, offset);
        offset += b.byteLength;
      }
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
