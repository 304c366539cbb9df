export const PACKAGE_NAME = '@cxr/dataset';

export {
  DatasetError,
  DicomParseError,
  UnsupportedTransferSyntaxError,
  MissingPixelDataError,
  DicomDecodeError,
} from './errors';
