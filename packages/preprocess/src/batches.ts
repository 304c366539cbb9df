import { resolveInside, UnsafePathError, type ImageRecord } from '@cxr/dataset/node';
import { createRng, hashSeed, shuffleInPlace } from '@cxr/metrics';
import type { AugmentFn } from './augmentation';
import { PreprocessError, UnlistedLabelError } from './errors';
import { preprocessGreyImage } from './preprocessImage';
import { toModelInput } from './preprocessPixels';
import type { PreprocessSpec } from './preprocessSpec';

/** One batch, ready to wrap in tensors: `tf.tensor4d(b.x, b.shape)`, `tf.tensor2d(b.y, [N, labels.length])`. */
export interface Batch<R extends ImageRecord = ImageRecord> {
  /** N x H x W x C floats (NHWC), normalised. */
  x: Float32Array;
  shape: [number, number, number, number];
  /** N x labels.length one-hot floats. */
  y: Float32Array;
  /** The records of the N images, in batch order. */
  meta: R[];
  /** Batch number, from 0. */
  index: number;
}

/** Options of {@link batches}. */
export interface BatchOptions<R extends ImageRecord = ImageRecord> {
  spec: PreprocessSpec;
  /** Label order of the one-hot vector, explicit (never alphabetical by accident): e.g. `['covid', 'normal']`. */
  labels: readonly string[];
  /** Images per batch. Default 8. */
  batchSize?: number;
  /** Shuffle the order with `seed` (and `epoch`). Default false. */
  shuffle?: boolean;
  /** Seed of the shuffle and of the augmentation. Default 0. */
  seed?: number | string;
  /** Epoch number, mixed into the seed so each epoch gets its own order and augmentation. Default 0. */
  epoch?: number;
  /** Training-time augmentation of the grey `H x W` image, before replication and normalisation. */
  augment?: AugmentFn;
  /** Images decoded at once. Default 4. */
  concurrency?: number;
  /** Batches prepared in the background while the consumer works on the current one. Default 2. */
  prefetch?: number;
  /**
   * Folder that record paths are resolved against (the manifest's folder). Default the working directory. Paths come
   * from files (manifest, split) and must stay inside it: an absolute path or one with `..` is `@cxr/dataset`'s
   * `UnsafePathError` (reported through `onError` like an unreadable image).
   */
  baseDir?: string;
  /** sharp's pixel bound per image. */
  limitInputPixels?: number;
  /** `exact` (default, identical to the browser path) or `libvips` (faster); see `preprocessImage`. */
  resampler?: 'exact' | 'libvips';
  /**
   * Called for an image that cannot be read; it is skipped and the batch is smaller. Without it,
   * the first bad image makes the iterator throw.
   */
  onError?: (error: PreprocessError | UnsafePathError, record: R) => void;
}

/** Live counters, for monitoring and for checking that memory stays bounded. */
export interface BatchStats {
  /** Images being decoded right now, and the most at once. */
  decodesInFlight: number;
  peakDecodesInFlight: number;
  /** Images decoding or decoded in batches not yet handed to the consumer, and the most at once. */
  imagesBuffered: number;
  peakImagesBuffered: number;
  /** Batches started and not yet handed out, and the most at once. */
  batchesPending: number;
  peakBatchesPending: number;
  imagesDone: number;
  imagesFailed: number;
}

/** The async iterator returned by {@link batches}, with its live {@link BatchStats}. */
export interface BatchIterator<R extends ImageRecord = ImageRecord> extends AsyncIterableIterator<Batch<R>> {
  readonly stats: BatchStats;
  /** Number of batches the iteration will produce at most (fewer if whole batches fail). */
  readonly batchCount: number;
}

function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/**
 * Streams records as model-ready batches. Images are decoded `concurrency` at a time and at most
 * `prefetch` batches are prepared ahead, so memory is bounded by
 * `(prefetch + 1) x batchSize` model-size images plus `concurrency` full-size decodes, whatever the
 * dataset size. Order, shuffle and augmentation depend only on `seed` and `epoch` (each image gets
 * a generator derived from them and its position), not on decode timing.
 *
 * @example
 * for await (const b of batches(train, { spec, labels: ['covid', 'normal'], shuffle: true, seed: 1, baseDir })) {
 *   const xs = tf.tensor4d(b.x, b.shape); // ...
 * }
 */
