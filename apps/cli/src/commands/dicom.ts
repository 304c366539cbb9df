import path from 'node:path';
import type { AppliedVoi, VoiWindow } from '@cxr/dataset';
import { convertDicomFiles, type DicomConvertProgress } from '@cxr/dataset/node';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../command';
import { InputError, UsageError } from '../errors';
import { createProgress } from '../pipeline/progress';

/** Options of {@link runDicomConvert} (the arguments and flags of `cxr dicom convert`). */
export interface DicomConvertOptions {
  files: readonly string[];
  /** Output folder (created if needed). */
  out: string;
  /** 8 (default) or 16 bits per PNG sample. */
  bits?: 8 | 16;
  /** `auto` (min-max), `none`, or a window; default: the file's first window, else min-max. */
  window?: VoiWindow | 'auto' | 'none';
  /** Which of the file's windows to use (0-based). */
  windowIndex?: number;
  /** Directory against which relative paths are resolved; the process's by default. */
  cwd?: string;
  onProgress?: (progress: DicomConvertProgress) => void;
}

/** What `cxr dicom convert` did, as `--json` prints it. */
export interface DicomConvertResult {
  outDir: string;
  converted: Array<{ input: string; output: string; width: number; height: number; bitsPerSample: 8 | 16; voi: AppliedVoi }>;
  failed: Array<{ file: string; error: string; errorName: string }>;
  notice: 'NOT FOR CLINICAL USE';
}

/**
 * Converts DICOM files to greyscale PNGs in `out` (`convertDicomFiles` of `@cxr/dataset/node`). A bad file is
 * reported in `failed` and skipped; the caller decides the exit code.
 */
export async function runDicomConvert(options: DicomConvertOptions): Promise<DicomConvertResult> {
  if (options.files.length === 0) throw new UsageError('at least one DICOM file is required');
  const cwd = options.cwd ?? process.cwd();
  const outDir = path.resolve(cwd, options.out);
  const files = options.files.map((f) => path.resolve(cwd, f));
  const result = await convertDicomFiles(
    files,
    outDir,
    { outputBits: options.bits, window: options.window, windowIndex: options.windowIndex },
    options.onProgress,
  );
  return {
    outDir,
    converted: result.converted.map(({ input, output, width, height, bitsPerSample, voi }) => ({ input, output, width, height, bitsPerSample, voi })),
    failed: result.failed.map((f) => ({ file: f.file, error: f.error.message, errorName: f.error.name })),
    notice: 'NOT FOR CLINICAL USE',
  };
}

function describeVoi(voi: AppliedVoi): string {
  if (voi.kind === 'window') {
    const source = voi.source === 'min-max' ? 'min-max window' : voi.source === 'file' ? 'file window' : 'window';
    return `${source} ${Number(voi.center.toFixed(3))}/${Number(voi.width.toFixed(3))}${voi.function === 'LINEAR' ? '' : ` ${voi.function}`}`;
  }
  return voi.kind === 'lut' ? 'VOI LUT' : 'no VOI';
}

/** The text `cxr dicom convert` prints. */
export function formatDicomConvert(r: DicomConvertResult, cwd: string): string {
  const rel = (p: string) => path.relative(cwd, p) || '.';
  const lines = r.converted.map(
    (c) => `converted ${rel(c.input)} -> ${rel(c.output)} (${c.width}x${c.height}, ${c.bitsPerSample}-bit, ${describeVoi(c.voi)})`,
  );
  for (const f of r.failed) lines.push(`failed ${rel(f.file)}: ${f.error}`);
  lines.push(`${r.converted.length} converted, ${r.failed.length} failed, in ${rel(r.outDir)}. NOT FOR CLINICAL USE.`);
  return `${lines.join('\n')}\n`;
}

/** `--window auto|none|C,W`. */
export function parseWindow(value: string): VoiWindow | 'auto' | 'none' {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === 'none') return v;
  const match = /^(-?\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)$/.exec(v);
  if (!match || !(Number(match[2]) >= 1)) throw new InvalidArgumentError('expected auto, none, or center,width with width >= 1 (e.g. 40,400).');
  return { center: Number(match[1]), width: Number(match[2]) };
}

function parseBits(value: string): 8 | 16 {
  if (value !== '8' && value !== '16') throw new InvalidArgumentError('expected 8 or 16.');
  return Number(value) as 8 | 16;
}

function parseIndex(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a window number from 0.');
  return Number(value);
}

const CONVERT_EXAMPLE = `
Example:
  $ cxr dicom convert ../shared/data/dicom/original/*.dcm --out png
  converted ../shared/data/dicom/original/CR-MONO1-10-chest.dcm -> png/CR-MONO1-10-chest.png (440x440, 8-bit, file window 550/1024)
  ...
  Each PNG is display-ready grey: Modality LUT (rescale or LUT sequence), then the file's first window
  (VOI LUT Function LINEAR, LINEAR_EXACT or SIGMOID; or its VOI LUT), else the min-max window; MONOCHROME1
  is inverted. Transfer syntaxes: implicit/explicit VR little endian, JPEG baseline, JPEG lossless,
  JPEG-LS, JPEG 2000. A file that cannot be converted is reported and skipped; the exit code is then 1.
  $ cxr dicom convert scan.dcm --out png --bits 16 --window 1500,3000 --json

NOT FOR CLINICAL USE.
`;

/** `cxr dicom convert`. */
export const command: CommandModule = {
  name: 'dicom',
  register(program: Command, ctx: CliContext): void {
    const dicom = program.command('dicom').description('Read and convert DICOM chest X-rays');
    dicom
      .command('convert')
      .description('Convert DICOM files to display-ready greyscale PNGs (NOT FOR CLINICAL USE)')
      .argument('<files...>', 'DICOM files')
      .requiredOption('--out <dir>', 'output folder (created if needed)')
      .addOption(new Option('--bits <8|16>', 'bits per PNG sample').argParser(parseBits).default(8))
      .addOption(new Option('--window <auto|none|C,W>', "VOI: min-max, none, or center,width (default: the file's window, else min-max)").argParser(parseWindow))
      .addOption(new Option('--window-index <n>', "which of the file's windows to use, from 0").argParser(parseIndex))
      .option('--json', 'print the result as one JSON object')
      .addHelpText('after', CONVERT_EXAMPLE)
      .action(async (files: string[], opts: { out: string; bits: 8 | 16; window?: VoiWindow | 'auto' | 'none'; windowIndex?: number; json?: boolean }) => {
        const progress = createProgress(ctx);
        const result = await runDicomConvert({
          files,
          out: opts.out,
          bits: opts.bits,
          window: opts.window,
          windowIndex: opts.windowIndex,
          cwd: ctx.cwd,
          // One line per file (forced): a conversion takes long enough for each to be worth seeing.
          onProgress: (p) => progress.status(`[${p.done}/${p.total}] ${p.error ? 'failed' : 'ok'} ${path.relative(ctx.cwd, p.file) || p.file}`, true),
        });
        progress.end();
        ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatDicomConvert(result, ctx.cwd));
        if (result.failed.length > 0) {
          throw new InputError(`${result.failed.length} of ${files.length} DICOM files could not be converted (first: ${result.failed[0].error})`);
        }
      });
  },
};
