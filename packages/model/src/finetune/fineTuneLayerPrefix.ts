/** Prefix of the head layers that hold fine-tuned backbone blocks (`finetune_conv_pw_12`): where the frozen base ends. */
export const FINE_TUNE_LAYER_PREFIX = 'finetune_';

/** True for a head layer holding a fine-tuned backbone block. */
export function isFineTuneLayer(layer: { name: string }): boolean {
  return layer.name.startsWith(FINE_TUNE_LAYER_PREFIX);
}
