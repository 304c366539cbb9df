/// <reference lib="webworker" />
// The model's files, downloaded off the page's main thread. A body read into an ArrayBuffer is handled chunk by
// chunk on the thread that reads it: for the 8.7 MB of a MobileNet's weights that was about 0.4 s of the main
// thread's page load (Chromium trace: SimpleWatcher::OnHandleReady, ResponseBodyLoader::DidFinishLoadingBody), time
// the page's own code needs. Each file is posted to the page as it arrives, its buffer transferred, not copied.
import { shardUrls, type FetchedFile, type ModelFetchMessage, type ModelFetchRequest } from './modelFetchProtocol';

declare const self: DedicatedWorkerGlobalScope;

const post = (message: ModelFetchMessage, transfer: Transferable[] = []) => self.postMessage(message, transfer);

/** Fetches `url` and posts it; `before` sees a 200 body before the buffer is handed over. */
async function send(url: string, before?: (body: ArrayBuffer) => void): Promise<FetchedFile> {
  let file: FetchedFile;
  try {
    const r = await fetch(url);
    const body = await r.arrayBuffer();
    if (r.status === 200) before?.(body);
    file = { url, status: r.status, statusText: r.statusText, headers: [...r.headers], body };
  } catch (error) {
    file = { url, error: error instanceof Error ? error.message : String(error) };
  }
  post(file, file.error === undefined ? [file.body] : []);
  return file;
}

self.onmessage = async ({ data }: MessageEvent<ModelFetchRequest>) => {
  // The weights only where cxr.json is there: no request for a model folder that does not exist.
  const config = await send(data.config);
  if (config.error === undefined && config.status === 200) {
    let shards: string[] = [];
    await send(data.json, (body) => {
      shards = shardUrls(new TextDecoder().decode(body), data.json, data.folder);
      // Before model.json itself: the page then knows these are coming when its load asks for them.
      post({ coming: shards });
    });
    await Promise.all(shards.map((u) => send(u)));
  }
  post({ done: true, at: performance.timeOrigin + performance.now() });
};
