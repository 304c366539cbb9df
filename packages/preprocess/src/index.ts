export { DEFAULT_PREPROCESS_SPEC } from './preprocessSpec';
export type { NormalizationPreset, PreprocessSpec, ResizeMode } from './preprocessSpec';
