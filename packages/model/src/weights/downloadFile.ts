import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumError, DownloadError } from '../errors';

/** Progress of one file's download. */
export interface DownloadProgress {
  url: string;
  /** Destination file (final name, not the `.part`). */
  file: string;
  /** Bytes on disk so far, including those of a resumed earlier attempt. */
  receivedBytes: number;
  /** Size of the whole file when the server said it. */
  totalBytes?: number;
  /** Bytes already on disk when this request started (0 for a fresh download). */
  resumedFrom: number;
}

/** Options of {@link downloadFile}: checksums, progress, retries. */
export interface DownloadFileOptions {
  /** Expected SHA-256 (hex); on mismatch the file is deleted and a ChecksumError thrown. */
  sha256?: string;
  /** Expected MD5 (hex), as Keras publishes for its weight files. */
  md5?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Attempts after an interrupted transfer, each resuming with an HTTP Range request. Default 3. */
  retries?: number;
}

/** A finished, verified download of {@link downloadFile}. */
export interface DownloadResult {
  file: string;
  bytes: number;
  sha256: string;
  md5: string;
  /** True when some bytes came from an earlier, interrupted attempt (a `.part` file). */
  resumed: boolean;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** SHA-256 and MD5 of a file in one streamed pass. */
export async function hashFile(file: string): Promise<{ sha256: string; md5: string }> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(file)) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha.digest('hex'), md5: md5.digest('hex') };
}

/** Throws ChecksumError (after deleting `file`) when a given hash differs. */
async function verify(file: string, shown: string, options: DownloadFileOptions): Promise<{ sha256: string; md5: string }> {
  const hashes = await hashFile(file);
  for (const kind of ['sha256', 'md5'] as const) {
    const expected = options[kind]?.toLowerCase();
    if (expected && expected !== hashes[kind]) {
      await rm(file, { force: true });
      throw new ChecksumError(shown, `${kind} ${expected}`, `${kind} ${hashes[kind]}`);
    }
  }
  return hashes;
}

class Interrupted extends Error {}

/** One request: appends to `part` from its current size. Returns true when the file is complete. */
async function attempt(url: string, file: string, part: string, options: DownloadFileOptions): Promise<{ resumedFrom: number }> {
  const have = await sizeOf(part);
  let response: Response;
  try {
    response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
  } catch (error) {
    throw new Interrupted(`request failed: ${(error as Error).message}`, { cause: error });
  }
  if (response.status === 416 && have > 0) {
    // Range not satisfiable: the part is already whole (or bigger than the file): check its size.
    const total = Number(/\*\/(\d+)/.exec(response.headers.get('content-range') ?? '')?.[1]);
    await response.body?.cancel();
    if (total === have) return { resumedFrom: have };
    await rm(part, { force: true });
    throw new Interrupted(`stale partial file of ${have} bytes (server has ${total}); restarting`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DownloadError(url, `HTTP ${response.status} ${response.statusText}`.trim());
  }
  let start = 0;
  let total: number | undefined;
  if (response.status === 206) {
    const range = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(response.headers.get('content-range') ?? '');
    start = range ? Number(range[1]) : NaN;
    if (start !== have) {
      await response.body?.cancel();
      await rm(part, { force: true });
      throw new Interrupted(`server resumed at byte ${start}, expected ${have}; restarting`);
    }
    total = range && range[3] !== '*' ? Number(range[3]) : undefined;
  } else {
    const length = response.headers.get('content-length');
    total = length ? Number(length) : undefined;
  }
  if (!response.body) throw new DownloadError(url, 'empty response body');
  let received = start;
  const report = () => options.onProgress?.({ url, file, receivedBytes: received, totalBytes: total, resumedFrom: start });
  report();
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      report();
      done(null, chunk);
    },
  });
  try {
    // 200 restarts the file (the server ignored the Range); 206 appends.
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counter, createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }));
  } catch (error) {
    throw new Interrupted(`transfer interrupted at byte ${received}: ${(error as Error).message}`, { cause: error });
  }
  if (total !== undefined && received !== total) {
    throw new Interrupted(`transfer ended at byte ${received} of ${total}`);
  }
  return { resumedFrom: start };
}

/**
 * Downloads `url` to `file` through `file.part`: resumes an existing `.part` (and an interrupted transfer)
 * with HTTP Range requests, reports progress, checks the SHA-256/MD5 when given, and renames the part into
 * place only when complete and verified, so `file` exists only whole.
 *
 * @throws DownloadError for an HTTP error status or a transfer that fails after every retry (the `.part`
 *   stays, to resume later); ChecksumError for a hash mismatch (nothing is left on disk).
 */
export async function downloadFile(url: string, file: string, options: DownloadFileOptions = {}): Promise<DownloadResult> {
  await mkdir(path.dirname(file), { recursive: true });
  const part = `${file}.part`;
  const retries = options.retries ?? 3;
  let resumed = false;
  let lastError: Error | undefined;
  for (let i = 0; i <= retries; i++) {
    try {
      const { resumedFrom } = await attempt(url, file, part, options);
      if (resumedFrom > 0) resumed = true;
      lastError = undefined;
      break;
    } catch (error) {
      if (!(error instanceof Interrupted)) throw error;
      if ((await sizeOf(part)) > 0) resumed = true;
      lastError = error;
    }
  }
  if (lastError) {
    throw new DownloadError(url, `${lastError.message} (gave up after ${retries + 1} attempts; ${part} kept to resume)`, { cause: lastError });
  }
  const hashes = await verify(part, url, options);
  await rename(part, file);
  return { file, bytes: await sizeOf(file), ...hashes, resumed };
}
