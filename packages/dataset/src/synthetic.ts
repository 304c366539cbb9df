// Synthetic entry of @cxr/dataset (Node: sharp, file system): test and demo data in the real source formats.
// It lives here, beside the readers it imitates, so that a user's project (and tools/consumer) can build the
// synthetic dataset through the public API; it is NOT clinical data and carries no disease signal of a real scan.
export { makeSyntheticDataset, syntheticBuildSources, COVID_CHESTXRAY_COLUMNS, NIH_HEADER } from './synthetic/syntheticDataset';
export type { SyntheticDataset, SyntheticDatasetCounts, SyntheticDatasetOptions } from './synthetic/syntheticDataset';
export { renderSyntheticChestXray } from './synthetic/syntheticChestXray';
export type { SyntheticChestXrayOptions } from './synthetic/syntheticChestXray';
export { encodeDicom, uidFromName, EXPLICIT_VR_LITTLE_ENDIAN, CR_IMAGE_STORAGE } from './synthetic/encodeDicom';
export type { DicomImageOptions } from './synthetic/encodeDicom';
export { makeShortcutDataset, SHORTCUT_DATASET_COUNTS } from './synthetic/makeShortcutDataset';
export type { ShortcutDatasetOptions } from './synthetic/makeShortcutDataset';
