import { RADIOGRAPH_GEOMETRY } from '@cxr/preprocess/node';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { predictiveValues } from '@cxr/metrics';
import { initBackend } from '../backend/initBackend';
import { PipelineOptionsError } from '../errors';
import { loadModel } from '../io/loadModel';
import { NO_DECISION, predict } from '../predict/predict';
import type { InputCheck } from '../ood/inputDistribution';
import type { CxrModel } from '../io/modelConfig';
import { readModelInput } from '../predict/readModelInput';
import { writeGradcamOverlay } from './writeGradcamOverlay';

/** Options of {@link predictImages} (the arguments and flags of `cxr predict`). */
export interface PredictImagesOptions {
  model: string;
  images: readonly string[];
  /** Write a Grad-CAM overlay PNG per image here. */
  heatmap?: string;
  cwd?: string;
  /** Give PPV/NPV at this prevalence (0..1) with each decision (needs a model trained with a validation split). */
  prevalence?: number;
}

/** One image's outcome: a prediction, or the error that kept it from one. */
export type ImagePrediction =
  | {
      path: string;
      ok: true;
      format: 'dicom' | 'image';
      probabilities: Record<string, number>;
      /** null: outside what the model was trained on, no decision (`refusal` says why). */
      decision: string | null;
      threshold: number;
      /** `NO_DECISION` and the reasons, when refused. */
      refusal?: string;
      inputCheck: InputCheck | null;
      /**
       * With `prevalence`: the chance that the decision is right at that prevalence, from the model's validation
       * sensitivity and specificity (PPV for a positive call, NPV for a negative one).
       */
      atPrevalence?: { prevalence: number; ppv: number; npv: number; sensitivity: number; specificity: number; decisionRight: number };
      heatmap?: string;
    }
  | { path: string; ok: false; error: string };

/** What {@link predictImages} returns (`cxr predict --json` prints it). */
export interface PredictImagesResult {
  model: string;
  predictions: ImagePrediction[];
  failed: number;
  notice: 'NOT FOR CLINICAL USE';
}

/**
 * Classifies PNG, JPEG or DICOM files with a saved model (each preprocessed with the model's saved spec; DICOM through
 * `decodeDicom`), deciding at the model's threshold, optionally with a Grad-CAM overlay each. A file that cannot be
 * read is reported (`ok: false`) and skipped.
 *
 * @example
 * const { predictions } = await predictImages({ model: 'models/m', images: ['a.png', 'b.dcm'], heatmap: 'heatmaps' });
 */
export async function predictImages(options: PredictImagesOptions): Promise<PredictImagesResult> {
  const cwd = options.cwd ?? process.cwd();
  if (options.images.length === 0) throw new PipelineOptionsError('give at least one image, e.g. cxr predict --model models/m scan.png');
  await initBackend();
  const modelDir = path.resolve(cwd, options.model);
  const cxr = await loadModel(modelDir);
  const operating = options.prevalence === undefined ? null : validationOperatingPoint(cxr, options.prevalence, modelDir);
  const heatmapDir = options.heatmap ? path.resolve(cwd, options.heatmap) : undefined;
  if (heatmapDir) await mkdir(heatmapDir, { recursive: true });
  const predictions: ImagePrediction[] = [];
  try {
    for (const [n, image] of options.images.entries()) {
      const file = path.resolve(cwd, image);
      try {
        const read = await readModelInput(file, cxr.config.preprocessing, { geometry: RADIOGRAPH_GEOMETRY });
        const [p] = await predict(cxr, read.input, { images: [read.facts] });
        let heatmap: string | undefined;
        if (heatmapDir) {
          heatmap = path.join(heatmapDir, `${String(n + 1).padStart(2, '0')}-${path.basename(file).replace(/\.[^.]*$/, '')}-gradcam.png`);
          await writeGradcamOverlay(cxr, read, heatmap);
        }
        // predict decided at the model's saved threshold.
        predictions.push({
          path: file,
          ok: true,
          format: read.format,
          probabilities: p.probabilities,
          decision: p.decision,
          threshold: p.threshold,
          inputCheck: p.inputCheck,
          ...(p.decision === null ? { refusal: `${NO_DECISION} (${p.inputCheck?.reasons.join('; ')})` } : {}),
          ...(operating && p.decision !== null ? { atPrevalence: { ...operating, decisionRight: p.decision === cxr.config.positiveClass ? operating.ppv : operating.npv } } : {}),
          ...(heatmap ? { heatmap } : {}),
        });
      } catch (error) {
        predictions.push({ path: file, ok: false, error: oneLine(error, file) });
      }
    }
  } finally {
    cxr.model.dispose();
  }
  return { model: modelDir, predictions, failed: predictions.filter((p) => !p.ok).length, notice: 'NOT FOR CLINICAL USE' };
}

function oneLine(error: unknown, file: string): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return message.includes(file) || message.includes(path.basename(file)) ? message : `${file}: ${message}`;
}


/** PPV/NPV at a prevalence from the validation sensitivity and specificity `cxr train` saved in `cxr.json`. */
function validationOperatingPoint(cxr: CxrModel, prevalence: number, modelDir: string): { prevalence: number; ppv: number; npv: number; sensitivity: number; specificity: number } {
  if (!(prevalence > 0 && prevalence < 1)) throw new PipelineOptionsError(`prevalence must be a number in (0, 1), e.g. 0.05; got ${prevalence}`);
  const op = (cxr.config.trainingMetrics as { validationOperatingPoint?: { sensitivity: number; specificity: number } | null } | null)?.validationOperatingPoint;
  if (!op) {
    throw new PipelineOptionsError(`${modelDir}: cxr.json holds no validation sensitivity and specificity (trained without both classes in a validation split, or by an older cxr); measure them with cxr evaluate --prevalence ${prevalence}`);
  }
  const pv = predictiveValues({ sensitivity: op.sensitivity, specificity: op.specificity, prevalence });
  return { prevalence, ppv: pv.ppv, npv: pv.npv, sensitivity: pv.sensitivity, specificity: pv.specificity };
}
