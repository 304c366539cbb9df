import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runCli, sharedDataDir } from '../__fixtures__/cliHarness';
import { parseWindow, type DicomConvertResult } from './dicom';

const dicomDir = path.join(sharedDataDir, 'dicom');

let dir: string;
const cli = (args: string[], tty = false) => runCli(dir, args, tty);

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-cli-dicom-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cxr dicom convert', () => {
  it('converts good files, reports the bad one, and exits 1 at the end', async () => {
    await writeFile(path.join(dir, 'notes.dcm'), 'PatientID,Finding\n'.repeat(20));
    const chest = path.join(dicomDir, 'original/CR-MONO1-10-chest.dcm');
    const jpeg = path.join(dicomDir, 'original/siim_cr_pa_jpegbaseline_mono2.dcm');
    const r = await cli(['dicom', 'convert', chest, 'notes.dcm', jpeg, '--out', 'png']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('-> png/CR-MONO1-10-chest.png (440x440, 8-bit, file window 550/1024)');
    expect(r.stdout).toContain('-> png/siim_cr_pa_jpegbaseline_mono2.png (1024x1024, 8-bit, min-max window');
    expect(r.stdout).toMatch(/^failed notes\.dcm: Cannot parse DICOM .*notes\.dcm: not a DICOM file/m);
    expect(r.stdout).toContain('2 converted, 1 failed, in png.');
    // Plain progress lines off a terminal, then the one-line error of the exit code.
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^\[1\/3\] ok .*CR-MONO1-10-chest\.dcm$/),
      '[2/3] failed notes.dcm',
      expect.stringMatching(/^\[3\/3\] ok /),
      expect.stringMatching(/^cxr: 1 of 3 DICOM files could not be converted \(first: Cannot parse DICOM/),
    ]);
    expect((await readdir(path.join(dir, 'png'))).sort()).toEqual(['CR-MONO1-10-chest.png', 'siim_cr_pa_jpegbaseline_mono2.png']);
  });

  it('prints JSON, writes 16-bit PNGs with the asked window, and rewrites one progress line on a TTY', async () => {
    const chest = path.join(dicomDir, 'original/CR-MONO1-10-chest.dcm');
    const r = await cli(['dicom', 'convert', chest, '--out', 'png16', '--bits', '16', '--window', '500,1000', '--json'], true);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as DicomConvertResult;
    expect(result.failed).toEqual([]);
    expect(result.converted[0]).toMatchObject({ width: 440, height: 440, bitsPerSample: 16, voi: { kind: 'window', source: 'option', center: 500, width: 1000 } });
    expect(r.stderr).toBe(`\r\x1b[2K[1/1] ok ${path.relative(dir, chest)}\n`);
    const metadata = await sharp(result.converted[0].output).metadata();
    expect([metadata.width, metadata.channels, metadata.depth]).toEqual([440, 1, 'ushort']);
  });

  it('rejects bad options with a usage error and shows a worked example in --help', async () => {
    const bad = await cli(['dicom', 'convert', 'a.dcm', '--out', 'png', '--window', '40']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('center,width');
    expect((await cli(['dicom', 'convert', 'a.dcm', '--out', 'png', '--bits', '12'])).code).toBe(2);
    const help = await cli(['dicom', 'convert', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('$ cxr dicom convert ../shared/data/dicom/original/*.dcm --out png');
    expect(help.stdout).toContain('NOT FOR CLINICAL USE');
  });
});

describe('parseWindow', () => {
  it('reads auto, none and center,width', () => {
    expect(parseWindow('auto')).toBe('auto');
    expect(parseWindow('NONE')).toBe('none');
    expect(parseWindow('-600, 1500')).toEqual({ center: -600, width: 1500 });
    expect(() => parseWindow('40,0.5')).toThrow(/width >= 1/);
  });
});
