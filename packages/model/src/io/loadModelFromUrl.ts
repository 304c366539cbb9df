import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelConfigError, ModelIoError } from '../errors';
import { manifestShardPaths, manifestWeightBytes, shardUrl } from '../weights/weightsManifest';
import { checkModelMatchesConfig, validateModelConfig, type CxrModel } from './modelConfig';

/** Options of {@link loadModelFromUrl}. */
export interface LoadModelFromUrlOptions {
  /** `'float16'` loads `model-float16.json` (saved with `quantize: 'float16'`). */
  variant?: 'float32' | 'float16';
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/**
 * Loads a model saved by `saveModel` from a URL of its folder (browser-safe): fetches `cxr.json`,
 * validates it, then `tf.loadLayersModel(<url>/model.json)`.
 *
 * @example
 * const cxr = await loadModelFromUrl('/models/vgg16-covid/');
 */
export async function loadModelFromUrl(url: string, options: LoadModelFromUrlOptions = {}): Promise<CxrModel> {
  const fetchFunc = options.fetch ?? globalThis.fetch;
  const base = url.endsWith('/') ? url : `${url}/`;
  const configUrl = `${base}cxr.json`;
  const response = await fetchOk(fetchFunc, configUrl);
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch (cause) {
    throw new ModelConfigError(`Invalid model config ${configUrl}: not valid JSON`, { cause });
  }
  const config = validateModelConfig(json, configUrl);
  const modelUrl = `${base}${options.variant === 'float16' ? 'model-float16.json' : 'model.json'}`;
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(httpLoader(modelUrl, fetchFunc));
  } catch (cause) {
    if (cause instanceof ModelIoError) throw cause;
    throw new ModelIoError(`Cannot load the tfjs model ${modelUrl}: ${(cause as Error).message}`, { cause });
  }
  checkModelMatchesConfig(model, config, modelUrl);
  return { model, config };
}

/** `fetch(url)`, as a `ModelIoError` naming the URL when it fails or answers an HTTP error. */
async function fetchOk(fetchFunc: typeof fetch, url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFunc(url);
  } catch (cause) {
    throw new ModelIoError(`Cannot fetch ${url}`, { cause });
  }
  if (!response.ok) throw new ModelIoError(`Cannot fetch ${url}: HTTP ${response.status}`);
  return response;
}

/**
 * Loads model.json and its shards with `fetch`. Parses the JSON text itself (rather than
 * `response.json()`), so arrays belong to this realm: tfjs-layers checks `instanceof Array`.
 */
function httpLoader(modelUrl: string, fetchFunc: typeof fetch): tf.io.IOHandler {
  const get = (url: string): Promise<Response> => fetchOk(fetchFunc, url);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(await (await get(modelUrl)).text()) as tf.io.ModelJSON;
      } catch (cause) {
        if (cause instanceof ModelIoError) throw cause;
        throw new ModelIoError(`${modelUrl} is not valid JSON`, { cause });
      }
      if (json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
        throw new ModelIoError(`${modelUrl} is not a tfjs layers model (no modelTopology or weightsManifest)`);
      }
      let urls: string[];
      try {
        urls = manifestShardPaths(json.weightsManifest, modelUrl).map((p) => shardUrl(modelUrl, p));
      } catch (cause) {
        throw new ModelIoError(`${modelUrl}: ${(cause as Error).message}`, { cause });
      }
      const needed = manifestWeightBytes(json.weightsManifest);
      const responses = await Promise.all(urls.map(get));
      // Refuse oversized shards before reading their bodies (Content-Length is the decoded size only without
      // Content-Encoding); the exact total is checked after reading.
      const announced = responses
        .filter((r) => r.headers.get('content-encoding') === null)
        .reduce((n, r) => n + Number(r.headers.get('content-length') ?? 0), 0);
      if (announced > needed) {
        await Promise.all(responses.map((r) => r.body?.cancel().catch(() => undefined)));
        throw new ModelIoError(`${modelUrl}: its shards hold ${announced} bytes but its weights need ${needed}`);
      }
      const parts = await Promise.all(responses.map(async (r) => new Uint8Array(await r.arrayBuffer())));
      if (parts.reduce((n, b) => n + b.byteLength, 0) !== needed) {
        throw new ModelIoError(`${modelUrl}: its shards hold ${parts.reduce((n, b) => n + b.byteLength, 0)} bytes but its weights need ${needed}`);
      }
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        // The shards as they are (tfjs reads weights across them): no joined copy of all the weights.
        weightData: parts.map((b) => b.buffer),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      };
    },
  };
}
