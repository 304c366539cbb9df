import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelIoError } from '../errors';
import { createClassifier } from '../head/createClassifier';
import { createModelConfig, type ModelConfigOptions } from './createModelConfig';
import { checkModelMatchesConfig, type ModelConfig } from './modelConfig';
import { artifactsToFiles, serialiseModel } from './modelToFiles';
import { MODEL_COMPLETE_FILE, recoverModelFolder } from './recoverModelFolder';

/** Options of {@link saveModel}: the model (a classifier, or a trained head for `backbone`) and `cxr.json` facts. */
export interface SaveModelOptions extends ModelConfigOptions {
  /** The full model (base + head) to save, e.g. from `createClassifier`. */
  classifier?: tfl.LayersModel;
  /** Or a trained head: it is joined to `backbone.model` with `createClassifier`. */
  head?: tfl.LayersModel;
  /** Also write `model-float16.json` + shards with float16 weights (half the download, for the web). */
  quantize?: 'float16';
  /** Replace an existing folder (atomically) instead of failing. */
  overwrite?: boolean;
}

/** What {@link saveModel} wrote. */
export interface SaveModelResult {
  dir: string;
  /** File names inside `dir`. */
  files: string[];
  config: ModelConfig;
}

/**
 * Saves a classifier as one self-contained folder: the tfjs layers format (`model.json` + weight shards,
 * base and head together so a browser needs only `tf.loadLayersModel(url)`), `cxr.json`
 * ({@link ModelConfig}) and optionally a float16 copy. Everything is written into a temporary sibling
 * folder (`cxr.json` last, atomically, marking it complete) that is then renamed into place, so a reader never sees
 * half a model. A kill between moving the old model away and the new one in is repaired by
 * {@link recoverModelFolder} on the next save or load, which also removes leftovers.
 *
 * @example
 * await saveModel('models/vgg16-covid', { head: result.head, backbone, classes: ['covid', 'normal'],
 *   positiveClass: 'covid', trainingMetrics: { history: result.history } });
 */
export async function saveModel(dir: string, options: SaveModelOptions): Promise<SaveModelResult> {
  if (!options.classifier && !options.head) throw new ModelIoError(`saveModel(${dir}): give a classifier or a head`);
  const classifier = options.classifier ?? createClassifier(options.backbone, { head: options.head as tfl.LayersModel });
  const config = createModelConfig(options);
  checkModelMatchesConfig(classifier, config, dir);

  const target = path.resolve(dir);
  await recoverModelFolder(target);
  const exists = await stat(target).then(() => true, () => false);
  if (exists && !options.overwrite) throw new ModelIoError(`Cannot save model to ${target}: it exists (pass overwrite: true to replace it)`);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${target}.tmp-${tag}`;
  const files: string[] = [];
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await mkdir(tmp);
    const write = async (name: string, data: string | Uint8Array) => {
      await writeFile(path.join(tmp, name), data);
      files.push(name);
    };
    const artifacts = await serialiseModel(classifier); // once, for model.json and the float16 copy
    const main = artifactsToFiles(classifier.name, artifacts);
    for (const s of main.shards) await write(s.name, s.data);
    await write('model.json', JSON.stringify(main.modelJson));
    if (options.quantize === 'float16') {
      const half = artifactsToFiles(classifier.name, artifacts, { quantize: 'float16', shardPrefix: 'float16' });
      for (const s of half.shards) await write(s.name, s.data);
      await write('model-float16.json', JSON.stringify(half.modelJson));
    }
    // Last and atomically: its presence marks the folder complete for recoverModelFolder.
    await writeFile(path.join(tmp, `${MODEL_COMPLETE_FILE}.partial`), `${JSON.stringify(config, null, 2)}\n`);
    await rename(path.join(tmp, `${MODEL_COMPLETE_FILE}.partial`), path.join(tmp, MODEL_COMPLETE_FILE));
    files.push(MODEL_COMPLETE_FILE);
    if (exists) {
      const old = `${target}.old-${tag}`;
      await rename(target, old);
      try {
        await rename(tmp, target);
      } catch (error) {
        await rename(old, target); // put the previous model back rather than leave it under a temporary name
        throw error;
      }
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (cause) {
    await rm(tmp, { recursive: true, force: true });
    if (cause instanceof ModelIoError) throw cause;
    throw new ModelIoError(`Cannot save model to ${target}: ${(cause as Error).message}`, { cause });
  }
  return { dir: target, files, config };
}
