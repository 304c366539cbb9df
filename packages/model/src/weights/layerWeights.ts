/** One weight array read from a weights file. */
export interface NamedWeight {
  /** Name in the file, e.g. `block1_conv1/kernel:0` or `block1_conv1_W_1:0`. */
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Weights of a file, by layer name, each layer's in the layer's own order (kernel, then bias...). */
export type LayerWeights = Map<string, NamedWeight[]>;
