import { bodyResponse } from './bodyResponse';
import type { FetchedFile, ModelFetchMessage, ModelFetchRequest } from './modelFetchProtocol';

/** Which copy of the weights to load: float32 (`model.json`) or float16 (`model-float16.json`, half the bytes). */
export type WeightsVariant = 'float32' | 'float16';

/**
 * Starts downloading a served model's files now (`cxr.json`, then the weights JSON and its shards), in a worker, so
 * that the download overlaps the backend's start-up and the loading of the page's code and costs the main thread
 * nothing, and returns a fetch that answers those URLs from the download. A shard is answered once, its buffer
 * handed over (not copied) and then let go; `cxr.json` and the weights JSON, read more than once, with copies after
 * the first. Any other URL or method, and a file the worker could not read, go to the network, where the real
 * load reports any failure. Shards outside the model folder are not fetched (the load refuses them). Where no
 * worker starts, everything goes to the network.
 */
export function prefetchModel(url: string, variant: WeightsVariant): typeof fetch {
  const base = url.endsWith('/') ? url : `${url}/`;
  const absolute = (u: string) => new URL(u, location.href).href;
  const request: ModelFetchRequest = {
    config: absolute(`${base}cxr.json`),
    json: absolute(`${base}${variant === 'float16' ? 'model-float16.json' : 'model.json'}`),
    folder: absolute(base),
  };
  const arrived = new Map<string, Promise<FetchedFile | null>>();
  const waiting = new Map<string, (file: FetchedFile | null) => void>();
  const answered = new Set<string>();
  const expect = (u: string) => {
    if (!arrived.has(u)) arrived.set(u, new Promise((resolve) => waiting.set(u, resolve)));
  };
  const settle = (u: string, file: FetchedFile | null) => {
    const resolve = waiting.get(u);
    waiting.delete(u);
    if (resolve) resolve(file);
    else if (!arrived.has(u) && !answered.has(u)) arrived.set(u, Promise.resolve(file));
  };
  const settleAll = () => {
    for (const u of [...waiting.keys()]) settle(u, null);
  };
  expect(request.config);
  expect(request.json);
  let worker: Worker;
  try {
    worker = new Worker(new URL('./modelFetchWorker.ts', import.meta.url), { type: 'module' });
  } catch {
    settleAll();
    return fetch.bind(globalThis);
  }
  worker.onmessage = ({ data }: MessageEvent<ModelFetchMessage>) => {
    if ('coming' in data) {
      data.coming.forEach(expect);
    } else if ('done' in data) {
      // Read by tools/bench (web.bench.mjs): when the last file arrived (in the worker, not when this thread got to it).
      performance.mark('cxr:weights-fetched', { startTime: data.at - performance.timeOrigin });
      settleAll();
      worker.terminate();
    } else {
      settle(data.url, data);
    }
  };
  worker.onerror = () => {
    settleAll();
    worker.terminate();
  };
  worker.postMessage(request);
  return async (input, init) => {
    const u = absolute(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const hit = (init?.method ?? 'GET') === 'GET' ? arrived.get(u) : undefined;
    if (!hit) return fetch(input, init);
    const small = u === request.config || u === request.json;
    if (!small) arrived.delete(u);
    const file = await hit;
    if (!file || file.error !== undefined) return fetch(input, init);
    const copy = answered.has(u);
    answered.add(u);
    const { body } = file;
    return bodyResponse(
      { ok: file.status >= 200 && file.status < 300, status: file.status, statusText: file.statusText, headers: new Headers(file.headers), url: file.url },
      async () => (copy ? body.slice(0) : body),
    );
  };
}
