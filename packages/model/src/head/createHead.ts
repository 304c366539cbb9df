import * as tfl from '@tensorflow/tfjs-layers';
import { TrainingInputError } from '../errors';
import { FINE_TUNE_LAYER_PREFIX } from '../finetune/fineTuneLayerPrefix';

/** Sizes of the notebook's classification head. All but `inputShape` default to the notebook's values. */
export interface HeadOptions {
  /** Shape of one feature map from the frozen base, `[height, width, channels]` (VGG16 at 224: `[7, 7, 512]`). */
  inputShape: readonly [number, number, number];
  /** AveragePooling2D pool size and stride (default 4, as `AveragePooling2D(pool_size=(4, 4))`). */
  poolSize?: number;
  /** Units of the hidden Dense layer (default 64). */
  units?: number;
  /** Dropout rate after the hidden layer (default 0.5); 0 keeps the layer out. */
  dropout?: number;
  /** Number of output classes (default 2). */
  classes?: number;
  /** Seed of the Glorot-uniform kernel initialisers (default 0); the same seed gives the same weights. */
  seed?: number;
  /**
   * Fine-tuned backbone blocks run before the pooling (default none): each a dense layer over the channels (a 1x1
   * convolution) named `finetune_<name>`; `inputShape` is then the feature map below them. See `planFineTune`.
   */
  blocks?: readonly HeadBlock[];
}

/** The shape of one fine-tuned backbone block in the head (its weights come from `planFineTune`). */
export interface HeadBlock {
  /** The backbone layer it was (e.g. `conv_pw_12`). */
  name: string;
  /** Output channels. */
  units: number;
  activation: 'relu' | 'relu6' | 'linear';
}

/** Layer names of the head, so that a saved model is readable and Grad-CAM can find where the head starts. */
export const HEAD_LAYER_NAMES = Object.freeze({
  pool: 'head_average_pooling',
  flatten: 'head_flatten',
  dense: 'head_dense',
  dropout: 'head_dropout',
  output: 'head_output',
});

/** {@link HeadOptions} with every default filled in. */
export type ResolvedHeadOptions = Required<HeadOptions> & { inputShape: [number, number, number]; blocks: HeadBlock[] };

/** Fills in the notebook's defaults and validates the head sizes. */
export function resolveHeadOptions(options: HeadOptions): ResolvedHeadOptions {
  const resolved = {
    inputShape: [...options.inputShape] as [number, number, number],
    poolSize: options.poolSize ?? 4,
    units: options.units ?? 64,
    dropout: options.dropout ?? 0.5,
    classes: options.classes ?? 2,
    seed: options.seed ?? 0,
    blocks: (options.blocks ?? []).map((b) => ({ name: b.name, units: b.units, activation: b.activation })),
  };
  const [h, w, c] = resolved.inputShape;
  if (resolved.inputShape.length !== 3 || ![h, w, c].every((n) => Number.isInteger(n) && n > 0)) {
    throw new TrainingInputError(`Head inputShape must be [height, width, channels] of positive integers, got [${options.inputShape.join(', ')}]`);
  }
  if (!Number.isInteger(resolved.poolSize) || resolved.poolSize < 1 || resolved.poolSize > Math.min(h, w)) {
    throw new TrainingInputError(`Head poolSize ${resolved.poolSize} must be an integer in 1..${Math.min(h, w)} for inputShape [${h}, ${w}, ${c}]`);
  }
  if (!Number.isInteger(resolved.units) || resolved.units < 1) {
    throw new TrainingInputError(`Head units must be a positive integer, got ${resolved.units}`);
  }
  if (!(resolved.dropout >= 0 && resolved.dropout < 1)) {
    throw new TrainingInputError(`Head dropout must be in [0, 1), got ${resolved.dropout}`);
  }
  if (!Number.isInteger(resolved.classes) || resolved.classes < 2) {
    throw new TrainingInputError(`Head classes must be an integer >= 2, got ${resolved.classes}`);
  }
  for (const b of resolved.blocks) {
    if (typeof b.name !== 'string' || !b.name || !Number.isInteger(b.units) || b.units < 1 || !['relu', 'relu6', 'linear'].includes(b.activation)) {
      throw new TrainingInputError(`Head block must be { name, units > 0, activation relu|relu6|linear }, got ${JSON.stringify(b)}`);
    }
  }
  if (!Number.isInteger(resolved.seed)) {
    throw new TrainingInputError(`Head seed must be an integer, got ${resolved.seed}`);
  }
  return resolved;
}

/**
 * The notebook's head on top of a frozen base:
 * `AveragePooling2D(pool 4x4) -> Flatten -> Dense(64, relu) -> Dropout(0.5) -> Dense(2, softmax)`.
 * Kernels are Glorot-uniform seeded by `seed` (biases zero, as in Keras), so the same options give the
 * same initial weights.
 *
 * @example
 * const head = createHead({ inputShape: [7, 7, 512], seed: 42 }); // 32,962 trainable parameters
 */
export function createHead(options: HeadOptions): tfl.Sequential {
  const o = resolveHeadOptions(options);
  const head = tfl.sequential({ name: 'head' });
  o.blocks.forEach((b, i) => {
    head.add(
      tfl.layers.dense({
        name: `${FINE_TUNE_LAYER_PREFIX}${b.name}`,
        ...(i === 0 ? { inputShape: o.inputShape } : {}),
        units: b.units,
        activation: b.activation,
        // replaced by the backbone's weights before training (planFineTune); seeded so a bare head is reproducible
        kernelInitializer: tfl.initializers.glorotUniform({ seed: o.seed + 100 + i }),
        biasInitializer: 'zeros',
      }),
    );
  });
  head.add(
    tfl.layers.averagePooling2d({
      name: HEAD_LAYER_NAMES.pool,
      ...(o.blocks.length === 0 ? { inputShape: o.inputShape } : {}),
      poolSize: o.poolSize,
      strides: o.poolSize,
      padding: 'valid',
    }),
  );
  head.add(tfl.layers.flatten({ name: HEAD_LAYER_NAMES.flatten }));
  head.add(
    tfl.layers.dense({
      name: HEAD_LAYER_NAMES.dense,
      units: o.units,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: o.seed }),
      biasInitializer: 'zeros',
    }),
  );
  if (o.dropout > 0) head.add(tfl.layers.dropout({ name: HEAD_LAYER_NAMES.dropout, rate: o.dropout }));
  head.add(
    tfl.layers.dense({
      name: HEAD_LAYER_NAMES.output,
      units: o.classes,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: o.seed + 1 }),
      biasInitializer: 'zeros',
    }),
  );
  return head;
}
