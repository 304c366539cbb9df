/** Which engine runs the frozen backbone. */
export type FeatureEngineName = 'onnxruntime-node' | 'tfjs';

/** What a {@link FeatureExtractor} runs on. */
export interface FeatureExtractorInfo {
  engine: FeatureEngineName;
  /** Intra-op threads (onnxruntime), or the tfjs backend's threads where known (1 otherwise). */
  threads: number;
  /** The tfjs backend name, for the tfjs engine. */
  backend?: string;
  /** Why the tfjs engine runs although onnxruntime was asked for ('auto'), when it does. */
  fallbackReason?: string;
  /** Whether the ONNX graph came from the on-disk cache ('hit'), was exported now ('miss'), or no cache was used. */
  onnxCache?: 'hit' | 'miss' | 'none';
  /** `int8` when the onnxruntime graph is quantised; `fp32` otherwise (tfjs is always float32). */
  precision?: 'fp32' | 'int8';
}

/**
 * A frozen backbone as a function from a batch of images to features, on either engine, with the same
 * layout: `run(batch, n)` takes `n` images NHWC float32 (`n * h * w * c` values, already normalised as the
 * backbone expects) and resolves to the features NHWC float32 (`n * outputSize` values).
 */
export interface FeatureExtractor {
  readonly info: FeatureExtractorInfo;
  /** Per-image input [height, width, channels]. */
  readonly inputShape: readonly [number, number, number];
  /** Per-image output shape, e.g. [7, 7, 512] or [1024] after global pooling. */
  readonly outputShape: readonly number[];
  run(batch: Float32Array, n: number): Promise<Float32Array>;
  /** Frees the session (or the cut tfjs model's wrapper); the extractor cannot run afterwards. */
  dispose(): Promise<void>;
}
