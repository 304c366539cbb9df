import { readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { BackboneName } from '../backbones/backbone';
import { BackboneConfigError, DownloadError } from '../errors';
import { downloadFile, hashFile, type DownloadProgress } from './downloadFile';
import { OFFICIAL_WEIGHTS } from './officialWeights';
import { manifestShardPaths, shardUrl } from './weightsManifest';

/** Options of {@link fetchWeights}. */
export interface FetchWeightsOptions {
  /** Folder the weights are kept in (created when missing). */
  cacheDir: string;
  /** Another source (a mirror, a test server). Default: the official URL in {@link OFFICIAL_WEIGHTS}. */
  url?: string;
  /** Expected SHA-256 of the file (of model.json for a layers model). */
  sha256?: string;
  /** Expected MD5; defaults to Keras's published hash for the official VGG16 file. */
  md5?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Retries of an interrupted transfer, each resuming where it stopped. Default 3. */
  retries?: number;
}

/** Where {@link fetchWeights} put the weights, their files and hash, and whether they came from the cache. */
export interface FetchedWeights {
  name: BackboneName;
  /** What to give `loadBackbone({ weights })`: the `.h5` file, or the folder holding model.json. */
  path: string;
  /** Every file fetched (or found), model.json last for a layers model. */
  files: string[];
  /** SHA-256 of the `.h5` file or of model.json. */
  sha256: string;
  /** True when everything was already in the cache (nothing downloaded). */
  cached: boolean;
  /** True when some file resumed an interrupted download. */
  resumed: boolean;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Downloads a backbone's pretrained weights into `cacheDir` once (Node), resuming interrupted downloads
 * (`.part` files, HTTP Range), reporting progress, checking hashes and renaming files into place only
 * when whole. For a tfjs layers `model.json` URL, its shards (named in its weightsManifest, relative to it)
 * are fetched first and model.json last, so a folder with a model.json is complete.
 *
 * @example
 * const { path } = await fetchWeights('vgg16', { cacheDir: '~/.cache/cxr', onProgress: (p) => log(p.receivedBytes) });
 * const backbone = await loadBackbone({ name: 'vgg16', weights: path });
 * @throws DownloadError (HTTP status, network), ChecksumError (nothing left on disk), BackboneConfigError.
 */
export async function fetchWeights(name: BackboneName, options: FetchWeightsOptions): Promise<FetchedWeights> {
  const official = OFFICIAL_WEIGHTS[name];
  if (!official) throw new BackboneConfigError(`No official weights for backbone '${String(name)}'`);
  const url = options.url ?? official.url;
  const md5 = options.md5 ?? (options.url ? undefined : official.md5);
  const common = { onProgress: options.onProgress, retries: options.retries };
  if (!new URL(url).pathname.endsWith('.json')) {
    const file = path.join(options.cacheDir, options.url ? path.basename(new URL(url).pathname) : official.cacheName);
    if (await exists(file)) {
      const hashes = await hashFile(file);
      if ((!options.sha256 || options.sha256 === hashes.sha256) && (!md5 || md5 === hashes.md5)) {
        return { name, path: file, files: [file], sha256: hashes.sha256, cached: true, resumed: false };
      }
    }
    const got = await downloadFile(url, file, { ...common, sha256: options.sha256, md5 });
    return { name, path: file, files: [file], sha256: got.sha256, cached: false, resumed: got.resumed };
  }
  const dir = path.join(options.cacheDir, options.url ? path.basename(path.dirname(new URL(url).pathname)) || name : official.cacheName);
  const modelJson = path.join(dir, 'model.json');
  if (await exists(modelJson)) {
    const hashes = await hashFile(modelJson);
    if (!options.sha256 || options.sha256 === hashes.sha256) {
      const files = await shardsOf(modelJson, url);
      return { name, path: dir, files: [...files.map((f) => f.file), modelJson], sha256: hashes.sha256, cached: true, resumed: false };
    }
  }
  // model.json to a side name first: its shards are fetched before it takes its real name.
  const pending = path.join(dir, 'model.json.pending');
  const { sha256 } = await downloadFile(url, pending, { ...common, sha256: options.sha256 });
  let resumed = false;
  const shards = await shardsOf(pending, url);
  for (const shard of shards) {
    if (await exists(shard.file)) continue;
    const got = await downloadFile(shard.url, shard.file, common);
    resumed ||= got.resumed;
  }
  await rename(pending, modelJson); // the same bytes downloadFile already hashed
  return { name, path: dir, files: [...shards.map((s) => s.file), modelJson], sha256, cached: false, resumed };
}

async function shardsOf(modelJson: string, url: string): Promise<Array<{ url: string; file: string }>> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(modelJson, 'utf8')).weightsManifest;
  } catch (error) {
    throw new DownloadError(url, `model.json is not valid JSON`, { cause: error });
  }
  if (!Array.isArray(manifest)) throw new DownloadError(url, 'model.json has no weightsManifest');
  const dir = path.dirname(modelJson);
  try {
    // the same rule as the loaders: plain relative paths inside the model's folder (and on the model's server)
    return manifestShardPaths(manifest as tf.io.WeightsManifestConfig, url).map((p) => ({ url: shardUrl(url, p), file: path.join(dir, p) }));
  } catch (error) {
    throw new DownloadError(url, `unsafe shard path in model.json: ${(error as Error).message}`, { cause: error });
  }
}
