// Node entry of @cxr/dataset: everything of the browser entry, named (the same list as src/index.ts, checked by
// tools/api-names), plus file system, sharp, csv-parse and write-file-atomic.
// Why the names are repeated rather than `export * from './index'`: Node's ESM loader cannot see the names of a CJS
// `export *` (tsx runs these sources as CJS), so `import { x } from '@cxr/dataset/node'` failed for them under tsx.
export {
  AGE_BANDS,
  BUILT_IN_RECIPES,
  builtInRecipe,
  describeRecipe,
  parseRecipe,
  RecipeError,
  SOURCE_LAYOUTS,
  ageBand,
  assertNotConfounded,
  auditDataDesign,
  CONFOUNDED_SHARE,
  ConfoundedDesignError,
  confoundedMessage,
  createRecordCounter,
  createRecordFilter,
  CsvFormatError,
  DatasetConfigError,
  DatasetError,
  DatasetFolderError,
  decodeDicom,
  DEFAULT_MAX_PIXELS,
  DEFAULT_RECIPE,
  DicomDecodeError,
  DicomParseError,
  findingLabels,
  formatCsvField,
  formatDataDesignAudit,
  formatManifest,
  formatManifestRow,
  formatRecipes,
  formatSplitCsv,
  ImageConversionError,
  JpegFrameSizeError,
  checkJpegFrameSize,
  MANIFEST_COLUMNS,
  matchesFinding,
  MetadataSchemaError,
  minMaxWindow,
  MissingPixelDataError,
  normalizeModality,
  normalizeSex,
  parseAgeYears,
  parseDicomAge,
  PatientLeakError,
  readDicomHeader,
  recipeClasses,
  RECORD_FILTER_STEPS,
  SOURCE_KINDS,
  SPLIT_CSV_COLUMNS,
  SPLIT_NAMES,
  splitByPatient,
  SplitFileError,
  SplitOptionsError,
  splitReport,
  transferSyntax,
  UnsafePathError,
  UnsupportedTransferSyntaxError,
  validateSplit,
  voiWindowValue,
} from './index';
export type {
  AppliedVoi,
  ClassRule,
  ClassSourceAudit,
  CountingFilter,
  DataDesignAudit,
  DecodeDicomOptions,
  DicomHeader,
  DicomImage,
  FilterStepCount,
  ImageRecord,
  LocateWasm,
  ManifestRecord,
  PixelEncoding,
  ReadDicomHeaderOptions,
  ReaderOptions,
  RecipeClasses,
  RecordCounter,
  RecordCounts,
  RecordFilter,
  Sex,
  SourceIssue,
  SourceKind,
  SourceRecord,
  SplitAssignment,
  SplitCounts,
  SplitName,
  SplitOptions,
  SplitReport,
  TransferSyntaxInfo,
  VoiLutFunction,
  VoiWindow,
} from './index';

// DICOM to PNG (Node: file system and sharp)
export { convertDicomToPng, encodeDicomPng, readDicomFile } from './dicom/convertDicomToPng';
export type { ConvertDicomOptions, ConvertedDicom } from './dicom/convertDicomToPng';
export { convertDicomFiles } from './dicom/convertDicomFiles';
export type { ConvertDicomFilesResult, FailedDicom, DicomConvertProgress } from './dicom/convertDicomFiles';

// Metadata readers (Node: streamed files)
export { readCovidChestXray, COVID_CHESTXRAY_REQUIRED_COLUMNS } from './metadata/readCovidChestXray';
export type { CovidChestXrayOptions } from './metadata/readCovidChestXray';
export { readNihCxr14, nihHeaderColumns, NIH_CXR14_REQUIRED_COLUMNS } from './metadata/readNihCxr14';
export type { NihCxr14Options } from './metadata/readNihCxr14';
export { readRsnaPneumonia } from './metadata/readRsnaPneumonia';
export type { RsnaPneumoniaOptions, RsnaDicomHeader } from './metadata/readRsnaPneumonia';
export { readClassFolders, CLASS_FOLDER_EXTENSIONS } from './metadata/readClassFolders';
export { readCovidx, COVIDX_FINDINGS } from './metadata/readCovidx';
export type { CovidxOptions } from './metadata/readCovidx';
export { readCheXpert, CHEXPERT_OBSERVATIONS, CHEXPERT_REQUIRED_COLUMNS, UNCERTAIN_POLICIES } from './metadata/readCheXpert';
export type { CheXpertOptions, UncertainPolicy } from './metadata/readCheXpert';
export { openSource, parseSourceSpec } from './metadata/openSource';
export type { SourceSpec, OpenSourceOptions } from './metadata/openSource';
export { realPathInside, resolveInside } from './metadata/resolveInside';
export { readCsvRecords } from './metadata/readCsvRecords';
export type { CsvRecord, ReadCsvOptions } from './metadata/readCsvRecords';
export { sourceStats } from './metadata/sourceStats';
export { formatSourceStats } from './metadata/formatSourceStats';
export type { SourceStats, SourceStatsOptions } from './metadata/sourceStats';

// Dataset builds (Node: sharp, file system)
export { buildDataset, BUILD_FILES, SHARD_ORDER_COLUMNS, shardFiles, readShardPart } from './build/buildDataset';
export { auditBuild, formatBuildSummary } from './build/formatBuildSummary';
export { mergeDatasets } from './build/mergeDatasets';
export type { MergeDatasetsOptions } from './build/mergeDatasets';
export { parseShard, shardFromEnv, shardOfPatient, shardRecords, checkShard, SHARD_ENV } from './build/shard';
export type { Shard } from './build/shard';
export { loadRecipe } from './recipe/loadRecipe';
export type {
  DuplicateImage,
  BuildConfig,
  BuildProgress,
  BuildSummary,
  ClassCounts,
  SourceSummary,
  SkipReason,
  SkippedItem,
  OrderedRecord,
} from './build/buildDataset';
export { parseManifest, readManifest, resolveManifestPath } from './build/readManifest';
export { describeSharpError } from './image/describeSharpError';
export { convertImageToPng, DEFAULT_MAX_INPUT_PIXELS, PNG_COMPRESSION_LEVEL } from './build/convertImageToPng';
export type { ConvertImageOptions, ConvertedImage } from './build/convertImageToPng';

// Datasets for training and evaluation (Node: file system): a build or class folders, and its patient-level split
export { loadDataset, readBuildClasses } from './load/loadDataset';
export type { DatasetImage, LoadedDataset } from './load/loadDataset';
export { resolveSplit, DEFAULT_SPLIT_FRACTIONS } from './load/resolveSplit';
export type { DatasetSplit, ResolveSplitOptions } from './load/resolveSplit';

// CSV reading with csv-parse, split files, file hashes (Node)
export { parseCsv, parseCsvRecords } from './csv/parseCsv';
export { parseSplitCsv, readSplitFile, writeSplitFile } from './split/splitFile';
export { sha256File, sha256Files } from './hash/sha256File';
