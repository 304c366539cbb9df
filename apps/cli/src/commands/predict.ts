import { predictImages, type PredictImagesOptions, type PredictImagesResult } from '@cxr/model/node';
import { Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { InputError } from '../errors';
import { parseProportion } from '../pipeline/optionParsers';

/** `cxr predict`'s work: {@link predictImages} of `@cxr/model/node`. */
export function runPredict(options: PredictImagesOptions): Promise<PredictImagesResult> {
  return predictImages(options);
}

/** The text `cxr predict` prints (the clinical notice on every prediction). */
export function formatPredictResult(r: PredictImagesResult): string {
  const out: string[] = [];
  for (const p of r.predictions) {
    if (!p.ok) {
      out.push(`${p.path}: FAILED: ${p.error}`);
      continue;
    }
    const probs = Object.entries(p.probabilities).map(([c, v]) => `${c} ${v.toFixed(3)}`).join(', ');
    const answer = p.decision ?? p.refusal;
    const pv = p.atPrevalence
      ? `; at prevalence ${p.atPrevalence.prevalence}: this call is right with probability ${p.atPrevalence.decisionRight.toFixed(3)} (PPV ${p.atPrevalence.ppv.toFixed(3)}, NPV ${p.atPrevalence.npv.toFixed(3)})`
      : '';
    out.push(`${p.path}: ${answer} (${probs}; threshold ${p.threshold}${pv})${p.heatmap ? ` heatmap ${p.heatmap}` : ''}  [NOT FOR CLINICAL USE]`);
  }
  const refused = r.predictions.filter((p) => p.ok && p.decision === null).length;
  if (refused > 0) out.push(`${refused} image(s) refused: outside what this model was trained on, no decision.`);
  out.push(`${r.predictions.length - r.failed} predicted, ${r.failed} failed. NOT FOR CLINICAL USE: research software, not a diagnosis.`);
  return `${out.join('\n')}\n`;
}

const EXAMPLE = `
Example:
  $ cxr predict --model models/mobilenet scans/a.png scans/b.jpg scans/c.dcm --heatmap heatmaps
  scans/a.png: covid (covid 0.912, normal 0.088; threshold 0.5) heatmap heatmaps/01-a-gradcam.png  [NOT FOR CLINICAL USE]
  A file that cannot be read is reported and skipped; the exit code is then 1. An image unlike the model's training
  images (a lateral view, a photograph, a strip) gets "outside what this model was trained on: no decision" and why.
  $ cxr predict --model models/mobilenet --prevalence 0.05 scans/a.png   # PPV/NPV at 5% prevalence

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
      .addOption(new Option('--prevalence <p>', 'give PPV/NPV at this prevalence (0..1, e.g. 0.05) from the validation sensitivity and specificity').argParser(parseProportion))
      .option('--json', 'print the predictions as JSON')
      .addHelpText('after', EXAMPLE)
      .action(async (images: string[], opts: { model: string; heatmap?: string; json?: boolean; prevalence?: number }) => {
        const result = await runPredict({ ...opts, images, cwd: ctx.cwd });
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatPredictResult(result));
        for (const p of result.predictions) if (!p.ok) ctx.stderr.write(`cxr: ${p.error}\n`);
        // Exit code 1 through main's error mapping, after the good predictions were printed.
        if (result.failed > 0) throw new InputError(`${result.failed} of ${result.predictions.length} images failed`);
      });
  },
};
