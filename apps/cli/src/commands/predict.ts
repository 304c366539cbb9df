import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { initBackend, loadModel, predict } from '@cxr/model/node';
import type { Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { InputError, UsageError } from '../errors';
import { readModelInput } from '../pipeline/readModelInput';
import { writeGradcamOverlay } from '../pipeline/writeGradcamOverlay';

/** Options of {@link runPredict} (the arguments and flags of `cxr predict`). */
export interface PredictOptions {
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

/** What `cxr predict` returns. */
export interface PredictResult {
  model: string;
  predictions: ImagePrediction[];
  failed: number;
  notice: 'NOT FOR CLINICAL USE';
}

/**
 * Classifies PNG, JPEG or DICOM files with a saved model (each preprocessed with the model's saved spec; DICOM through
 * `decodeDicom`), deciding at the model's threshold, optionally with a Grad-CAM overlay each. A file that cannot be
 * read is reported (`ok: false`) and skipped.
 */
export async function runPredict(options: PredictOptions): Promise<PredictResult> {
  const cwd = options.cwd ?? process.cwd();
  if (options.images.length === 0) throw new UsageError('give at least one image, e.g. cxr predict --model models/m scan.png');
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

/** The text `cxr predict` prints (the clinical notice on every prediction). */
export function formatPredictResult(r: PredictResult): string {
  const out: string[] = [];
  for (const p of r.predictions) {
    if (!p.ok) {
      out.push(`${p.path}: FAILED: ${p.error}`);
      continue;
    }
    const probs = Object.entries(p.probabilities).map(([c, v]) => `${c} ${v.toFixed(3)}`).join(', ');
    out.push(`${p.path}: ${p.decision} (${probs}; threshold ${p.threshold})${p.heatmap ? ` heatmap ${p.heatmap}` : ''}  [NOT FOR CLINICAL USE]`);
  }
  out.push(`${r.predictions.length - r.failed} predicted, ${r.failed} failed. NOT FOR CLINICAL USE: research software, not a diagnosis.`);
  return `${out.join('\n')}\n`;
}

const EXAMPLE = `
Example:
  $ cxr predict --model models/mobilenet scans/a.png scans/b.jpg scans/c.dcm --heatmap heatmaps
  scans/a.png: covid (covid 0.912, normal 0.088; threshold 0.5) heatmap heatmaps/01-a-gradcam.png  [NOT FOR CLINICAL USE]
  A file that cannot be read is reported and skipped; the exit code is then 1.

NOT FOR CLINICAL USE.
`;

/** `cxr predict`. */
export const command: CommandModule = {
  name: 'predict',
  register(program: Command, ctx: CliContext): void {
    program
      .command('predict')
      .description('Classify PNG, JPEG or DICOM chest X-rays with a trained model (NOT FOR CLINICAL USE)')
      .requiredOption('--model <model-dir>', 'model folder written by cxr train')
      .argument('<images...>', 'image files (PNG, JPEG, DICOM)')
      .option('--heatmap <dir>', 'write a Grad-CAM overlay PNG per image here')
      .option('--json', 'print the predictions as JSON')
      .addHelpText('after', EXAMPLE)
      .action(async (images: string[], opts: { model: string; heatmap?: string; json?: boolean }) => {
        const result = await runPredict({ ...opts, images, cwd: ctx.cwd });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatPredictResult(result));
        for (const p of result.predictions) if (!p.ok) ctx.stderr.write(`cxr: ${p.error}\n`);
        // Exit code 1 through main's error mapping, after the good predictions were printed.
        if (result.failed > 0) throw new InputError(`${result.failed} of ${result.predictions.length} images failed`);
      });
  },
};
