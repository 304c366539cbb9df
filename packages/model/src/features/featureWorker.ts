/**
 * Worker-thread entry of {@link createFeaturePool}: starts a tfjs backend, loads the backbone once, then
 * preprocesses and runs the image chunks the pool sends, posting features back (buffers transferred).
 * Built to `dist/features/featureWorker.js`; run from source under tsx's require hook in development/tests.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import '../backend/registerWasmBackend';
import type { PreprocessSpec } from '@cxr/preprocess';
import type { Backbone } from '../backbones/backbone';
import { openBackbone, type BackboneSpec } from '../backbones/openBackbone';
import { initBackend, type BackendName } from '../backend/initBackend';
import { extractFeatures } from './extractFeatures';
import { preprocessOrThrow } from './extractFileFeatures';

/** What the pool gives each worker at start. */
export interface FeatureWorkerData {
  spec: BackboneSpec;
  backend: BackendName | 'auto';
}

/** pool -> worker */
export type ToWorker =
  | { type: 'task'; id: number; items: Array<{ index: number; file?: string; data?: Float32Array }>; preprocessing: PreprocessSpec | null }
  | { type: 'close' };

/** worker -> pool */
export type FromWorker =
  | { type: 'ready'; backend: Awaited<ReturnType<typeof initBackend>>; backbone: Omit<Backbone, 'model'> }
  | { type: 'result'; id: number; results: Array<{ index: number; data: Float32Array }> }
  | { type: 'error'; id: number | null; name: string; message: string };

async function main(): Promise<void> {
  const port = parentPort;
  if (isMainThread || !port) return;
  const { spec, backend } = workerData as FeatureWorkerData;
  let backbone: Backbone;
  try {
    const info = await initBackend({ backend });
    backbone = await openBackbone(spec);
    const { model: _model, ...rest } = backbone;
    port.postMessage({ type: 'ready', backend: info, backbone: rest } satisfies FromWorker);
  } catch (error) {
    const e = error as Error;
    port.postMessage({ type: 'error', id: null, name: e.name, message: e.message } satisfies FromWorker);
    return;
  }
  port.on('message', async (msg: ToWorker) => {
    if (msg.type === 'close') {
      backbone.model.dispose();
      port.close();
      return;
    }
    try {
      const spec = msg.preprocessing ?? backbone.preprocessing;
      const images = await Promise.all(msg.items.map((it) => (it.data ? it.data : preprocessOrThrow(it.file as string, spec))));
      const features = await extractFeatures(backbone, images, { batchSize: images.length });
      const results = msg.items.map((it, i) => ({ index: it.index, data: features[i] }));
      port.postMessage({ type: 'result', id: msg.id, results } satisfies FromWorker, results.map((r) => r.data.buffer as ArrayBuffer));
    } catch (error) {
      const e = error as Error;
      port.postMessage({ type: 'error', id: msg.id, name: e.name, message: e.message } satisfies FromWorker);
    }
  });
}

void main();
