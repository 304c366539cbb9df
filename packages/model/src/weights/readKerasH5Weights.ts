import { open } from 'node:fs/promises';
import { WeightsFormatError } from '../errors';
import type { LayerWeights, NamedWeight } from './layerWeights';

/** Keras HDF5 layouts: `keras-h5-legacy` (Keras 1: `/block1_conv1/block1_conv1_W_1:0`) and `keras-h5` (Keras 2: `/block1_conv1/block1_conv1/kernel:0`). */
export type KerasH5Layout = 'keras-h5' | 'keras-h5-legacy';

/** What {@link readKerasH5Weights} found: the file layout Keras wrote, and the weights per layer. */
export interface KerasH5Weights {
  layout: KerasH5Layout;
  layers: LayerWeights;
}

type H5 = typeof import('h5wasm/node');
type H5Group = InstanceType<H5['default']['Group']>;
type H5Dataset = InstanceType<H5['default']['Dataset']>;
let h5Module: Promise<H5['default']> | undefined;

/** h5wasm is ESM-only: loaded on first use with a dynamic import (kept as such in the CJS build). */
async function h5wasm(): Promise<H5['default']> {
  h5Module ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5Module;
}

function stringList(value: unknown): string[] | undefined {
  if (value == null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v)).replace(/\0+$/, ''));
}

/** Kernel/weight first, bias second, BatchNormalization's gamma, beta, moving mean, moving variance after. */
function weightRank(name: string): number {
  const base = name.split('/').pop() ?? name;
  const order = [/^(kernel|.*_W(_\d+)?)(:\d+)?$/, /^(depthwise_kernel)/, /^(bias|.*_b(_\d+)?)(:\d+)?$/, /^gamma/, /^beta/, /^moving_mean/, /^moving_variance/];
  const i = order.findIndex((re) => re.test(base));
  return i === -1 ? order.length : i;
}

function isGroup(h5: H5['default'], e: unknown): e is H5Group {
  return e instanceof h5.Group;
}
function isDataset(h5: H5['default'], e: unknown): e is H5Dataset {
  return e instanceof h5.Dataset;
}

function datasetsUnder(h5: H5['default'], group: H5Group, prefix = ''): Array<[string, H5Dataset]> {
  const out: Array<[string, H5Dataset]> = [];
  for (const key of group.keys()) {
    const entity = group.get(key);
    if (entity == null) continue;
    const name = prefix ? `${prefix}/${key}` : key;
    if (isGroup(h5, entity)) out.push(...datasetsUnder(h5, entity, name));
    else if (isDataset(h5, entity)) out.push([name, entity]);
  }
  return out;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The HDF5 signature sits at 0, 512, 1024, 2048... (after an optional user block). h5wasm does not check. */
async function hasHdf5Signature(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new WeightsFormatError(file, 'no such file', { cause: error });
  }
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      await handle.read(buf, 0, 8, at);
      if (buf.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * Reads the weights of a Keras HDF5 weights file (`model.save_weights('x.h5')`, or a whole-model `.h5`
 * whose weights are under `/model_weights`), in both layouts Keras has written, keyed by layer name.
 * The order of a layer's weights comes from the `weight_names` attribute when present (as Keras does), else
 * from the names (kernel before bias).
 *
 * @example
 * const { layout, layers } = await readKerasH5Weights('vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5');
 * layers.get('block1_conv1')?.[0].shape; // [3, 3, 3, 64]
 * @throws WeightsFormatError naming the file when it is missing, not HDF5, or not a Keras weights file.
 */
export async function readKerasH5Weights(file: string): Promise<KerasH5Weights> {
  if (!(await hasHdf5Signature(file))) throw new WeightsFormatError(file, 'not an HDF5 file');
  const h5 = await h5wasm();
  let f: InstanceType<H5['default']['File']>;
  try {
    f = new h5.File(file, 'r');
  } catch (error) {
    throw new WeightsFormatError(file, 'not an HDF5 file', { cause: error });
  }
  try {
    let root: H5Group = f;
    const nested = f.get('model_weights');
    if (isGroup(h5, nested)) root = nested;
    if (root.keys().includes('layers') && root.keys().includes('vars')) {
      throw new WeightsFormatError(file, 'Keras 3 .weights.h5 layout is not supported; save with Keras 2 or convert to the tfjs layers format');
    }
    const layerNames = stringList(root.attrs['layer_names']?.value) ?? root.keys();
    const layers: LayerWeights = new Map();
    let sawNew = false;
    let sawLegacy = false;
    for (const layerName of layerNames) {
      const group = root.get(layerName);
      if (!isGroup(h5, group)) {
        throw new WeightsFormatError(file, `layer_names lists '${layerName}' but there is no such group`);
      }
      const g = group;
      const listed = stringList(g.attrs['weight_names']?.value);
      let entries: Array<[string, H5Dataset]>;
      if (listed) {
        entries = listed.map((name) => {
          const d = g.get(name);
          if (!isDataset(h5, d)) {
            throw new WeightsFormatError(file, `layer ${layerName} lists weight '${name}' but there is no such dataset`);
          }
          return [name, d] as [string, H5Dataset];
        });
      } else {
        entries = datasetsUnder(h5, g).sort((a, b) => weightRank(a[0]) - weightRank(b[0]));
      }
      const weights: NamedWeight[] = entries.map(([name, d]) => {
        const value = d.value;
        const shape = d.shape ?? [];
        let data: Float32Array;
        if (value instanceof Float32Array) data = value;
        else if (value instanceof Float64Array || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
          data = Float32Array.from(value as ArrayLike<number>);
        } else {
          throw new WeightsFormatError(file, `weight ${layerName}/${name} is not numeric (dtype ${JSON.stringify(d.dtype)})`);
        }
        if (name.includes('/')) sawNew = true;
        else sawLegacy = true;
        return { name, shape, data };
      });
      if (weights.length > 0) layers.set(layerName, weights);
    }
    if (layers.size === 0) throw new WeightsFormatError(file, 'no layer weights found (is it a Keras weights file?)');
    const layout: KerasH5Layout = sawNew && !sawLegacy ? 'keras-h5' : 'keras-h5-legacy';
    return { layout, layers };
  } finally {
    f.close();
  }
}
