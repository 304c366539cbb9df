/**
 * The Node entry (`@cxr/model/node`): everything of the browser-safe entry (`@cxr/model`, re-exported whole so
 * the two lists cannot drift apart), plus what needs Node (files, h5wasm, worker threads, downloads, onnxruntime).
 */
export * from './index';

// Backbones, weights, backends (Node-only: fs, h5wasm/node, optional tfjs-node)
export { loadBackbone } from './backbones/loadBackbone';
export type { LoadBackboneOptions } from './backbones/loadBackbone';
export { readKerasH5Weights } from './weights/readKerasH5Weights';
export type { KerasH5Layout, KerasH5Weights } from './weights/readKerasH5Weights';
export { loadLayersModelFromDir, fileSystemLoader, layersModelFiles } from './weights/loadLayersModelFromDir';
export { sha256File, sha256Files } from './weights/hashFiles';
export { initBackend, defaultBackendLoader, BACKEND_PREFERENCE } from './backend/initBackend';
export type { BackendInfo, BackendLoader, BackendName, InitBackendOptions } from './backend/initBackend';
export { fetchWeights } from './weights/fetchWeights';
export type { FetchWeightsOptions, FetchedWeights } from './weights/fetchWeights';
export { downloadFile, hashFile } from './weights/downloadFile';
export type { DownloadFileOptions, DownloadProgress, DownloadResult } from './weights/downloadFile';
export { OFFICIAL_WEIGHTS } from './weights/officialWeights';
export type { OfficialWeights } from './weights/officialWeights';

// ONNX export and the onnxruntime-node engine for frozen backbones
export { createOnnxExtractor } from './onnx/createOnnxExtractor';
export type { OnnxExtractorOptions } from './onnx/createOnnxExtractor';
export { createFeatureExtractor } from './onnx/createFeatureExtractor';
export type { CreateFeatureExtractorOptions, FeatureEngineChoice } from './onnx/createFeatureExtractor';
export { getOrExportOnnx, onnxCacheFileName } from './onnx/getOrExportOnnx';
export type { GetOrExportOnnxOptions, OnnxCacheEntry } from './onnx/getOrExportOnnx';
export { hashModelWeights } from './onnx/hashModelWeights';
export { isOnnxRuntimeAvailable, loadOnnxRuntime, defaultOnnxRuntimeLoader } from './onnx/loadOnnxRuntime';
export type { OnnxRuntimeLoader, OnnxRuntimeModule, OnnxRuntimeSession } from './onnx/loadOnnxRuntime';
export { openBackbone } from './backbones/openBackbone';
export type { BackboneSpec } from './backbones/openBackbone';
export { extractFileFeatures } from './features/extractFileFeatures';
export type { ExtractFileFeaturesOptions } from './features/extractFileFeatures';
export { FeatureCache } from './features/FeatureCache';
export type { FeatureCacheStats, FeatureKeyParts } from './features/FeatureCache';
export { createFeaturePool } from './features/createFeaturePool';
export type { FeaturePool, FeaturePoolOptions, PoolExtractOptions } from './features/createFeaturePool';

// Head, training, saving/loading, prediction, Grad-CAM
export { saveModel } from './io/saveModel';
export type { SaveModelOptions, SaveModelResult } from './io/saveModel';
export { loadModel, readModelConfig } from './io/loadModel';
export type { LoadModelOptions } from './io/loadModel';
export { saveCheckpoint, loadCheckpoint } from './io/saveCheckpoint';
export { predictFiles } from './predict/predictFiles';
export type { FilePrediction } from './predict/predictFiles';
export { writeOverlayPng } from './explain/writeOverlayPng';

// Shortcut probe
