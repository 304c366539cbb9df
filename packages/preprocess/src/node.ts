export { DEFAULT_PREPROCESS_SPEC } from './index';
export type { NormalizationPreset, PreprocessSpec, ResizeMode } from './index';
