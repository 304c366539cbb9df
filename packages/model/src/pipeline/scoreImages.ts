import { RADIOGRAPH_GEOMETRY } from '@cxr/preprocess/node';
import { predict } from '../predict/predict';
import { type CxrModel } from '../io/modelConfig';
import type { InputCheck } from '../ood/inputDistribution';
import type { PipelineProgress as Progress } from './pipelineProgress';
import { readModelInput } from '../predict/readModelInput';

/**
 * Probability of the positive class (the first class for an argmax model) for each image file (PNG, JPEG or DICOM), preprocessed with the model's saved
 * spec, `batchSize` at a time; progress as it goes. Errors name the file.
 */
export async function scoreImages(cxr: CxrModel, files: readonly string[], options: { progress?: Progress; batchSize?: number } = {}): Promise<number[]> {
  return (await scoreAndCheckImages(cxr, files, options)).scores;
}

/**
 * {@link scoreImages} with each image's out-of-distribution check (`null` for every image when the model carries no
 * `inputDistribution`): the scores are kept for refused images too, so metrics can be given on all images and on the
 * decided ones.
 */
export async function scoreAndCheckImages(
  cxr: CxrModel,
  files: readonly string[],
  options: { progress?: Progress; batchSize?: number } = {},
): Promise<{ scores: number[]; checks: (InputCheck | null)[] }> {
  const positive = cxr.config.positiveClass ?? cxr.config.classes[0];
  const batchSize = options.batchSize ?? 16;
  const scores: number[] = [];
  const checks: (InputCheck | null)[] = [];
  for (let start = 0; start < files.length; start += batchSize) {
    const chunk = files.slice(start, start + batchSize);
    const inputs: Float32Array[] = [];
    const images = [];
    for (const f of chunk) {
      const read = await readModelInput(f, cxr.config.preprocessing, { geometry: RADIOGRAPH_GEOMETRY });
      inputs.push(read.input);
      images.push(read.facts);
    }
    for (const p of await predict(cxr, inputs, { images })) {
      scores.push(p.probabilities[positive]);
      checks.push(p.inputCheck);
    }
    options.progress?.bar('predict', scores.length, files.length);
  }
  options.progress?.end();
  return { scores, checks };
}

/**
 * The probability of every class (in the model's class order) for each image file, as {@link scoreImages} reads them.
 *
 * @example const rows = await classProbabilities(cxr, files); // [[p(covid), p(pneumonia), p(normal)], ...]
 */
export async function classProbabilities(cxr: CxrModel, files: readonly string[], options: { progress?: Progress; batchSize?: number } = {}): Promise<number[][]> {
  const { classes } = cxr.config;
  const batchSize = options.batchSize ?? 16;
  const rows: number[][] = [];
  for (let start = 0; start < files.length; start += batchSize) {
    const chunk = files.slice(start, start + batchSize);
    const inputs: Float32Array[] = [];
    for (const f of chunk) inputs.push((await readModelInput(f, cxr.config.preprocessing)).input);
    for (const p of await predict(cxr, inputs)) rows.push(classes.map((c) => p.probabilities[c]));
    options.progress?.bar('predict', rows.length, files.length);
  }
  options.progress?.end();
  return rows;
}
