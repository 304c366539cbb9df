import { trainFromDataset, type BackendName, type FeatureEngineChoice, type FeaturePrecision, type ThresholdMethod, type TrainFromDatasetOptions, type TrainFromDatasetResult } from '@cxr/model/node';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { InterruptedError } from '../errors';
import { abortOnSigint } from '../pipeline/abortOnSigint';
import { parsePositiveInt, parseSeed } from '../pipeline/optionParsers';
import { createProgress } from '../pipeline/progress';

/** `cxr train`'s work: {@link trainFromDataset} of `@cxr/model/node`. */
export function runTrain(options: TrainFromDatasetOptions): Promise<TrainFromDatasetResult> {
  return trainFromDataset(options);
}

/** Parses `--threshold`: a number in [0, 1], `youden`, `sens:0.95` or `spec:0.95`. */
export function parseThreshold(value: string): ThresholdMethod {
  const v = value.trim().toLowerCase();
  if (v === 'youden') return { kind: 'youden' };
  const m = /^(sens|spec):(\d*\.?\d+)$/.exec(v);
  if (m) {
    const target = Number(m[2]);
    if (!(target > 0 && target <= 1)) throw new InvalidArgumentError('the target must be in (0, 1], e.g. sens:0.95.');
    return { kind: m[1] === 'sens' ? 'sensitivity' : 'specificity', target };
  }
  const x = Number(v);
  if (v !== '' && x >= 0 && x <= 1) return { kind: 'fixed', value: x };
  throw new InvalidArgumentError('expected a number in [0, 1], youden, sens:<target> or spec:<target>.');
}

/** The text `cxr train` prints at the end. */
export function formatTrainResult(r: TrainFromDatasetResult): string {
  const out: string[] = [];
  if (r.aborted) {
    out.push(`Interrupted after ${r.epochsCompleted} complete epoch(s). Checkpoint: ${r.checkpoint}`);
    out.push('Continue with the same command plus --resume.');
  } else {
    const last = r.history.loss.length - 1;
    out.push(`Model saved to ${r.model} (cxr.json, model.json, training-history.json)`);
    out.push(`Backbone: ${r.backbone.description}`);
    out.push(`Backend: tfjs ${r.backend.name}; features: ${r.engine}${r.precision === 'int8' ? ' (int8 backbone)' : ''}`);
    out.push(`Split: ${r.split.train} train / ${r.split.val} val / ${r.split.test} test (${r.split.file})`);
    out.push(
      `Epochs: ${r.epochsCompleted}${r.resumed ? ' (resumed)' : ''}; kept epoch ${r.bestEpoch + 1}; last loss ${r.history.loss[last]?.toFixed(4)} acc ${r.history.accuracy[last]?.toFixed(3)}` +
        (r.history.valLoss.length ? `; val loss ${r.history.valLoss[last]?.toFixed(4)} acc ${r.history.valAccuracy[last]?.toFixed(3)}` : ''),
    );
    out.push(`Threshold: ${r.threshold.value} (${r.threshold.method})`);
    out.push(`Calibration: ${r.temperature === null ? 'none' : `temperature ${r.temperature.toFixed(3)} (fitted on the validation split)`}`);
    if (r.inputCheck) out.push(`Input check: refuses images unlike the training images (k-NN feature distance > ${r.inputCheck.threshold.toFixed(4)}; ${(r.inputCheck.falseRefusalRate * 100).toFixed(1)}% of held-out training images)`);
    if (r.dataDesign?.warning) out.push(r.dataDesign.warning);
    out.push(`Time: ${r.seconds.toFixed(1)} s. Next: cxr evaluate --model ${r.model} --data <dataset> --report <dir>`);
  }
  out.push('NOT FOR CLINICAL USE.');
  return `${out.join('\n')}\n`;
}

/** Parses a finite number >= 0 (`--spectral-decoupling`, `--source-adversarial`). */
export function parseNonNegative(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError('expected a number >= 0.');
  return x;
}

const EXAMPLE = `
Example:
  $ cxr weights fetch mobilenet_v1            # once; prints the weights folder
  $ cxr train --data data/cxr --backbone mobilenet_v1 --weights ~/.cache/cxr/weights/mobilenet_v1_1.0_224 --out models/mobilenet
  patient-level split written to data/cxr/split.csv (70/15/15, seeded), features cached, 10 epochs of the
  notebook's head (AvgPool 4x4, Dense 64, Dropout 0.5, Dense 2; Adam 1e-3, decay lr/epochs, batch 8);
  writes models/mobilenet/{model.json,cxr.json,training-history.json}.
  $ cxr train ... --threshold youden          # threshold chosen on the validation split
  A dataset where a class comes >= 80% from sources no other class has (the notebook's recipe: 90% of normals
  from NIH, which has no covid) is refused with exit 2; --allow-confounded trains and saves the warning.
  $ cxr train ... --clahe --lung-crop --spectral-decoupling 0.1   # mitigations (docs/honest-evaluation.md ranks them); recorded in cxr.json
  $ cxr train ... --backbone mobilenet_v1 --fine-tune-blocks 1   # also train MobileNet's last block (conv_pw_12)
  Each epoch end (and Ctrl-C) writes models/mobilenet.checkpoint.json; after any interruption the same command
  with --resume continues.

NOT FOR CLINICAL USE.
`;

