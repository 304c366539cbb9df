import { loadModelFromUrl, ModelError, type CxrModel } from '@cxr/model';
import { ModelSourceError } from './errors';

/** Which copy of the weights to load: float32 (`model.json`) or float16 (`model-float16.json`, half the bytes). */
export type WeightsVariant = 'float32' | 'float16';

/** A model ready to predict, and where it came from. */
export interface OpenedModel {
  cxr: CxrModel;
  /** e.g. "/model/" or "my-model (local folder)". */
  source: string;
  variant: WeightsVariant;
  /** Bytes of model.json and its weight shards as fetched. */
  bytes: number;
}

/** A fetch that counts the bytes of the bodies it returns. */
function countingFetch(inner: typeof fetch, counter: { bytes: number }): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const body = await response.arrayBuffer();
    counter.bytes += body.byteLength;
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * Starts downloading a served model's files now (`cxr.json`, the weights JSON and its shards), so that the
 * download overlaps the backend's start-up, and returns a fetch that answers those URLs from the download (any
 * other URL, or a method other than GET, from the network). Failures are left to the real load, which reports
 * them. Shards outside the model folder are not fetched (the load refuses them).
 */
export function prefetchModel(url: string, variant: WeightsVariant): typeof fetch {
  const base = url.endsWith('/') ? url : `${url}/`;
  const absolute = (u: string) => new URL(u, location.href).href;
  const folder = absolute(base);
  const cache = new Map<string, Promise<{ body: ArrayBuffer; init: ResponseInit }>>();
  const get = (u: string) => {
    const key = absolute(u);
    let hit = cache.get(key);
    if (!hit) {
      hit = fetch(key).then(async (r) => ({ body: await r.arrayBuffer(), init: { status: r.status, statusText: r.statusText, headers: r.headers } }));
      hit.catch(() => undefined); // reported by the real load
      cache.set(key, hit);
    }
    return hit;
  };
  const json = absolute(`${base}${variant === 'float16' ? 'model-float16.json' : 'model.json'}`);
  // The weights only where cxr.json is there: no request for a model folder that does not exist.
  void get(`${base}cxr.json`)
    .then(({ init }) => (init.status === 200 ? get(json) : null))
    .then((r) => {
      if (!r || r.init.status !== 200) return;
      const { body } = r;
      const manifest = (JSON.parse(new TextDecoder().decode(body)) as { weightsManifest?: { paths?: string[] }[] }).weightsManifest ?? [];
      for (const group of manifest) {
        for (const p of group.paths ?? []) {
          const shard = new URL(p, json).href;
          if (shard.startsWith(folder)) void get(shard);
        }
      }
    })
    .catch(() => undefined);
  return async (input, init) => {
    const u = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const hit = (init?.method ?? 'GET') === 'GET' ? cache.get(absolute(u)) : undefined;
    if (!hit) return fetch(input, init);
    const { body, init: responseInit } = await hit;
    return new Response(body, responseInit);
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
  const probe = await fetch(`${base}cxr.json`, { method: 'HEAD' });
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
