import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { BACKBONE_NAMES, type BackboneName } from '../backbones/backbone';
import type { BackboneSpec } from '../backbones/openBackbone';
import { PipelineOptionsError } from '../errors';
import { formatLosoReport } from './formatLosoReport';
import { resolveMitigation } from './mitigations';
import { runLoso, type LosoReport } from './runLoso';

/** Options of {@link runExperimentLoso} (the flags of `cxr experiment loso`). */
export interface ExperimentLosoOptions {
  /** A dataset built by `cxr dataset build`. */
  data: string;
  backbone: string;
  /** Weights folder or file of the backbone (MobileNet v1: the tfjs layers folder). */
  weights?: string;
  /** A backbone spec instead of `backbone` + `weights` (tests: a tiny random base). */
  backboneSpec?: BackboneSpec;
  /** Where report.md and report.json go (default `<data>/experiments/loso`). */
  out?: string;
  mitigations?: string[];
  seed?: number;
  folds?: number;
  epochs?: number;
  bootstrapIterations?: number;
  cacheDir?: string;
  cwd?: string;
  onProgress?: (message: string) => void;
}

/** What `cxr experiment loso` produced: the report and the files written. */
export interface ExperimentLosoResult {
  report: LosoReport;
  markdown: string;
  files: { markdown: string; json: string };
}

/**
 * Runs the leave-one-source-out experiment (`runLoso`) and writes `report.md` and `report.json` atomically.
 * @throws PipelineOptionsError for an unknown backbone or mitigation, or missing weights; PipelineInputError for bad data or a patient leak
 * @example
 * const { files, report } = await runExperimentLoso({ data: 'data/cxr', backbone: 'mobilenet_v1', weights: 'weights/mobilenet', mitigations: ['clahe'] });
 */
export async function runExperimentLoso(options: ExperimentLosoOptions): Promise<ExperimentLosoResult> {
  const cwd = options.cwd ?? process.cwd();
  for (const m of options.mitigations ?? []) resolveMitigation(m);
  let spec = options.backboneSpec;
  if (!spec) {
    if (!BACKBONE_NAMES.includes(options.backbone as BackboneName)) {
      throw new PipelineOptionsError(`--backbone ${JSON.stringify(options.backbone)}: expected one of ${BACKBONE_NAMES.join(', ')}`);
    }
    if (!options.weights) throw new PipelineOptionsError(`--weights is required: the experiment measures a pretrained ${options.backbone} (e.g. ../shared/data/weights/mobilenet_v1_1.0_224_conv_pw_12)`);
    spec = { name: options.backbone as BackboneName, weights: path.resolve(cwd, options.weights) };
  }
  const report = await runLoso({
    data: options.data,
    backbone: spec,
    mitigations: options.mitigations,
    seed: options.seed,
    folds: options.folds,
    epochs: options.epochs,
    bootstrapIterations: options.bootstrapIterations,
    cacheDir: options.cacheDir,
    cwd,
    onProgress: options.onProgress,
  });
  const outDir = path.resolve(cwd, options.out ?? path.join(options.data, 'experiments/loso'));
  await mkdir(outDir, { recursive: true });
  const markdown = formatLosoReport(report);
  const files = { markdown: path.join(outDir, 'report.md'), json: path.join(outDir, 'report.json') };
  await writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(files.markdown, markdown);
  return { report, markdown, files };
}