/** `cxr train`. */
export const command: CommandModule = {
  name: 'train',
  register(program: Command, ctx: CliContext): void {
    program
      .command('train')
      .description('Train the COVID-19 vs normal head on a frozen ImageNet base (NOT FOR CLINICAL USE)')
      .requiredOption('--data <dataset>', 'built dataset (manifest.csv) or folder with covid/ and normal/')
      .addOption(new Option('--backbone <name>', 'frozen base').choices(['vgg16', 'mobilenet_v1']).default('vgg16'))
      .option('--weights <file|dir>', 'base weights: Keras .h5 (vgg16) or tfjs layers folder (cxr weights fetch)')
      .option('--random-weights', 'seeded random base instead of weights (demo/testing only: NOT ImageNet)')
      .requiredOption('--out <model-dir>', 'model folder to write')
      .addOption(new Option('--epochs <n>', 'training epochs').argParser(parsePositiveInt).default(10))
      .addOption(new Option('--batch-size <n>', 'images per update').argParser(parsePositiveInt).default(8))
      .addOption(new Option('--seed <n>', 'seed of the split, weights init, shuffling, dropout').argParser(parseSeed).default(42))
      .addOption(new Option('--augment [copies]', 'add rotated copies (+-15 degrees) of each training image (default 2 when given)').argParser(parsePositiveInt).preset('2'))
      .option('--split <split-file>', 'split.csv to use (default: <dataset>/split.csv, made if absent)')
      .addOption(new Option('--backend <name>', 'tfjs backend').choices(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'))
      .addOption(new Option('--engine <name>', 'feature engine').choices(['auto', 'onnx', 'tfjs']).default('auto'))
      .addOption(new Option('--precision <p>', 'backbone precision: int8 = quantised ONNX graph calibrated on training images (onnx only)').choices(['fp32', 'int8']).default('fp32'))
      .option('--cache-dir <dir>', 'feature cache (default $CXR_CACHE_DIR/features or ~/.cache/cxr/features)')
      .addOption(new Option('--threshold <method>', 'decision threshold: 0.5, youden, sens:0.95, spec:0.95').argParser(parseThreshold))
      .option('--float16', 'also save float16 weights (model-float16.json: half the download for the web app)')
      .option('--clahe', 'CLAHE (8x8 tiles, clip 2) before resizing; saved in cxr.json, so prediction applies it too')
      .option('--lung-crop', 'keep only the lung fields (10% off each side, 8% off the top, 12% off the bottom) first; saved in cxr.json')
      .addOption(new Option('--spectral-decoupling <lambda>', 'add lambda/2 * ||logits||^2 to the loss (Pohjonen et al. 2022); 0 = off').argParser(parseNonNegative))
      .option('--source-balanced', 'weigh every source of the manifest the same within each class')
      .addOption(new Option('--source-adversarial <weight>', 'hide the source among images of one class (gradient reversal); 0 = off').argParser(parseNonNegative))
      .addOption(new Option('--fine-tune-blocks <n>', "train the backbone's top n pointwise blocks with the head (mobilenet_v1: 1; lr a tenth of the head's); in cxr.json").argParser(parsePositiveInt))
      .option('--resume', 'continue from <out>.checkpoint.json left by an interrupted run (Ctrl-C, a kill, a crash)')
      .option('--allow-confounded', 'train even when a class comes mostly from sources no other class has (the warning is saved in cxr.json)')
      .option('--no-calibrate', 'do not fit temperature scaling on the validation split')
      .option('--json', 'print the result as JSON')
      .addHelpText('after', EXAMPLE)
      .action(
        async (opts: {
          data: string; backbone: string; weights?: string; randomWeights?: boolean; out: string; epochs: number; batchSize: number; seed: number; augment?: number; float16?: boolean;
          split?: string; backend: BackendName | 'auto'; engine: FeatureEngineChoice; precision: FeaturePrecision; cacheDir?: string; threshold?: ThresholdMethod; resume?: boolean; json?: boolean;
          allowConfounded?: boolean; calibrate: boolean;
          clahe?: boolean; lungCrop?: boolean; spectralDecoupling?: number; sourceBalanced?: boolean; sourceAdversarial?: number; fineTuneBlocks?: number;
        }) => {
          const progress = createProgress(ctx);
          const result = await abortOnSigint(
            (signal) => runTrain({ ...opts, ...(opts.fineTuneBlocks ? { fineTune: { blocks: opts.fineTuneBlocks } } : {}), cwd: ctx.cwd, signal, progress }),
            () => progress.line('interrupted: stopping after this batch and writing a checkpoint (Ctrl-C again to quit at once)'),
          );
          ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatTrainResult(result));
          if (result.aborted) throw new InterruptedError(`interrupted; checkpoint ${result.checkpoint} (resume with --resume)`);
        },
      );
  },
};
