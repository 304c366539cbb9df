import { DEFAULT_PREPROCESS_SPEC, type PreprocessSpec } from '@cxr/preprocess';
import { createClassifier } from '../head/createClassifier';
import { createModelConfig } from '../io/createModelConfig';
import type { CxrModel } from '../io/modelConfig';
import { tinyBackbone } from './tinyBackbone';

/** The tiny classifier (32x32x3 input) with a valid cxr.json config, as `loadModel` would return it. */
export function tinyCxrModel(spec: Partial<PreprocessSpec> = {}, threshold = 0.5): CxrModel {
  const preprocessing = { ...DEFAULT_PREPROCESS_SPEC, height: 32, width: 32, ...spec };
  const backbone = { ...tinyBackbone(), preprocessing };
  const model = createClassifier(backbone, { poolSize: 4, units: 6, seed: 1 });
  const config = createModelConfig({ backbone, classes: ['covid', 'normal'], positiveClass: 'covid', threshold });
  return { model, config };
}
