import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PreprocessSpec } from '@cxr/preprocess';
import type { Backbone } from '../backbones/backbone';
import type { BackboneSpec } from '../backbones/openBackbone';
import type { BackendInfo, BackendName } from '../backend/initBackend';
import { FeatureExtractionError } from '../errors';
import type { FeatureProgress } from './extractFeatures';
import { cutKey, hashOrThrow } from './extractFileFeatures';
import { FeatureCache } from './FeatureCache';
import type { FeatureWorkerData, FromWorker, ToWorker } from './featureWorker';

/** Options of {@link createFeaturePool}. */
export interface FeaturePoolOptions {
  /** The backbone each worker loads once (a file path spec, or random weights without `weights`). */
  backbone: BackboneSpec;
  /** Worker threads; default `os.availableParallelism()`. Each runs its own single-threaded tfjs backend. */
  workers?: number;
  /** Backend of each worker; default auto (tfjs-node when installed, else wasm). */
  backend?: BackendName | 'auto';
  /** Images per task sent to a worker (and per forward pass there); default 4. */
  chunkSize?: number;
}

/** Options of `FeaturePool.extract`. */
export interface PoolExtractOptions {
  onProgress?: (progress: FeatureProgress & { cached: number }) => void;
  /** Read hits from and store computed features in this cache (file inputs only). */
  cache?: FeatureCache;
  /** Preprocessing of file inputs; default the backbone's. */
  preprocessing?: PreprocessSpec;
}

/** A pool of worker threads extracting backbone features in parallel. Close it when done. */
export interface FeaturePool {
  readonly workers: number;
  /** Backend the workers use (the first worker's report; all start the same way). */
  readonly backend: BackendInfo;
  /** The backbone as the workers loaded it (without the model, which lives in the workers). */
  readonly backbone: Omit<Backbone, 'model'>;
  /**
   * Features of image files (preprocessed in the workers) or of preprocessed images, in input order.
   * @throws FeatureExtractionError naming the file a worker failed on, or when a worker dies.
   */
  extract(inputs: ReadonlyArray<string | Float32Array>, options?: PoolExtractOptions): Promise<Float32Array[]>;
  /** Stops the workers. */
  close(): Promise<void>;
}

/**
 * How to start the worker. From the built package: `dist/features/featureWorker.js` beside the bundle.
 * From TypeScript sources (jest, tsx), `featureWorker.ts` is run through tsx's require hook with the
 * `@cxr/source` condition, so no build is needed in development. The folder comes from `import.meta.url`
 * (tsup shims it in the CJS build, swc in jest): referencing `__dirname` instead made tsup inject its ESM
 * `__dirname` shim (`import ... from "url"`) into a chunk shared with the browser entry.
 */
