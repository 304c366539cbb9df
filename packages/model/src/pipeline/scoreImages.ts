import { predict } from '../predict/predict';
import { type CxrModel } from '../io/modelConfig';
import type { PipelineProgress as Progress } from './pipelineProgress';
import { readModelInput } from '../predict/readModelInput';

/**
 * Probability of `classIndex`'s class for each image file (PNG, JPEG or DICOM), preprocessed with the model's saved
 * spec, `batchSize` at a time; progress as it goes. Errors name the file.
 */
export async function scoreImages(cxr: CxrModel, files: readonly string[], options: { progress?: Progress; batchSize?: number } = {}): Promise<number[]> {
  const positive = cxr.config.positiveClass;
  const batchSize = options.batchSize ?? 16;
  const scores: number[] = [];
  for (let start = 0; start < files.length; start += batchSize) {
    const chunk = files.slice(start, start + batchSize);
    const inputs: Float32Array[] = [];
    for (const f of chunk) inputs.push((await readModelInput(f, cxr.config.preprocessing)).input);
    for (const p of await predict(cxr, inputs)) scores.push(p.probabilities[positive]);
    options.progress?.bar('predict', scores.length, files.length);
  }
  options.progress?.end();
  return scores;
}
