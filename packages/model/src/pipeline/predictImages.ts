import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { initBackend } from '../backend/initBackend';
import { PipelineOptionsError } from '../errors';
import { loadModel } from '../io/loadModel';
import { predict } from '../predict/predict';
import { readModelInput } from '../predict/readModelInput';
import { writeGradcamOverlay } from './writeGradcamOverlay';

/** Options of {@link predictImages} (the arguments and flags of `cxr predict`). */
export interface PredictImagesOptions {
  model: string;
  images: readonly string[];
  /** Write a Grad-CAM overlay PNG per image here. */
  heatmap?: string;
  cwd?: string;
}

/** One image's outcome: a prediction, or the error that kept it from one. */
export type ImagePrediction =
  | {
      path: string;
      ok: true;
      format: 'dicom' | 'image';
      probabilities: Record<string, number>;
      decision: string;
      threshold: number;
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
  const heatmapDir = options.heatmap ? path.resolve(cwd, options.heatmap) : undefined;
  if (heatmapDir) await mkdir(heatmapDir, { recursive: true });
  const predictions: ImagePrediction[] = [];
  try {
    for (const [n, image] of options.images.entries()) {
      const file = path.resolve(cwd, image);
      try {
        const read = await readModelInput(file, cxr.config.preprocessing);
        const [p] = await predict(cxr, read.input);
        let heatmap: string | undefined;
        if (heatmapDir) {
          heatmap = path.join(heatmapDir, `${String(n + 1).padStart(2, '0')}-${path.basename(file).replace(/\.[^.]*$/, '')}-gradcam.png`);
          await writeGradcamOverlay(cxr, read, heatmap);
        }
        // predict decided at the model's saved threshold.
        predictions.push({ path: file, ok: true, format: read.format, probabilities: p.probabilities, decision: p.decision, threshold: p.threshold, ...(heatmap ? { heatmap } : {}) });
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

