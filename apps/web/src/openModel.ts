import { loadModelFromUrl, ModelError, type CxrModel } from '@cxr/model';
import { bodyResponse } from './bodyResponse';
import { ModelSourceError } from './errors';

import type { WeightsVariant } from './prefetchModel';

export type { WeightsVariant } from './prefetchModel';

/** A model ready to predict, and where it came from. */
export interface OpenedModel {
  cxr: CxrModel;
  /** e.g. "/model/" or "my-model (local folder)". */
  source: string;
  variant: WeightsVariant;
  /** Bytes of model.json and its weight shards as fetched. */
  bytes: number;
}

/** A fetch that counts the bytes of the bodies read through it (without copying them). */
function countingFetch(inner: typeof fetch, counter: { bytes: number }): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    return bodyResponse(response, async () => {
      const body = await response.arrayBuffer();
      counter.bytes += body.byteLength;
      return body;
    });
  };
}

/**
 * Loads the model the server mounts at `url` (`cxr.json`, `model.json` and shards). `variant: 'auto'`
 * takes float16 weights when the folder has them; the default is float32. Returns null when there is no model at `url`
 * (the page then asks for a folder). `fetchImpl` serves the files (e.g. {@link prefetchModel}'s).
 */
export async function openServedModel(
  url: string,
  variant: WeightsVariant | 'auto' = 'float32',
  fetchImpl: typeof fetch = fetch.bind(globalThis),
): Promise<OpenedModel | null> {
  const base = url.endsWith('/') ? url : `${url}/`;
  // A GET through fetchImpl: a prefetching fetch answers it from the download already under way, where a HEAD
  // would be one more round trip to the server.
  const probe = await fetchImpl(`${base}cxr.json`);
  if (probe.status === 404) return null;
  let chosen: WeightsVariant = variant === 'auto' ? 'float32' : variant;
  if (variant === 'auto') {
    const half = await fetch(`${base}model-float16.json`, { method: 'HEAD' });
    if (half.ok) chosen = 'float16';
  }
  const counter = { bytes: 0 };
  try {
    const cxr = await loadModelFromUrl(base, { variant: chosen, fetch: countingFetch(fetchImpl, counter) });
    return { cxr, source: base, variant: chosen, bytes: counter.bytes };
  } catch (error) {
    if (error instanceof ModelError) throw new ModelSourceError(`The model at ${base} cannot be loaded: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Loads a model folder the user picked (`<input webkitdirectory>` or several files): `cxr.json`, `model.json`
 * (or `model-float16.json`) and the shards, read from disk by the browser, never uploaded.
 */
export async function openLocalModel(files: readonly File[]): Promise<OpenedModel> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const folder = files[0]?.webkitRelativePath?.split('/')[0] || 'chosen files';
  for (const required of ['cxr.json']) {
    if (!byName.has(required)) {
      throw new ModelSourceError(`${folder} is not a cxr model folder: no ${required} (choose the folder saveModel or cxr train wrote)`);
    }
  }
  const variant: WeightsVariant = byName.has('model.json') ? 'float32' : 'float16';
  if (!byName.has(variant === 'float32' ? 'model.json' : 'model-float16.json')) {
    throw new ModelSourceError(`${folder} has cxr.json but no model.json or model-float16.json`);
  }
  const counter = { bytes: 0 };
  const localFetch: typeof fetch = async (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const name = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
    const file = byName.get(name);
    if (!file) return new Response(`${name} is not in ${folder}`, { status: 404, statusText: 'Not Found' });
    return new Response(file);
  };
  try {
    const cxr = await loadModelFromUrl('local/', { variant, fetch: countingFetch(localFetch, counter) });
    return { cxr, source: `${folder} (local folder)`, variant, bytes: counter.bytes };
  } catch (error) {
    if (error instanceof ModelError) throw new ModelSourceError(`The model in ${folder} cannot be loaded: ${error.message}`, { cause: error });
    throw error;
  }
}
