import { PipelineOptionsError } from '../errors';

/**
 * A set of `cxr train` / `trainFromDataset` options that changes the model, as a ranking compares them: the
 * mitigations (and, as they become train options, the ways of training the backbone). Everything not set here is
 * the notebook's recipe.
 */
export interface TrainConfiguration {
  /** The text it was parsed from, normalised (`none`, or the options joined by `+`). */
  name: string;
  /** CLAHE (8x8 tiles, clip 2) before resizing, recorded in the preprocessing spec (`--clahe`). */
  clahe: boolean;
  /** Only the lung fields (`LUNG_CROP`) kept before anything else, recorded in the preprocessing spec (`--lung-crop`). */
  lungCrop: boolean;
  /** Spectral decoupling lambda; 0 = off (`--spectral-decoupling`). */
  spectralDecoupling: number;
  /** Every source weighs the same within each class (`--source-balanced`). */
  sourceBalanced: boolean;
  /** Gradient-reversal weight of the source adversary; 0 = off (`--source-adversarial`). */
  sourceAdversarial: number;
  /** Top backbone blocks trained with the head; 0 = frozen backbone (`--fine-tune-blocks`). */
  fineTuneBlocks: number;
}

/** The notebook's recipe: no train option set. */
export const NO_TRAIN_OPTIONS: Readonly<TrainConfiguration> = Object.freeze({ name: 'none', clahe: false, lungCrop: false, spectralDecoupling: 0, sourceBalanced: false, sourceAdversarial: 0, fineTuneBlocks: 0 });

type Flag = { key: 'clahe' | 'lungCrop' | 'sourceBalanced' } | { key: 'spectralDecoupling' | 'sourceAdversarial' | 'fineTuneBlocks'; fallback: number; integer?: true };

/**
 * The `cxr train` flags a configuration may name, and the value a numeric one takes when written without `=value`
 * (strengths fixed before any ranking was run: spectral decoupling 0.1, gradient reversal 1, one fine-tuned block).
 */
const FLAGS: Readonly<Record<string, Flag>> = {
  clahe: { key: 'clahe' },
  'lung-crop': { key: 'lungCrop' },
  'spectral-decoupling': { key: 'spectralDecoupling', fallback: 0.1 },
  'source-balanced': { key: 'sourceBalanced' },
  'source-adversarial': { key: 'sourceAdversarial', fallback: 1 },
  'fine-tune-blocks': { key: 'fineTuneBlocks', fallback: 1, integer: true },
};

/** The `cxr train` flags (without `--`) that {@link parseTrainConfiguration} knows. */
export const TRAIN_CONFIGURATION_FLAGS: readonly string[] = Object.freeze(Object.keys(FLAGS));

/**
 * Parses a configuration written as `cxr train` flags without their dashes, joined by `+`: `none`, `clahe`, `lung-crop`,
 * `spectral-decoupling` (lambda 0.1) or `spectral-decoupling=0.3`, `source-balanced`, `source-adversarial` (weight 1)
 * or `source-adversarial=0.5`, `fine-tune-blocks` (one block) or `fine-tune-blocks=2`, e.g.
 * `clahe+source-adversarial+source-balanced`.
 *
 * @throws PipelineOptionsError for an unknown flag, a bad or repeated value, naming the text
 * @example parseTrainConfiguration('clahe+spectral-decoupling').spectralDecoupling // 0.1
 */
export function parseTrainConfiguration(text: string): TrainConfiguration {
  const trimmed = text.trim();
  const bad = (why: string) => new PipelineOptionsError(`configuration ${JSON.stringify(text)}: ${why}`);
  if (trimmed === 'none') return { ...NO_TRAIN_OPTIONS };
  const config: TrainConfiguration = { ...NO_TRAIN_OPTIONS, name: trimmed };
  const seen = new Set<string>();
  for (const term of trimmed.split('+').map((t) => t.trim())) {
    const [flag, value, ...rest] = term.split('=');
    if (term === 'none') throw bad('none stands alone (it means no train option)');
    const spec = Object.hasOwn(FLAGS, flag) ? FLAGS[flag] : undefined;
    if (spec === undefined) throw bad(`unknown train option ${JSON.stringify(term)} (known: none, ${TRAIN_CONFIGURATION_FLAGS.join(', ')}, joined by +)`);
    if (seen.has(flag)) throw bad(`${flag} is given twice`);
    seen.add(flag);
    if (!('fallback' in spec)) {
      if (value !== undefined) throw bad(`${flag} takes no value`);
      config[spec.key] = true;
    } else {
      const x = value === undefined ? spec.fallback : Number(value);
      if (rest.length > 0 || value === '' || !Number.isFinite(x) || x <= 0) throw bad(`${flag} needs a number > 0, e.g. ${flag}=${spec.fallback}`);
      if (spec.integer && !Number.isInteger(x)) throw bad(`${flag} needs a whole number, e.g. ${flag}=${spec.fallback}`);
      config[spec.key] = x;
    }
  }
  return config;
}
