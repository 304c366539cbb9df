/** What the model loader reads of a response (the same fields a `fetch` Response has). */
type ResponseFields = Pick<Response, 'ok' | 'status' | 'statusText' | 'headers' | 'url'>;

/**
 * A response whose body is read by `read` (once, as a real Response's is), without the copies `new Response(buffer)`
 * makes: for 8.7 MB of weights, wrapping a buffer in a Response and reading it back cost the page's main thread
 * 0.1-0.2 s each time (Chromium CPU profile of the page load). `text()` and `json()` decode what `read` returns.
 */
export function bodyResponse(fields: ResponseFields & Partial<Pick<Response, 'body'>>, read: () => Promise<ArrayBuffer>): Response {
  let used = false;
  const take = () => {
    if (used) return Promise.reject(new TypeError(`${fields.url}: the body was already read`));
    used = true;
    return read();
  };
  const response: ResponseFields & Pick<Response, 'body' | 'bodyUsed' | 'arrayBuffer' | 'text' | 'json'> = {
    ok: fields.ok,
    status: fields.status,
    statusText: fields.statusText,
    headers: fields.headers,
    url: fields.url,
    // A stream the caller may cancel unread (the loader does, refusing oversized shards); null for a read buffer.
    body: fields.body ?? null,
    get bodyUsed() {
      return used;
    },
    arrayBuffer: take,
    text: async () => new TextDecoder().decode(await take()),
    json: async () => JSON.parse(new TextDecoder().decode(await take())) as unknown,
  };
  // The loader uses only these members; anything else of Response is absent, which the type cannot say.
  return response as Response;
}
