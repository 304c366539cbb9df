/** What the page asks the model-fetch worker (modelFetchWorker.ts): the model's files, by absolute URL. */
export interface ModelFetchRequest {
  /** `<folder>cxr.json`. */
  config: string;
  /** `<folder>model.json` or `model-float16.json`. */
  json: string;
  /** The model folder: shards outside it are not fetched (the load refuses them). */
  folder: string;
}

/** One file as the worker read it (its body transferred), or why it could not be read. */
export type FetchedFile =
  | { url: string; status: number; statusText: string; headers: [string, string][]; body: ArrayBuffer; error?: undefined }
  | { url: string; error: string };

/** The worker's messages: a file, the shard URLs it is about to fetch, or that it is done. */
export type ModelFetchMessage =
  | FetchedFile
  | { coming: string[] }
  /** `at`: when the last file arrived, in ms since the Unix epoch (`performance.timeOrigin + performance.now()`). */
  | { done: true; at: number };

/** The shard URLs a weights manifest (model.json's text) names inside `folder`. Malformed JSON: none. */
export function shardUrls(jsonText: string, jsonUrl: string, folder: string): string[] {
  let manifest: { paths?: unknown }[] = [];
  try {
    const parsed = JSON.parse(jsonText) as { weightsManifest?: unknown };
    if (Array.isArray(parsed.weightsManifest)) manifest = parsed.weightsManifest as { paths?: unknown }[];
  } catch {
    return []; // the real load reports it
  }
  const urls: string[] = [];
  for (const group of manifest) {
    for (const p of Array.isArray(group?.paths) ? group.paths : []) {
      if (typeof p !== 'string') continue;
      const shard = new URL(p, jsonUrl).href;
      if (shard.startsWith(folder)) urls.push(shard);
    }
  }
  return urls;
}
