export {
  DatasetError,
  DicomParseError,
  UnsupportedTransferSyntaxError,
  MissingPixelDataError,
  DicomDecodeError,
  MetadataSchemaError,
  UnsafePathError,
  DatasetConfigError,
  ImageConversionError,
  JpegFrameSizeError,
  DatasetFolderError,
  SplitFileError,
  ConfoundedDesignError,
  CsvFormatError,
  SplitOptionsError,
  PatientLeakError,
  RecipeError,
} from './errors';

// JPEG frame size against its image data (browser-safe: bytes in)
export { checkJpegFrameSize } from './image/checkJpegFrameSize';

// DICOM reading and decoding (browser-safe: Uint8Array in, grey pixels out)
export { decodeDicom, DEFAULT_MAX_PIXELS } from './dicom/decodeDicom';
export type { DecodeDicomOptions, DicomImage, AppliedVoi } from './dicom/decodeDicom';
export { readDicomHeader } from './dicom/readDicomHeader';
export type { DicomHeader, ReadDicomHeaderOptions } from './dicom/readDicomHeader';
export { parseDicomAge } from './dicom/parseDicomAge';
export { transferSyntax } from './dicom/transferSyntax';
export type { TransferSyntaxInfo, PixelEncoding } from './dicom/transferSyntax';
export { voiWindowValue, minMaxWindow } from './dicom/voiLut';
export type { VoiLutFunction, VoiWindow } from './dicom/voiLut';
export type { LocateWasm } from './dicom/decodeCompressedFrame';

// Metadata records, filters and counts (browser-safe)
export { SOURCE_KINDS, SOURCE_LAYOUTS } from './metadata/sourceRecord';
export type { SourceKind, SourceRecord, SourceIssue, ReaderOptions, Sex } from './metadata/sourceRecord';
export { findingLabels, matchesFinding } from './metadata/matchesFinding';
export { normalizeSex, normalizeModality, parseAgeYears } from './metadata/normalizeFields';
export { createRecordFilter, RECORD_FILTER_STEPS } from './metadata/recordFilter';
export type { RecordFilter, CountingFilter, FilterStepCount } from './metadata/recordFilter';
export { createRecordCounter, ageBand, AGE_BANDS } from './metadata/countRecords';
export type { RecordCounts, RecordCounter } from './metadata/countRecords';

// Build recipe and manifest.csv writing (browser-safe; reading is in ./node: csv-parse needs Node's Buffer)
export { DEFAULT_RECIPE, recipeClasses } from './build/defaultRecipe';
export type { ClassRule, RecipeClasses } from './build/defaultRecipe';
export { parseRecipe, describeRecipe, formatRecipes } from './recipe/recipe';
export type { Recipe } from './recipe/recipe';
export { BUILT_IN_RECIPES, builtInRecipe } from './recipe/builtInRecipes';
export { MANIFEST_COLUMNS, formatManifest, formatManifestRow } from './build/manifestRecord';
export type { ManifestRecord } from './build/manifestRecord';
export { formatCsvField } from './csv/formatCsvField';

// Data-design audit: is a class confounded with its sources? (browser-safe)
export { auditDataDesign, formatDataDesignAudit, confoundedMessage, assertNotConfounded, CONFOUNDED_SHARE } from './audit/auditDataDesign';
export type { DataDesignAudit, ClassSourceAudit } from './audit/auditDataDesign';

// Patient-level splits and split.csv writing (browser-safe; reading and writing files is in ./node)
export { SPLIT_NAMES, splitByPatient } from './split/splitByPatient';
export type { ImageRecord, SplitAssignment, SplitName, SplitOptions } from './split/splitByPatient';
export { validateSplit } from './split/validateSplit';
export { splitReport } from './split/splitReport';
export type { SplitCounts, SplitReport } from './split/splitReport';
export { formatSplitCsv, SPLIT_CSV_COLUMNS } from './split/splitCsv';
