import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { initBackend } from '../backend/initBackend';
import { loadBackbone } from '../backbones/loadBackbone';
import { ModelIoError, WeightsFormatError } from '../errors';
import { modelToFiles } from '../io/modelToFiles';
import { readKerasH5Weights } from './readKerasH5Weights';

/** What {@link importKerasVgg16} wrote. */
export interface ImportKerasVgg16Result {
  out: string;
  /** `model.json` and the weight shards, in `out`. */
  files: string[];
  layers: number;
  parameters: number;
  weightsHash: string;
}

/**
 * The VGG-like architecture a Keras file holds: its number of blocks (`blockN_conv*` layers) and width (filters of
 * `block1_conv1` / 64). The official VGG16 file gives 5 blocks, width 1.
 */
async function vggShapeOf(file: string): Promise<{ blocks: number; widthMultiplier: number }> {
  const { layers } = await readKerasH5Weights(file);
  let blocks = 0;
  for (const name of layers.keys()) {
    const m = /^block(\d+)_conv\d+$/.exec(name);
    if (m) blocks = Math.max(blocks, Number(m[1]));
  }
  const kernel = layers.get('block1_conv1')?.find((w) => w.shape.length === 4);
  if (blocks === 0 || !kernel) throw new WeightsFormatError(file, 'not a Keras VGG16 weights file (no block1_conv1 kernel)');
  return { blocks, widthMultiplier: kernel.shape[3] / 64 };
}

/**
 * Converts a Keras VGG16 `.h5` (the official notop file, or a whole-model file) into the tfjs layers format
 * (`model.json` + shards) in `out`, which `loadBackbone({ weights: out })` and a browser can read. Written into a
 * temporary sibling folder renamed into place; an existing non-empty `out` is refused.
 *
 * @throws WeightsFormatError for a file that is not a Keras VGG16 .h5; ModelIoError when `out` is taken or unwritable
 * @example await importKerasVgg16('vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', 'weights/vgg16-tfjs');
 */
export async function importKerasVgg16(file: string, out: string): Promise<ImportKerasVgg16Result> {
  if (!/\.(h5|hdf5)$/i.test(file)) throw new WeightsFormatError(file, 'expected a Keras .h5 weights file');
  const existing = await stat(out).then(() => readdir(out), () => null);
  if (existing && existing.length > 0) throw new ModelIoError(`${out}: exists and is not empty; choose another folder`);
  await initBackend();
  const backbone = await loadBackbone({ name: 'vgg16', weights: file, vgg16: await vggShapeOf(file) });
  try {
    const files = await modelToFiles(backbone.model);
    const tmp = `${out}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await mkdir(tmp, { recursive: true });
    try {
      for (const s of files.shards) await writeFile(path.join(tmp, s.name), s.data);
      await writeFile(path.join(tmp, 'model.json'), JSON.stringify(files.modelJson));
      if (existing) await rm(out, { recursive: true, force: true });
      await rename(tmp, out);
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      throw new ModelIoError(`${out}: cannot write the converted weights (${(error as Error).message})`, { cause: error });
    }
    return {
      out,
      files: ['model.json', ...files.shards.map((s) => s.name)],
      layers: backbone.model.layers.length,
      parameters: backbone.info.parameters,
      weightsHash: backbone.weightsHash,
    };
  } finally {
    backbone.model.dispose();
  }
}
