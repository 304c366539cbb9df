import type { PreprocessSpec } from './preprocessSpec';

const NORMALIZATION_TEXT: Record<PreprocessSpec['normalization'], string> = {
  unit: 'scaled to [0, 1]',
  mobilenet: 'scaled to [-1, 1]',
  'vgg16-caffe': 'BGR, 0-255 minus ImageNet means [103.939, 116.779, 123.68] (Keras caffe mode)',
};

/**
 * One human-readable line describing a spec, for logs, model cards and `cxr info`.
 *
 * @example
 * describePreprocessSpec(DEFAULT_PREPROCESS_SPEC);
 * // 'grey -> stretch to 224x224 -> 3 channels -> scaled to [0, 1]'
 */
export function describePreprocessSpec(spec: PreprocessSpec): string {
  const steps = ['grey'];
  if (spec.lungCrop) {
    const { x, y, width, height } = spec.lungCrop;
    const pct = (v: number): string => `${Math.round(v * 1000) / 10}%`;
    steps.push(`lung-field crop (x ${pct(x)}-${pct(x + width)}, y ${pct(y)}-${pct(y + height)})`);
  }
  if (spec.cropBorder) steps.push('crop uniform borders');
  if (spec.clahe) steps.push(`CLAHE (tiles ${spec.clahe.tileGridSize}x${spec.clahe.tileGridSize}, clip limit ${spec.clahe.clipLimit})`);
  const how = spec.resizeMode === 'stretch' ? 'stretch' : spec.resizeMode === 'letterbox' ? 'letterbox (pad)' : 'centre crop';
  steps.push(`${how} to ${spec.width}x${spec.height}`);
  steps.push(`${spec.channels} channel${spec.channels === 1 ? '' : 's'}`);
  steps.push(NORMALIZATION_TEXT[spec.normalization]);
  return steps.join(' -> ');
}
