import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelConfigError, ModelIoError } from '../errors';
import { fileSystemLoader } from '../weights/loadLayersModelFromDir';
import { checkModelMatchesConfig, validateModelConfig, type CxrModel, type ModelConfig } from './modelConfig';
import { recoverModelFolder } from './recoverModelFolder';

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** `'float16'` loads `model-float16.json` (saved with `quantize: 'float16'`). */
  variant?: 'float32' | 'float16';
}

/**
 * Loads a model folder written by `saveModel` from disk (Node): validates `cxr.json` (typed
 * `ModelConfigError` naming the file and field) and checks the model's input and outputs agree with it.
 *
 * @example
 * const cxr = await loadModel('models/vgg16-covid');
 * const [p] = predict(cxr, input);
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<CxrModel> {
  const config = await readModelConfig(dir);
  const file = path.join(dir, options.variant === 'float16' ? 'model-float16.json' : 'model.json');
  const model = await tfl.loadLayersModel(fileSystemLoader(file));
  checkModelMatchesConfig(model, config, file);
  return { model, config };
}

/**
 * Reads and validates `<dir>/cxr.json`, first repairing a folder a killed `saveModel` left missing
 * ({@link recoverModelFolder}).
 */
export async function readModelConfig(dir: string): Promise<ModelConfig> {
  // A read-only place cannot be repaired, but can still be read: recovery failing is not this reader's error.
  await recoverModelFolder(dir).catch(() => undefined);
  const file = path.join(dir, 'cxr.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelIoError(`No model config ${file} (a saved model folder has cxr.json, model.json and shards)`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelConfigError(`Invalid model config ${file}: not valid JSON`, { cause });
  }
  return validateModelConfig(json, file);
}
