import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convertDicomToPng } from '@cxr/dataset/node';
import { useDemoModel } from '../__fixtures__/useDemoModel';
import { runCli, sharedDataDir as sharedData } from '../__fixtures__/cliHarness';
import type { PredictImagesResult as PredictResult } from '@cxr/model/node';

/** `cxr predict` on PNG, JPEG and DICOM with a model trained by the small demo (random base). */
describe('cxr predict', () => {
  const fx = useDemoModel('predict', 7);

  it('predicts a PNG, a JPEG and a DICOM (--json), deciding at the model threshold, with heatmaps', async () => {
    const png = path.join(fx.demo.dataset, 'covid', (await readdir(path.join(fx.demo.dataset, 'covid')))[0]);
    const jpegs = (await readdir(path.join(fx.demo.sources, 'covid-chestxray', 'images'))).filter((f) => /\.jpe?g$/i.test(f));
    expect(jpegs.length).toBeGreaterThan(0);
    const jpeg = path.join(fx.demo.sources, 'covid-chestxray', 'images', jpegs[0]);
    const dicom = path.join(sharedData, 'dicom', 'original', 'nih_cxr14_nofinding_dx_uncompressed.dcm');
    const r = await runCli(fx.tmp, ['predict', '--model', fx.demo.model, png, jpeg, dicom, '--json', '--heatmap', 'heat']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as PredictResult;
    expect(result.failed).toBe(0);
    expect(result.notice).toBe('NOT FOR CLINICAL USE');
    expect(result.predictions.map((p) => (p.ok ? p.format : 'failed'))).toEqual(['image', 'image', 'dicom']);
    for (const p of result.predictions) {
      if (!p.ok) throw new Error(p.error);
      expect(p.probabilities.covid + p.probabilities.normal).toBeCloseTo(1, 5);
      expect(p.decision).toBe(p.probabilities.covid >= p.threshold ? 'covid' : 'normal');
      expect(p.threshold).toBe(0.5);
      expect(p.heatmap?.startsWith(path.join(fx.tmp, 'heat'))).toBe(true);
    }
    expect((await readdir(path.join(fx.tmp, 'heat'))).filter((f) => f.endsWith('.png'))).toHaveLength(3);
  });

  it('gives a DICOM the same probabilities as its PNG made by convertDicomToPng (the dcmtk-checked renderer)', async () => {
    const dicom = path.join(sharedData, 'dicom', 'original', 'siim_cr_pa_jpegbaseline_mono2.dcm');
    const png = path.join(fx.tmp, 'siim.png');
    await convertDicomToPng(dicom, png);
    const r = await runCli(fx.tmp, ['predict', '--model', fx.demo.model, dicom, png, '--json']);
    expect(r.code).toBe(0);
    const [a, b] = (JSON.parse(r.stdout) as PredictResult).predictions;
    if (!a.ok || !b.ok) throw new Error('prediction failed');
    expect(a.format).toBe('dicom');
    expect(a.probabilities.covid).toBeCloseTo(b.probabilities.covid, 5);
  });

  it('reports a bad image, skips it, predicts the rest and exits 1', async () => {
    const bad = path.join(fx.tmp, 'broken.png');
    await writeFile(bad, 'not an image at all');
    const good = path.join(fx.demo.dataset, (await readdir(path.join(fx.demo.dataset, 'normal'))).map((f) => `normal/${f}`)[0]);
    const r = await runCli(fx.tmp, ['predict', '--model', fx.demo.model, bad, good]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NOT FOR CLINICAL USE');
    expect(r.stdout).toMatch(new RegExp(`${path.basename(good)}: (covid|normal) \\(covid 0\\.\\d{3}, normal 0\\.\\d{3}; threshold 0\\.5\\)`));
    const errors = r.stderr.trim().split('\n');
    expect(errors[0]).toContain('broken.png');
    expect(errors[errors.length - 1]).toBe('cxr: 1 of 2 images failed');
  });

  it('exits 2 without images, and 1 for a model folder that does not exist (one line naming it)', async () => {
    expect((await runCli(fx.tmp, ['predict', '--model', fx.demo.model])).code).toBe(2);
    const r = await runCli(fx.tmp, ['predict', '--model', 'no-such-model', 'x.png']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no-such-model');
  });
});
