import * as tfl from '@tensorflow/tfjs-layers';
import { BackboneConfigError } from '../errors';

/** The convolution layers of VGG16 without its top, as Keras names them: [block, conv count, filters]. */
export const VGG16_BLOCKS: ReadonlyArray<readonly [block: number, convs: number, filters: number]> = Object.freeze([
  [1, 2, 64],
  [2, 2, 128],
  [3, 3, 256],
  [4, 3, 512],
  [5, 3, 512],
] as const);

/** Options of {@link createVgg16}. */
export interface CreateVgg16Options {
  /** Input [height, width, channels]; default [224, 224, 3] (the ImageNet weights' size). */
  inputShape?: [number, number, number];
  /**
   * Scales every layer's filter count (rounded, at least 1). 1 (default) is VGG16; smaller values make
   * tiny look-alikes with the same layer names for tests. Pretrained weights only fit 1.
   */
  widthMultiplier?: number;
  /** Keep only the first `blocks` blocks (1 to 5, default 5): a truncated VGG ending at `block<n>_pool`. */
  blocks?: number;
  /** Seed of the (Glorot-uniform) kernel initialisers, for reproducible random weights. Biases start at 0. */
  seed?: number;
}

/**
 * Builds VGG16 without its classifier top (Keras `VGG16(include_top=False)`), with Keras's layer names
 * (`block1_conv1` ... `block5_conv3`, `block5_pool`), so Keras weight files map onto it by name.
 * Output for a 224x224x3 input: 7x7x512. The weights are random until loaded.
 *
 * @example
 * const model = createVgg16();                                    // 14,714,688 parameters
 * const tiny = createVgg16({ widthMultiplier: 1 / 16, blocks: 2 }); // for tests
 */
export function createVgg16(options: CreateVgg16Options = {}): tfl.LayersModel {
  const inputShape = options.inputShape ?? [224, 224, 3];
  const width = options.widthMultiplier ?? 1;
  const blocks = options.blocks ?? 5;
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new BackboneConfigError(`VGG16 inputShape must be [height, width, channels] of positive integers, got [${inputShape.join(', ')}]`);
  }
  const minSide = 2 ** blocks;
  if (inputShape[0] < minSide || inputShape[1] < minSide) {
    throw new BackboneConfigError(`VGG16 with ${blocks} blocks needs inputs of at least ${minSide}x${minSide}, got ${inputShape[0]}x${inputShape[1]}`);
  }
  if (!(width > 0 && width <= 1)) {
    throw new BackboneConfigError(`VGG16 widthMultiplier must be in (0, 1], got ${width}`);
  }
  if (!Number.isInteger(blocks) || blocks < 1 || blocks > 5) {
    throw new BackboneConfigError(`VGG16 blocks must be an integer from 1 to 5, got ${blocks}`);
  }
  const input = tfl.input({ shape: inputShape, name: 'input_1' });
  let x = input as tfl.SymbolicTensor;
  let seed = options.seed;
  for (const [block, convs, filters] of VGG16_BLOCKS.slice(0, blocks)) {
    for (let i = 1; i <= convs; i++) {
      x = tfl.layers
        .conv2d({
          name: `block${block}_conv${i}`,
          filters: Math.max(1, Math.round(filters * width)),
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed++ }),
          biasInitializer: 'zeros',
        })
        .apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.maxPooling2d({ name: `block${block}_pool`, poolSize: 2, strides: 2 }).apply(x) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: x, name: 'vgg16' });
}
