/** Test helper: writes Keras-style HDF5 weight files with h5wasm, in the layouts Keras has used. */
export interface FixtureLayer {
  name: string;
  kernel: { shape: number[]; data: Float32Array };
  bias: { shape: number[]; data: Float32Array };
}

/**
 * `legacy`: Keras 1 (`/block1_conv1/block1_conv1_W_1:0`, as in the official notop file);
 * `keras2`: `/block1_conv1/block1_conv1/kernel:0`; both with `layer_names`/`weight_names` attributes
 * (fixed-length byte strings, as h5py writes them) unless `attributes` is false.
 */
export async function writeKerasH5(
  file: string,
  layers: FixtureLayer[],
  layout: 'legacy' | 'keras2',
  options: { attributes?: boolean; extraLayers?: string[] } = {},
): Promise<void> {
  const { default: h5 } = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(file, 'w');
  try {
    const names = [...layers.map((l) => l.name), ...(options.extraLayers ?? [])];
    const width = (list: string[]) => `S${Math.max(...list.map((s) => s.length))}`;
    if (options.attributes !== false) {
      f.create_attribute('layer_names', names, [names.length], width(names));
      f.create_attribute('backend', 'tensorflow');
      f.create_attribute('keras_version', layout === 'legacy' ? '1.2.2' : '2.2.4');
    }
    for (const layer of layers) {
      const g = f.create_group(layer.name);
      const [k, b] =
        layout === 'legacy'
          ? [`${layer.name}_W_1:0`, `${layer.name}_b_1:0`]
          : [`${layer.name}/kernel:0`, `${layer.name}/bias:0`];
      if (options.attributes !== false) g.create_attribute('weight_names', [k, b], [2], width([k, b]));
      // bias written first on purpose: the order must come from weight_names / the names, not the file order
      let target = g;
      if (layout === 'keras2') target = g.create_group(layer.name);
      const base = (n: string) => n.split('/').pop() as string;
      target.create_dataset({ name: base(b), data: layer.bias.data, shape: layer.bias.shape, dtype: '<f' });
      target.create_dataset({ name: base(k), data: layer.kernel.data, shape: layer.kernel.shape, dtype: '<f' });
    }
    for (const extra of options.extraLayers ?? []) {
      const g = f.create_group(extra);
      if (options.attributes !== false) g.create_attribute('weight_names', [], [0], 'S1');
    }
  } finally {
    f.close();
  }
}

/** Deterministic distinct values (not the code's output): layer i, element j -> i + j / 1e4 (sign alternating). */
export function distinctValues(n: number, layerIndex: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, j) => scale * (j % 2 ? -1 : 1) * (layerIndex + ((j * 7919) % 10007) / 1e4));
}