function workerEntry(): { filename: string; eval: boolean; execArgv?: string[] } {
  const __dirname = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(__dirname, 'features', 'featureWorker.js'), path.join(__dirname, 'featureWorker.js')];
  for (const file of candidates) if (existsSync(file)) return { filename: file, eval: false };
  const ts = path.join(__dirname, 'featureWorker.ts');
  if (existsSync(ts)) {
    const tsx = createRequire(ts).resolve('tsx/cjs');
    return {
      filename: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(ts)});`,
      eval: true,
      execArgv: ['--conditions=@cxr/source'],
    };
  }
  throw new FeatureExtractionError(`Feature worker not found next to ${__dirname} (looked for ${[...candidates, ts].join(', ')})`);
}

interface Task {
  id: number;
  items: Array<{ index: number; file?: string; data?: Float32Array }>;
  preprocessing: PreprocessSpec | null;
  resolve: (results: Array<{ index: number; data: Float32Array }>) => void;
  reject: (error: Error) => void;
}

/**
 * Starts `workers` worker threads, each with its own tfjs backend and its own copy of the backbone, and
 * resolves once all are ready. Work is handed out in chunks to whichever worker is free; results come back
 * in input order. With a {@link FeatureCache}, only misses are computed.
 *
 * @example
 * const pool = await createFeaturePool({ backbone: { name: 'mobilenet_v1', weights: dir }, workers: 2 });
 * try { const features = await pool.extract(files, { cache }); } finally { await pool.close(); }
 * @throws FeatureExtractionError when a worker cannot start (its error message included).
 */
export async function createFeaturePool(options: FeaturePoolOptions): Promise<FeaturePool> {
  const count = options.workers ?? os.availableParallelism();
  if (!Number.isInteger(count) || count < 1) throw new FeatureExtractionError(`workers must be a positive integer, got ${count}`);
  const chunkSize = options.chunkSize ?? 4;
  // 0 or a fraction would never finish the chunking loop in extract()
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new FeatureExtractionError(`chunkSize must be a positive integer, got ${chunkSize}`);
  const entry = workerEntry();
  const workerData: FeatureWorkerData = { spec: options.backbone, backend: options.backend ?? 'auto' };
  const queue: Task[] = [];
  const busy = new Map<Worker, Task>();
  const idle: Worker[] = [];
  let broken: Error | undefined;
  let closing = false;
  let nextId = 0;

  const pump = () => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop() as Worker;
      const task = queue.shift() as Task;
      busy.set(worker, task);
      const msg: ToWorker = { type: 'task', id: task.id, items: task.items, preprocessing: task.preprocessing };
      worker.postMessage(msg);
    }
  };
  const fail = (error: Error) => {
    broken ??= error;
    for (const task of [...busy.values(), ...queue.splice(0)]) task.reject(error);
    busy.clear();
  };

  const workers: Worker[] = [];
  const ready: Array<Promise<Extract<FromWorker, { type: 'ready' }>>> = [];
  for (let i = 0; i < count; i++) {
    const worker = new Worker(entry.filename, { eval: entry.eval, workerData, execArgv: entry.execArgv });
    workers.push(worker);
    ready.push(
      new Promise((resolve, reject) => {
        let started = false;
        worker.on('message', (msg: FromWorker) => {
          if (msg.type === 'ready') {
            started = true;
            idle.push(worker);
            resolve(msg);
            pump();
          } else if (msg.type === 'error' && msg.id === null) {
            reject(new FeatureExtractionError(`Feature worker ${i} could not start: ${msg.name}: ${msg.message}`));
          } else {
            const task = busy.get(worker);
            busy.delete(worker);
            idle.push(worker);
            if (task) {
              if (msg.type === 'result') task.resolve(msg.results);
              else task.reject(new FeatureExtractionError(msg.message));
            }
            pump();
          }
        });
        const died = (why: string, cause?: unknown) => {
          const error = new FeatureExtractionError(`Feature worker ${i} ${why}`, { cause });
          if (!started) reject(error);
          else if (!closing) fail(error);
        };
        worker.on('error', (e) => died(`failed: ${e.message}`, e));
        worker.on('exit', (code) => died(`exited with code ${code}`));
      }),
    );
  }
  const close = async () => {
    closing = true;
    await Promise.all(workers.map((w) => w.terminate()));
    // an extract() still running would otherwise wait forever for workers that are gone
    const closed = new FeatureExtractionError('The feature pool was closed during extraction');
    for (const task of [...busy.values(), ...queue.splice(0)]) task.reject(closed);
    busy.clear();
  };
  let first: Extract<FromWorker, { type: 'ready' }>;
  try {
    [first] = await Promise.all(ready);
  } catch (error) {
    await close();
    throw error;
  }

  return {
    workers: count,
    backend: first.backend,
    backbone: first.backbone,
    close,
    async extract(inputs, extractOptions = {}) {
      if (broken) throw broken;
      if (closing) throw new FeatureExtractionError('The feature pool is closed');
      const spec = extractOptions.preprocessing ?? first.backbone.preprocessing;
      const out: Float32Array[] = new Array(inputs.length);
      const keys: string[] = [];
      let cached = 0;
      const cache = extractOptions.cache;
      if (cache) {
        for (let i = 0; i < inputs.length; i++) {
          const input = inputs[i];
          if (typeof input !== 'string') continue;
          const imageHash = await hashOrThrow(input);
          keys[i] = FeatureCache.key({ imageHash, backboneName: first.backbone.name, weightsHash: first.backbone.weightsHash, ...cutKey(first.backbone), preprocessing: spec });
          const hit = await cache.get(keys[i]);
          if (hit) {
            out[i] = hit;
            cached++;
          }
        }
      }
      const todo = inputs.map((_, i) => i).filter((i) => out[i] === undefined);
      let done = cached;
      extractOptions.onProgress?.({ done, total: inputs.length, cached });
      const tasks: Array<Promise<void>> = [];
      for (let s = 0; s < todo.length; s += chunkSize) {
        const items = todo.slice(s, s + chunkSize).map((index) => {
          const input = inputs[index];
          return typeof input === 'string' ? { index, file: input } : { index, data: input };
        });
        tasks.push(
          new Promise<Array<{ index: number; data: Float32Array }>>((resolve, reject) => {
            queue.push({ id: nextId++, items, preprocessing: extractOptions.preprocessing ?? null, resolve, reject });
          }).then(async (results) => {
            for (const r of results) {
              out[r.index] = r.data;
              if (cache && keys[r.index]) await cache.put(keys[r.index], r.data);
            }
            done += results.length;
            extractOptions.onProgress?.({ done, total: inputs.length, cached });
          }),
        );
      }
      pump();
      await Promise.all(tasks);
      return out;
    },
  };
}
