import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelIoError } from '../errors';
import { encodeFloat16 } from './encodeFloat16';

/** Options of {@link modelToFiles}. */
export interface ModelToFilesOptions {
  /** `'float16'` stores weights as IEEE half floats (half the bytes; tfjs decodes them on load). */
  quantize?: 'float16';
  /** Largest shard in bytes (default 4 MiB, as the tfjs converter). */
  shardBytes?: number;
  /** Prefix of the shard file names (default `group1`). */
  shardPrefix?: string;
}

/** A tfjs layers model as files: `model.json` content and its binary weight shards. */
export interface ModelFiles {
  modelJson: tf.io.ModelJSON;
  shards: { name: string; data: Uint8Array }[];
}

/**
 * Serialises a layers model to the tfjs layers format (what `tf.loadLayersModel(url)` reads), in memory:
 * `model.json` with the topology and the weights manifest, and shards `group1-shard1of2.bin`...
 * Browser-safe: the caller writes the files (Node `saveModel`) or offers them for download.
 */
export async function modelToFiles(model: tfl.LayersModel, options: ModelToFilesOptions = {}): Promise<ModelFiles> {
  return artifactsToFiles(model.name, await serialiseModel(model), options);
}

/** A layers model's topology and weights, as `model.save` gives them. */
export type SerialisedModel = tf.io.ModelArtifacts & Required<Pick<tf.io.ModelArtifacts, 'modelTopology' | 'weightSpecs' | 'weightData'>>;

/** A layers model's topology and weights (one pass over every weight). */
export async function serialiseModel(model: tfl.LayersModel): Promise<SerialisedModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || artifacts.weightData == null) {
    throw new ModelIoError(`Model ${model.name} did not serialise (no topology or weights)`);
  }
  return artifacts as SerialisedModel;
}

/** {@link modelToFiles} of artifacts already serialised (the artifacts are not changed, so one serves several calls). */
export function artifactsToFiles(modelName: string, artifacts: SerialisedModel, options: ModelToFilesOptions = {}): ModelFiles {
  const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
  const prefix = options.shardPrefix ?? 'group1';
  let specs: tf.io.WeightsManifestEntry[] = artifacts.weightSpecs;
  let bytes: Uint8Array = new Uint8Array(new tf.io.CompositeArrayBuffer(artifacts.weightData).slice());
  if (options.quantize === 'float16') {
    if (specs.some((s) => s.dtype !== 'float32')) {
      throw new ModelIoError(`Model ${modelName} has non-float32 weights; float16 quantisation covers float32 only`);
    }
    const halves = encodeFloat16(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    bytes = new Uint8Array(halves.buffer);
    specs = specs.map((s) => ({ ...s, quantization: { dtype: 'float16', original_dtype: 'float32' } }));
  }
  const count = Math.max(1, Math.ceil(bytes.byteLength / shardBytes));
  const shards = Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-shard${i + 1}of${count}.bin`,
    data: bytes.subarray(i * shardBytes, Math.min(bytes.byteLength, (i + 1) * shardBytes)),
  }));
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
      convertedBy: '@cxr/model',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs }],
    },
    shards,
  };
}
