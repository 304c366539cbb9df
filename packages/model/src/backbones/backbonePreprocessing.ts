import { DEFAULT_PREPROCESS_SPEC, type NormalizationPreset, type PreprocessSpec } from '@cxr/preprocess';
import { BackboneConfigError } from '../errors';
import type { BackboneName } from './backbone';

/** The normalisation each backbone's ImageNet weights were trained with. */
export const BACKBONE_NORMALIZATION: Readonly<Record<BackboneName, NormalizationPreset>> = Object.freeze({
  vgg16: 'vgg16-caffe',
  mobilenet_v1: 'mobilenet',
});

/** Normalisations each backbone accepts. VGG16 also takes `unit` ([0, 1]): the tutorial notebook fed it so. */
const ALLOWED: Readonly<Record<BackboneName, readonly NormalizationPreset[]>> = {
  vgg16: ['vgg16-caffe', 'unit'],
  mobilenet_v1: ['mobilenet'],
};

/**
 * The preprocessing spec of a backbone: {@link DEFAULT_PREPROCESS_SPEC} with the backbone's input size and
 * normalisation (`vgg16-caffe` for VGG16 unless `unit` is asked, `mobilenet` for MobileNet v1).
 * @throws BackboneConfigError for a normalisation the backbone's weights do not fit.
 */
export function backbonePreprocessing(
  name: BackboneName,
  options: { inputShape?: [number, number, number]; normalization?: NormalizationPreset } = {},
): PreprocessSpec {
  const normalization = options.normalization ?? BACKBONE_NORMALIZATION[name];
  if (!ALLOWED[name].includes(normalization)) {
    throw new BackboneConfigError(
      `Normalization '${normalization}' does not fit ${name}; use ${ALLOWED[name].join(' or ')}`,
    );
  }
  const [height, width, channels] = options.inputShape ?? [224, 224, 3];
  if (channels !== 1 && channels !== 3) {
    throw new BackboneConfigError(`${name} input must have 1 or 3 channels, got ${channels}`);
  }
  return Object.freeze({ ...DEFAULT_PREPROCESS_SPEC, height, width, channels, normalization }) as PreprocessSpec;
}
