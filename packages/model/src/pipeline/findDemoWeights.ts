import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { OFFICIAL_WEIGHTS } from '../weights/officialWeights';

/** Pretrained weights the demo found, and where. */
export interface FoundWeights {
  backbone: 'vgg16' | 'mobilenet_v1';
  weights: string;
  /** `--weights`, `CXR_WEIGHTS_DIR`, `weights cache` or `shared data`. */
  from: string;
}

/** The shared MobileNet v1 cut after conv_pw_12, relative to the repository's parent (`../shared/data`). */
export const SHARED_MOBILENET = path.join('shared', 'data', 'weights', 'mobilenet_v1_1.0_224_conv_pw_12');

const isFile = (f: string): Promise<boolean> => stat(f).then((s) => s.isFile(), () => false);

/** The backbone a weights path holds: a `.h5` is VGG16; a layers folder is VGG16 when its layers say so, else MobileNet v1. */
async function backboneOf(weights: string): Promise<'vgg16' | 'mobilenet_v1' | null> {
  if (/\.(h5|hdf5)$/i.test(weights)) return (await isFile(weights)) ? 'vgg16' : null;
  const modelJson = weights.endsWith('.json') ? weights : path.join(weights, 'model.json');
  if (!(await isFile(modelJson))) return null;
  return (await readFile(modelJson, 'utf8')).includes('"block1_conv1"') ? 'vgg16' : 'mobilenet_v1';
}

/**
 * Where the demo finds pretrained weights, in order: `--weights`, env `CXR_WEIGHTS_DIR` (a weights folder, or a folder
 * holding `mobilenet_v1_1.0_224_conv_pw_12/` or the fetched `mobilenet_v1_1.0_224/`), the weights cache
 * (`cxr weights fetch`), then `../shared/data/weights/mobilenet_v1_1.0_224_conv_pw_12` beside the repository (searched
 * upwards from `searchFrom`). Null when none exists.
 */
export async function findDemoWeights(options: { weights?: string; cacheRoot: string; searchFrom: readonly string[]; cwd: string }): Promise<FoundWeights | null> {
  const tryPath = async (p: string, from: string): Promise<FoundWeights | null> => {
    const backbone = await backboneOf(p);
    return backbone ? { backbone, weights: p, from } : null;
  };
  if (options.weights) return tryPath(path.resolve(options.cwd, options.weights), '--weights');
  const env = process.env.CXR_WEIGHTS_DIR;
  if (env) {
    const dir = path.resolve(options.cwd, env);
    for (const p of [dir, path.join(dir, 'mobilenet_v1_1.0_224_conv_pw_12'), path.join(dir, OFFICIAL_WEIGHTS.mobilenet_v1.cacheName)]) {
      const found = await tryPath(p, 'CXR_WEIGHTS_DIR');
      if (found) return found;
    }
  }
  const cached = await tryPath(path.join(options.cacheRoot, 'weights', OFFICIAL_WEIGHTS.mobilenet_v1.cacheName), 'weights cache');
  if (cached) return cached;
  for (const start of options.searchFrom) {
    let dir = path.resolve(start);
    for (;;) {
      const found = await tryPath(path.join(path.dirname(dir), SHARED_MOBILENET), 'shared data');
      if (found) return found;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}
