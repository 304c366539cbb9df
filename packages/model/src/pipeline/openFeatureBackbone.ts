import type { Backbone } from '../backbones/backbone';
import { openTrainingBackbone, type OpenedBackbone, type OpenTrainingBackboneOptions } from '../backbones/openTrainingBackbone';
import { planFineTune, type FineTuneOptions, type FineTunePlan } from '../finetune/planFineTune';
import { trainingSpec, type SpecMitigations } from './trainingSpec';

/** Options of {@link openFeatureBackbone}: the backbone options `trainFromDataset` and `cacheDatasetFeatures` share. */
export interface OpenFeatureBackboneOptions extends OpenTrainingBackboneOptions, SpecMitigations {
  /** Fine-tuning the top blocks: the features are then the backbone's cut below them (`planFineTune`). */
  fineTune?: FineTuneOptions;
}

/** What {@link openFeatureBackbone} opens. */
export interface FeatureBackbone {
  /** The backbone as opened, uncut, and its description. Dispose `opened.backbone.model` when done: the cut model shares its weights. */
  opened: OpenedBackbone;
  /** The backbone whose features are extracted and cached: the mitigations in its preprocessing, cut below the fine-tuned blocks when fine-tuning. */
  backbone: Backbone;
  /** The fine-tuning plan, or null without `fineTune`. */
  plan: FineTunePlan | null;
}

/**
 * Opens the backbone whose features a pipeline caches: `openTrainingBackbone`, the preprocessing mitigations
 * (`trainingSpec`: CLAHE, lung crop) and, with `fineTune`, the cut below the fine-tuned blocks (`planFineTune`). One rule
 * for `trainFromDataset` and `cacheDatasetFeatures`: the cache keys follow the preprocessing and the cut layer, so
 * features pre-extracted for a run are found by it only if both open the backbone alike.
 *
 * @throws FineTuneError when the top blocks cannot be fine-tuned (VGG16, MobileNet's depthwise block below its last), and
 * what `openTrainingBackbone` and `trainingSpec` throw
 */
export async function openFeatureBackbone(options: OpenFeatureBackboneOptions): Promise<FeatureBackbone> {
  const opened = await openTrainingBackbone(options);
  try {
    const specced = { ...opened.backbone, preprocessing: trainingSpec(opened.backbone.preprocessing, options) };
    const plan = options.fineTune ? planFineTune(specced, options.fineTune) : null;
    return { opened, backbone: plan ? plan.backbone : specced, plan };
  } catch (error) {
    opened.backbone.model.dispose();
    throw error;
  }
}
