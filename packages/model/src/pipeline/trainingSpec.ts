import { parsePreprocessSpec, PreprocessSpecError, type FractionRect, type PreprocessSpec } from '@cxr/preprocess';
import { PipelineOptionsError } from '../errors';
import { LUNG_CROP } from '../experiment/mitigations';

/** The preprocessing mitigations of `cxr train` (`--clahe`, `--lung-crop`), as training and feature caching take them. */
export interface SpecMitigations {
  /** CLAHE, 8x8 tiles, clip limit 2. */
  clahe?: boolean;
  /** Keep only the lung fields: `true` for {@link LUNG_CROP}, or a rectangle in fractions of the image. */
  lungCrop?: boolean | FractionRect;
}

/**
 * The backbone's spec with the asked mitigations switched on (validated as a saved spec would be), so the features, the
 * cache keys and `cxr.json` all follow them. Without any it is `spec` itself.
 * @throws PipelineOptionsError for a lungCrop that is not a rectangle inside the image, naming it
 */
export function trainingSpec(spec: PreprocessSpec, options: SpecMitigations): PreprocessSpec {
  if (!options.clahe && !options.lungCrop) return spec;
  const lungCrop = options.lungCrop === true ? { ...LUNG_CROP } : options.lungCrop || null;
  const next = { ...spec, ...(options.clahe ? { clahe: { tileGridSize: 8, clipLimit: 2 } } : {}), ...(lungCrop ? { lungCrop } : {}) };
  try {
    return parsePreprocessSpec(next, 'the training options');
  } catch (error) {
    if (error instanceof PreprocessSpecError) throw new PipelineOptionsError(`lungCrop ${JSON.stringify(options.lungCrop)}: ${error.message}`, { cause: error });
    throw error;
  }
}
