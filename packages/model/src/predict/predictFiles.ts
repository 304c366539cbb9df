import { RADIOGRAPH_GEOMETRY } from '@cxr/preprocess/node';
import type { CxrModel } from '../io/modelConfig';
import type { ImageFacts } from '../ood/inputDistribution';
import { predict, type Prediction, type PredictOptions } from './predict';
import { readModelInput } from './readModelInput';

/** One file's prediction. */
export interface FilePrediction extends Prediction {
  path: string;
}

/**
 * Node: reads (PNG, JPEG or DICOM, through {@link readModelInput}), preprocesses (with the model's saved `cxr.json` preprocessing spec, so training and
 * prediction never disagree) and classifies image files, `batchSize` at a time. Decoding errors from
 * `@cxr/preprocess` name the file; a size that cannot be a chest radiograph (`RADIOGRAPH_GEOMETRY`, e.g. a header
 * damaged to 60000x1) is refused with an `ImageGeometryError` rather than classified.
 *
 * @example
 * for (const p of await predictFiles(await loadModel('models/vgg16'), ['a.png'])) console.log(p.path, p.decision ?? 'no decision');
 */
export async function predictFiles(cxr: CxrModel, paths: readonly string[], options: PredictOptions = {}): Promise<FilePrediction[]> {
  const batchSize = options.batchSize ?? 16;
  const out: FilePrediction[] = [];
  for (let start = 0; start < paths.length; start += batchSize) {
    const chunk = paths.slice(start, start + batchSize);
    const inputs: Float32Array[] = [];
    const images: ImageFacts[] = [];
    for (const p of chunk) {
      const { input, facts } = await readModelInput(p, cxr.config.preprocessing, { geometry: RADIOGRAPH_GEOMETRY });
      inputs.push(input);
      images.push(facts);
    }
    const predictions = await predict(cxr, inputs, { ...options, images });
    predictions.forEach((pred, i) => out.push({ path: chunk[i], ...pred }));
  }
  return out;
}
