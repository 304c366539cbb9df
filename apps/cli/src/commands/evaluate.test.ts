import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseSplitCsv } from '@cxr/dataset/node';
import { useDemoModel } from '../__fixtures__/useDemoModel';
import { runCli } from '../__fixtures__/cliHarness';
import type { BinaryEvaluateResult as EvaluateResult } from '@cxr/model/node';

/** `cxr evaluate` on a built dataset's test split and on class folders, with a model trained by the small demo. */
describe('cxr evaluate', () => {
  const fx = useDemoModel('evaluate', 3);

  it('--json: the keys of cxr metrics plus n and perSource; counts hand-checked against the test split and scores', async () => {
    const r = await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', fx.demo.dataset, '--json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as EvaluateResult;
    for (const key of ['n', 'classificationReport', 'positiveLabel', 'negativeLabel', 'threshold', 'confusionMatrix', 'accuracy', 'sensitivity', 'specificity', 'precision', 'npv', 'f1', 'mcc', 'auc', 'roc', 'pr', 'warnings', 'perSource']) {
      expect(m).toHaveProperty(key);
    }
    const split = parseSplitCsv(await readFile(path.join(fx.demo.dataset, 'split.csv'), 'utf8'), 'split.csv').filter((a) => a.split === 'test');
    expect(m.n).toBe(split.length);
    expect(m.scores.map((s) => s.path).sort()).toEqual(split.map((a) => a.path).sort());
    // Recount the confusion matrix from the per-image scores at the threshold.
    const count = (label: string, positive: boolean) => m.scores.filter((s) => s.label === label && s.score >= m.threshold === positive).length;
    expect(m.confusionMatrix).toMatchObject({ tp: count('covid', true), fn: count('covid', false), tn: count('normal', false), fp: count('normal', true) });
    const covidRow = m.classificationReport.classes.find((c) => c.label === 'covid');
    expect(covidRow?.recall).toBeCloseTo(count('covid', true) / (count('covid', true) + count('covid', false)), 12);
    expect(covidRow?.support).toBe(count('covid', true) + count('covid', false));
    // Per source: the images of each source add up to the whole.
    const perSource = m.perSource ?? {};
    expect(Object.values(perSource).reduce((a, s) => a + s.n, 0)).toBe(m.n);
    expect(Object.keys(perSource).every((s) => ['covid-chestxray', 'nih-cxr14', 'rsna-pneumonia'].includes(s))).toBe(true);
  });

  it('on a folder holding only normals: specificity alone, AUC absent with the reason', async () => {
    const folder = path.join(fx.tmp, 'only-normals');
    await mkdir(path.join(folder, 'normal'), { recursive: true });
    const normals = (await readdir(path.join(fx.demo.dataset, 'normal'))).slice(0, 5);
    for (const f of normals) await copyFile(path.join(fx.demo.dataset, 'normal', f), path.join(folder, 'normal', f));
    const json = await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', folder, '--json']);
    expect(json.code).toBe(0);
    const m = JSON.parse(json.stdout) as EvaluateResult;
    expect(m.n).toBe(5);
    expect(m.split).toBe('all');
    expect(m.auc).toBeNull();
    expect(m.aucReason).toMatch(/AUC needs both classes; only "normal"/);
    expect(m.sensitivity.value).toBeNull(); // 0/0, written null in JSON
    const tn = m.scores.filter((s) => s.score < m.threshold).length;
    expect(m.specificity.value).toBeCloseTo(tn / 5, 12);
    const text = await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', folder]);
    expect(text.stdout).toMatch(/ROC AUC +absent: AUC needs both classes/);
    expect(text.stdout).toContain('NOT FOR CLINICAL USE');
  });

  it('--report writes the HTML/Markdown report with training curves and Grad-CAM overlays', async () => {
    const r = await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', fx.demo.dataset, '--report', 'rep']);
    expect(r.code).toBe(0);
    const dir = path.join(fx.tmp, 'rep');
    for (const f of ['report.html', 'report.md', 'metrics.json']) expect((await stat(path.join(dir, f))).size).toBeGreaterThan(0);
    const plots = await readdir(path.join(dir, 'plots'));
    expect(plots.some((p) => /training/i.test(p))).toBe(true);
    expect((await readdir(path.join(dir, 'gradcam'))).length).toBeGreaterThan(0);
    const json = JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8'));
    expect(json.history.epochs).toHaveLength(20);
    expect(plots).toContain('reliability.png');
    expect(json.safety.calibration.ece).toBeGreaterThanOrEqual(0);
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toContain('WARNING: confounded training data');
  });

  it('--prevalence: PPV/NPV by Bayes from the measured sensitivity and specificity; ECE, coverage and the data-design warning', async () => {
    const r = await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', fx.demo.dataset, '--json', '--prevalence', '0.05']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as EvaluateResult;
    const se = m.sensitivity.value;
    const sp = m.specificity.value;
    expect(m.atPrevalence?.prevalence).toBe(0.05);
    expect(m.atPrevalence?.ppv).toBeCloseTo((se * 0.05) / (se * 0.05 + (1 - sp) * 0.95), 12);
    expect(m.atPrevalence?.npv).toBeCloseTo((sp * 0.95) / (sp * 0.95 + (1 - se) * 0.05), 12);
    // ECE recomputed by hand from the per-image scores (10 equal bins)
    let ece = 0;
    for (let b = 0; b < 10; b++) {
      const inBin = m.scores.filter((s) => Math.min(9, Math.floor(s.score * 10)) === b);
      if (inBin.length === 0) continue;
      const mean = inBin.reduce((a, s) => a + s.score, 0) / inBin.length;
      const rate = inBin.filter((s) => s.label === 'covid').length / inBin.length;
      ece += (inBin.length / m.n) * Math.abs(rate - mean);
    }
    expect(m.calibration.ece).toBeCloseTo(ece, 10);
    expect(m.coverage.n).toBe(m.n);
    expect(m.coverage.decided + m.coverage.refused).toBe(m.n);
    expect(m.coverage.checked).toBe(true);
    // the demo model was trained on the demo's confounded layout: the warning it saved comes back
    expect(m.dataDesignWarning).toMatch(/^WARNING: confounded training data/);
    const text = await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', fx.demo.dataset, '--prevalence', '0.05']);
    expect(text.stdout).toContain(`At prevalence 0.05: PPV ${m.atPrevalence?.ppv.toFixed(3)}`);
    expect(text.stdout).toMatch(/Coverage: \d+ of \d+ images decided/);
    expect(text.stdout).toContain('WARNING: confounded training data');
    expect((await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', fx.demo.dataset, '--prevalence', '5'])).code).toBe(2);
  });

  it('bad input exits 1 with one line naming the file; bad usage exits 2', async () => {
    const missing = await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', 'nowhere']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`cxr: ${path.join(fx.tmp, 'nowhere')}: no such dataset folder\n`);
    const empty = path.join(fx.tmp, 'empty');
    await mkdir(empty);
    const none = await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', empty]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain(empty);
    expect((await runCli(fx.tmp, ['evaluate', '--data', fx.demo.dataset])).code).toBe(2);
    expect((await runCli(fx.tmp, ['evaluate', '--model', fx.demo.model, '--data', fx.demo.dataset, '--split', 'nope'])).code).toBe(2);
  });
});
