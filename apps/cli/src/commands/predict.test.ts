import { readdir, readFile, writeFile } from 'node:fs/promises';
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
      // a file unlike the demo's synthetic training images may be refused; the rest are decided at the threshold
      if (p.decision === null) expect(p.refusal).toMatch(/^outside what this model was trained on: no decision \(/);
      else expect(p.decision).toBe(p.probabilities.covid >= p.threshold ? 'covid' : 'normal');
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
    // [01]: with pure-rand's stream this small random-base demo model gives this image covid 1.000 (0.xxx before).
    expect(r.stdout).toMatch(new RegExp(`${path.basename(good)}: (covid|normal) \\(covid [01]\\.\\d{3}, normal [01]\\.\\d{3}; threshold 0\\.5\\)`));
    const errors = r.stderr.trim().split('\n');
    expect(errors[0]).toContain('broken.png');
    expect(errors[errors.length - 1]).toBe('cxr: 1 of 2 images failed');
  });

  it('refuses a strip as an implausible radiograph (typed error naming the file) and a flat picture as outside what the model was trained on; --prevalence gives PPV/NPV by Bayes', async () => {
    const sharp = (await import('sharp')).default;
    const good = path.join(fx.demo.dataset, 'covid', (await readdir(path.join(fx.demo.dataset, 'covid')))[0]);
    const strip = path.join(fx.tmp, 'strip.png');
    const { width = 0 } = await sharp(good).metadata();
    await sharp(good).extract({ left: 0, top: 10, width, height: 1 }).png().toFile(strip);
    const flat = path.join(fx.tmp, 'flat.png');
    await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 200, g: 30, b: 60 } } }).png().toFile(flat);
    const r = await runCli(fx.tmp, ['predict', '--model', fx.demo.model, strip, flat, '--json']);
    // The strip never reaches the model: the radiograph geometry check (issue 18) refuses it with a typed error.
    expect(r.code).toBe(1);
    const [s, f] = (JSON.parse(r.stdout) as PredictResult).predictions;
    if (s.ok) throw new Error('the strip was predicted');
    expect(s.error).toContain('strip.png');
    expect(s.error).toContain('shorter side is 1 px');
    if (!f.ok) throw new Error('prediction failed');
    expect(f.decision).toBeNull();
    expect(f.inputCheck?.reasons).toContain('only 1 grey levels (radiographs have hundreds)');
    const text = await runCli(fx.tmp, ['predict', '--model', fx.demo.model, flat]);
    expect(text.stdout).toContain('flat.png: outside what this model was trained on: no decision (');
    expect(text.stdout).toContain('1 image(s) refused');

    const config = JSON.parse(await readFile(path.join(fx.demo.model, 'cxr.json'), 'utf8'));
    const op = config.trainingMetrics.validationOperatingPoint as { sensitivity: number; specificity: number };
    const pv = await runCli(fx.tmp, ['predict', '--model', fx.demo.model, good, '--json', '--prevalence', '0.05']);
    const [p] = (JSON.parse(pv.stdout) as PredictResult).predictions;
    if (!p.ok) throw new Error(p.error);
    if (p.decision !== null) {
      expect(p.atPrevalence?.ppv).toBeCloseTo((op.sensitivity * 0.05) / (op.sensitivity * 0.05 + (1 - op.specificity) * 0.95), 12);
      expect(p.atPrevalence?.decisionRight).toBe(p.decision === 'covid' ? p.atPrevalence?.ppv : p.atPrevalence?.npv);
    }
    expect((await runCli(fx.tmp, ['predict', '--model', fx.demo.model, good, '--prevalence', '0'])).code).toBe(2);
  });

  it('exits 2 without images, and 1 for a model folder that does not exist (one line naming it)', async () => {
    expect((await runCli(fx.tmp, ['predict', '--model', fx.demo.model])).code).toBe(2);
    const r = await runCli(fx.tmp, ['predict', '--model', 'no-such-model', 'x.png']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no-such-model');
  });
});
