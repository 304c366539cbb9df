export { PACKAGE_NAME } from './index';

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
export { openSource, parseSourceSpec } from './metadata/openSource';
export type { SourceSpec, OpenSourceOptions } from './metadata/openSource';
export { resolveInside } from './metadata/resolveInside';
export { readCsvRecords } from './metadata/readCsvRecords';
export type { CsvRecord, ReadCsvOptions } from './metadata/readCsvRecords';
export { sourceStats } from './metadata/sourceStats';
export type { SourceStats, SourceStatsOptions } from './metadata/sourceStats';

// Dataset builds (Node: sharp, file system)
export { buildDataset, BUILD_FILES } from './build/buildDataset';
export type {
  BuildConfig,
  BuildProgress,
  BuildSummary,
  ClassCounts,
  SourceSummary,
  SkipReason,
  SkippedItem,
} from './build/buildDataset';
export { readManifest, resolveManifestPath } from './build/readManifest';
export { convertImageToPng, DEFAULT_MAX_INPUT_PIXELS } from './build/convertImageToPng';
export type { ConvertImageOptions, ConvertedImage } from './build/convertImageToPng';
export { writeFileAtomic } from './build/writeFileAtomic';

// Datasets for training and evaluation (Node: file system): a build or class folders, and its patient-level split
export { loadDataset, readBuildClasses } from './load/loadDataset';
export type { DatasetImage, LoadedDataset } from './load/loadDataset';
export { resolveSplit, DEFAULT_SPLIT_FRACTIONS } from './load/resolveSplit';
export type { DatasetSplit, ResolveSplitOptions } from './load/resolveSplit';