export function batches<R extends ImageRecord>(records: readonly R[], options: BatchOptions<R>): BatchIterator<R> {
  const { spec, labels } = options;
  const batchSize = options.batchSize ?? 8;
  const concurrency = options.concurrency ?? 4;
  const prefetch = Math.max(1, options.prefetch ?? 2);
  const seed = options.seed ?? 0;
  const epoch = options.epoch ?? 0;
  const baseDir = options.baseDir ?? process.cwd();
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new PreprocessError(`batches: batchSize ${batchSize} must be a positive integer`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new PreprocessError(`batches: concurrency ${concurrency} must be a positive integer`);
  if (!Array.isArray(labels) || labels.length < 1 || new Set(labels).size !== labels.length) {
    throw new PreprocessError(`batches: labels must be a non-empty list of distinct labels, got ${JSON.stringify(labels)}`);
  }
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  for (const r of records) if (!labelIndex.has(r.label)) throw new UnlistedLabelError(r.label, r.path, labels);

  const order = records.map((_, i) => i);
  if (options.shuffle) shuffleInPlace(order, createRng(hashSeed(seed, epoch, 'shuffle')));
  const batchCount = Math.ceil(order.length / batchSize);
  const hwc = spec.height * spec.width * spec.channels;
  const k = labels.length;
  const run = limiter(concurrency);
  const stats: BatchStats = {
    decodesInFlight: 0,
    peakDecodesInFlight: 0,
    imagesBuffered: 0,
    peakImagesBuffered: 0,
    batchesPending: 0,
    peakBatchesPending: 0,
    imagesDone: 0,
    imagesFailed: 0,
  };
  let closed = false;

  const makeBatch = async (b: number): Promise<Batch<R> | null> => {
    const idx = order.slice(b * batchSize, (b + 1) * batchSize);
    const x = new Float32Array(idx.length * hwc);
    const ok = new Array<boolean>(idx.length).fill(false);
    let firstError: unknown = null;
    await Promise.all(
      idx.map((ri, slot) =>
        run(async () => {
          if (closed || firstError) return;
          const record = records[ri];
          stats.decodesInFlight++;
          stats.imagesBuffered++;
          stats.peakDecodesInFlight = Math.max(stats.peakDecodesInFlight, stats.decodesInFlight);
          stats.peakImagesBuffered = Math.max(stats.peakImagesBuffered, stats.imagesBuffered);
          try {
            const file = resolveInside(baseDir, record.path);
            let { image } = await preprocessGreyImage(file, spec, { limitInputPixels: options.limitInputPixels, resampler: options.resampler });
            if (options.augment) image = options.augment(image, createRng(hashSeed(seed, epoch, 'augment', ri)));
            toModelInput(image, spec, x.subarray(slot * hwc, (slot + 1) * hwc));
            ok[slot] = true;
            stats.imagesDone++;
          } catch (error) {
            stats.imagesFailed++;
            stats.imagesBuffered--;
            if (options.onError && (error instanceof PreprocessError || error instanceof UnsafePathError)) options.onError(error, record);
            else firstError ??= error;
          } finally {
            stats.decodesInFlight--;
          }
        }),
      ),
    );
    if (firstError) {
      stats.imagesBuffered -= ok.filter(Boolean).length;
      throw firstError;
    }
    const n = ok.filter(Boolean).length;
    const meta: R[] = [];
    const y = new Float32Array(n * k);
    let out = 0;
    for (let slot = 0; slot < idx.length; slot++) {
      if (!ok[slot]) continue;
      if (out !== slot) x.copyWithin(out * hwc, slot * hwc, (slot + 1) * hwc);
      const r = records[idx[slot]];
      y[out * k + (labelIndex.get(r.label) ?? 0)] = 1; // labels were checked up front
      meta.push(r);
      out++;
    }
    if (n === 0) return null;
    return { x: n === idx.length ? x : x.slice(0, n * hwc), shape: [n, spec.height, spec.width, spec.channels], y, meta, index: b };
  };

  const pending: { promise: Promise<Batch<R> | null> }[] = [];
  let nextToStart = 0;
  const fill = (): void => {
    while (!closed && nextToStart < batchCount && pending.length < prefetch) {
      const promise = makeBatch(nextToStart++);
      promise.catch(() => undefined); // handled when awaited; avoids an unhandled rejection meanwhile
      pending.push({ promise });
      stats.batchesPending = pending.length;
      stats.peakBatchesPending = Math.max(stats.peakBatchesPending, pending.length);
    }
  };

  const iterator: BatchIterator<R> = {
    stats,
    batchCount,
    async next(): Promise<IteratorResult<Batch<R>>> {
      for (;;) {
        fill();
        const head = pending.shift();
        if (!head) return { value: undefined, done: true };
        stats.batchesPending = pending.length;
        let batch: Batch<R> | null;
        try {
          batch = await head.promise;
        } catch (error) {
          closed = true;
          throw error;
        }
        if (batch) stats.imagesBuffered -= batch.meta.length;
        fill(); // keep `prefetch` batches in preparation while the consumer works
        if (batch) return { value: batch, done: false };
      }
    },
    async return(): Promise<IteratorResult<Batch<R>>> {
      closed = true;
      pending.length = 0;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}
