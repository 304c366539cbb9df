import type { FractionRect } from '@cxr/preprocess';
import { PipelineOptionsError } from '../errors';

/** Every mitigation `cxr experiment loso --mitigation` knows, `none` being the notebook's recipe. */
export const MITIGATION_NAMES = [
  'none',
  'clahe',
  'crop-border',
  'lung-crop',
  'source-balanced',
  'multi-source-normals',
  'strong-augmentation',
  'val-threshold',
] as const;

/** A mitigation's name. */
export type MitigationName = (typeof MITIGATION_NAMES)[number];

/** What one mitigation changes in the experiment (everything else is the notebook's recipe). */
export interface MitigationSettings {
  name: MitigationName;
  /** One sentence: what it does and which source cue it targets. */
  description: string;
  /** CLAHE before resizing (OpenCV's defaults: 8x8 tiles, clip 2). */
  clahe: boolean;
  /** Crop uniform borders and burned-in text at the edges (`cropBorder` of @cxr/preprocess). */
  cropBorder: boolean;
  /** Keep only this central part of the image (fractions of width and height), roughly the lung fields: the spec's `lungCrop`. */
  lungCrop: FractionRect | null;
  /** Oversample the training set so every source x label cell weighs the same. */
  sourceBalanced: boolean;
  /** Train with normals from several sources: half the held-out source's patients join training. */
  multiSourceNormals: boolean;
  /** Augmented copies of every training image (features of each copy): rotation, shift, zoom, brightness, contrast. */
  augmentCopies: number;
  /** Choose the operating threshold on the validation split (Youden's J) instead of 0.5. */
  validationThreshold: boolean;
}

const BASE: Omit<MitigationSettings, 'name' | 'description'> = {
  clahe: false,
  cropBorder: false,
  lungCrop: null,
  sourceBalanced: false,
  multiSourceNormals: false,
  augmentCopies: 0,
  validationThreshold: false,
};

/** The central region kept by `lung-crop`: 10% off each side, 8% off the top (neck, labels), 12% off the bottom (abdomen). */
export const LUNG_CROP = Object.freeze({ x: 0.1, y: 0.08, width: 0.8, height: 0.8 });

/** Strength of `strong-augmentation` (per copy; @cxr/preprocess `augmentation` options). */
export const STRONG_AUGMENTATION = Object.freeze({ rotate: 15, shift: 0.1, zoom: 0.15, brightness: 0.15, contrast: 0.25 });

/**
 * The settings of a mitigation by name.
 * @throws PipelineOptionsError for an unknown name, listing the known ones
 */
export function resolveMitigation(name: string): MitigationSettings {
  switch (name) {
    case 'none':
      return { name, description: "the notebook's recipe: whole image stretched to 224x224, threshold 0.5", ...BASE };
    case 'clahe':
      return { name, description: 'CLAHE (8x8 tiles, clip 2) equalises contrast, removing global exposure and processing differences between hospitals', ...BASE, clahe: true };
    case 'crop-border':
      return { name, description: 'borders and burned-in text at the image edges cropped before resizing', ...BASE, cropBorder: true };
    case 'lung-crop':
      return { name, description: 'only the central 80% x 80% (lung fields) kept: removes corners, markers, labels and collimation', ...BASE, lungCrop: { ...LUNG_CROP } };
    case 'source-balanced':
      return { name, description: 'training oversampled so every source x label cell weighs the same (class weights per source x label)', ...BASE, sourceBalanced: true };
    case 'multi-source-normals':
      return { name, description: "normals from several sources: half of the held-out source's patients train (the other half test)", ...BASE, multiSourceNormals: true };
    case 'strong-augmentation':
      return {
        name,
        description: 'two augmented copies of each training image (rotation 15 deg, shift 10%, zoom 15%, brightness 0.15, contrast 25%)',
        ...BASE,
        augmentCopies: 2,
      };
    case 'val-threshold':
      return { name, description: "operating threshold chosen on the validation split (Youden's J) instead of 0.5", ...BASE, validationThreshold: true };
    default:
      throw new PipelineOptionsError(`--mitigation ${JSON.stringify(name)}: expected one of ${MITIGATION_NAMES.join(', ')}`);
  }
}
