/** Which copy of the weights to load: float32 (`model.json`) or float16 (`model-float16.json`, half the bytes). */
export type WeightsVariant = 'float32' | 'float16';

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
      const shards = [];
      for (const group of manifest) {
        for (const p of group.paths ?? []) {
          const shard = new URL(p, json).href;
          if (shard.startsWith(folder)) shards.push(get(shard));
        }
      }
      // Read by tools/bench (web.bench.mjs): when the last weights arrived.
      return Promise.all(shards).then(() => performance.mark('cxr:weights-fetched'));
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
