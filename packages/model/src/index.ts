export const PACKAGE_NAME = '@cxr/model';

export {
  ModelError,
  WeightsFormatError,
  MissingWeightsError,
  WeightShapeError,
  BackboneConfigError,
  DownloadError,
  ChecksumError,
  BackendError,
  FeatureExtractionError,
} from './errors';
