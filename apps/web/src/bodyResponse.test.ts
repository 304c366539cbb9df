import { bodyResponse } from './bodyResponse';

describe('bodyResponse', () => {
  const fields = { ok: true, status: 200, statusText: 'OK', headers: new Headers({ 'content-length': '5' }), url: 'http://x/model/cxr.json' };

  test('hands out the buffer read, itself (no copy), once', async () => {
    const buffer = new TextEncoder().encode('hello').buffer;
    const r = bodyResponse(fields, async () => buffer);
    expect(r.bodyUsed).toBe(false);
    await expect(r.arrayBuffer()).resolves.toBe(buffer);
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow('http://x/model/cxr.json: the body was already read');
  });

  test('text() and json() decode the bytes; the fields are the given ones', async () => {
    const json = bodyResponse(fields, async () => new TextEncoder().encode('{"a":[1,"é"]}').buffer);
    await expect(json.json()).resolves.toEqual({ a: [1, 'é'] });
    const text = bodyResponse({ ...fields, ok: false, status: 404, statusText: 'Not Found' }, async () => new TextEncoder().encode('gone').buffer);
    expect([text.ok, text.status, text.statusText, text.headers.get('content-length'), text.body]).toEqual([false, 404, 'Not Found', '5', null]);
    await expect(text.text()).resolves.toBe('gone');
  });

  test('a failed read rejects the reader, as a broken download does', async () => {
    const r = bodyResponse(fields, async () => {
      throw new TypeError('network error');
    });
    await expect(r.arrayBuffer()).rejects.toThrow('network error');
  });
});
