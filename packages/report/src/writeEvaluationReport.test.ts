import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { binaryMetrics, predictiveValues, reliabilityDiagram } from '@cxr/metrics';
import sharp from 'sharp';
import { handMetrics, handScores, oneClassMetrics } from './__fixtures__/handMetrics';
import { ReportError } from './errors';
import { escapeHtml } from './renderHtmlReport';
import type { EvaluationReportInput } from './types';
import { writeEvaluationReport } from './writeEvaluationReport';

const model = { backbone: 'mobilenet_v1', weights: 'ImageNet, frozen; head trained 6 epochs', classes: ['covid', 'normal'], positiveClass: 'covid', threshold: 0.5 };
const history = {
  epochs: [1, 2, 3, 4, 5, 6].map((epoch) => ({ epoch, loss: 0.7 / epoch, accuracy: 1 - 0.4 / epoch, valLoss: 0.75 / Math.sqrt(epoch), valAccuracy: 1 - 0.45 / Math.sqrt(epoch) })),
};

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-report-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Writes a small real PNG (a red square on grey) to stand in for a Grad-CAM overlay. */
async function overlay(name: string, red: number): Promise<string> {
  const file = path.join(tmp, name);
  await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: red, g: 90, b: 90 } } }).png().toFile(file);
  return file;
}

function fullInput(gradcam: EvaluationReportInput['gradcam']): EvaluationReportInput {
  return {
    title: 'Hand-checked example <test & "quotes">',
    model,
    metrics: handMetrics,
    perSource: { 'covid-chestxray': handMetrics, nih: oneClassMetrics },
    history,
    scores: handScores,
    gradcam,
    notes: ['Synthetic scores for a test.'],
    warnings: ['Test set smaller than 30 per class.'],
  };
}

describe('writeEvaluationReport', () => {
  let dir: string;
  let html: string;
  let files: Awaited<ReturnType<typeof writeEvaluationReport>>;
  let wrongOverlay: string;

  beforeAll(async () => {
    wrongOverlay = await overlay('wrong.png', 250);
    const rightOverlay = await overlay('right.png', 10);
    dir = path.join(tmp, 'full');
    files = await writeEvaluationReport(dir, fullInput([
      { path: 'covid/c3.png', overlayPngPath: wrongOverlay, label: 'covid', score: 0.4, correct: false },
      { path: 'covid/c0.png', overlayPngPath: rightOverlay, label: 'covid', score: 0.95, correct: true },
    ]));
    html = await readFile(files.html, 'utf8');
  });

  it('writes report.html, report.md, metrics.json and an SVG and PNG per plot, and leaves no temporary files', async () => {
    expect((await readdir(dir)).sort()).toEqual(['gradcam', 'metrics.json', 'plots', 'report.html', 'report.md']);
    expect((await readdir(path.join(dir, 'plots'))).sort()).toEqual(
      ['confusion-matrix', 'precision-recall', 'roc', 'score-histogram', 'training-curves'].flatMap((n) => [`${n}.png`, `${n}.svg`]),
    );
    expect((await readdir(tmp)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('makes a self-contained HTML: no external src/href/url, inline CSS, one inline <svg> per plot', () => {
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b|<script\b/i);
    expect(html).toContain('<style>');
    expect(html.match(/<svg\b/g)).toHaveLength(5);
  });

  it('opens with the NOT FOR CLINICAL USE banner in both formats', async () => {
    const md = await readFile(files.markdown, 'utf8');
    expect(html).toMatch(/<div class="banner"[^>]*><strong>NOT FOR CLINICAL USE<\/strong>/);
    expect(md.split('\n')[0]).toMatch(/^> \*\*NOT FOR CLINICAL USE\.\*\*/);
  });

  it('shows the confusion counts in rows actual, columns predicted', () => {
    const table = html.match(/<table class="confusion">([\s\S]*?)<\/table>/)?.[1] ?? '';
    const rows = [...table.matchAll(/<tr><th>(\w+)<\/th>((?:<td class="num">\d+<\/td>)+)<\/tr>/g)].map((r) => [
      r[1],
      [...r[2].matchAll(/>(\d+)</g)].map((c) => Number(c[1])),
    ]);
    expect(rows).toEqual([['covid', [3, 1]], ['normal', [1, 5]]]);
    expect(html).toContain('TP = 3');
    expect(html).toContain('FN = 1');
    expect(html).toContain('FP = 1');
    expect(html).toContain('TN = 5');
  });

  it('prints the hand-computed numbers with their Wilson intervals and explains them', () => {
    // accuracy 8/10, Wilson 95% CI 0.490-0.943 (worked by hand); sensitivity 3/4; specificity 5/6; AUC 23/24.
    expect(html).toMatch(/Accuracy<\/th><td class="num">80\.0%<\/td><td class="num">49\.0-94\.3%</);
    expect(html).toMatch(/Sensitivity \(recall\)<\/th><td class="num">75\.0%/);
    expect(html).toMatch(/Specificity<\/th><td class="num">83\.3%/);
    expect(html).toMatch(/AUC \(ROC\)<\/th><td class="num">0\.958</);
    expect(html).toContain('Recall of the positive class: the share of actual covid images the model calls covid');
    expect(html).toContain('Hand-checked example &lt;test &amp; &quot;quotes&quot;&gt;');
  });

  it('puts the AUC and its CI in the ROC title and draws the chance diagonal', async () => {
    const svg = await readFile(files.plots.roc.svg, 'utf8');
    expect(svg).toContain('AUC 0.958 (95% CI 0.830-0.990)');
    // The dashed chance line from (0,0) to (1,1) is the only dashed path in the plot.
    expect(svg).toMatch(/stroke-dasharray="5,5"/);
  });

  it('writes PNGs that decode with sharp and have a plausible size', async () => {
    for (const { png } of Object.values(files.plots)) {
      const meta = await sharp(png).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThan(400);
      expect(meta.width).toBeLessThan(4000);
      expect(meta.height).toBeGreaterThan(300);
      expect(meta.height).toBeLessThan(4000);
      const { channels } = await sharp(png).stats();
      // Not blank: plots have dark text and lines on white.
      expect(channels[0].min).toBeLessThan(80);
      expect(channels[0].max).toBe(255);
    }
  });

  it('embeds Grad-CAM overlays as base64 PNG (wrong cases first) and copies them beside the Markdown', async () => {
    const embedded = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1], 'base64'));
    expect(embedded).toHaveLength(2);
    expect(embedded[0].equals(await readFile(wrongOverlay))).toBe(true);
    const md = await readFile(files.markdown, 'utf8');
    expect(md).toContain('](gradcam/01-wrong.png)');
    expect((await readFile(path.join(dir, 'gradcam', '01-wrong.png'))).equals(await readFile(wrongOverlay))).toBe(true);
    for (const m of md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
      await expect(readFile(path.join(dir, m[1]))).resolves.toBeInstanceOf(Buffer);
    }
  });

  it('round-trips metrics.json', async () => {
    const json = JSON.parse(await readFile(files.metricsJson, 'utf8'));
    expect(json.metrics).toEqual(handMetrics);
    expect(json.perSource.nih).toEqual(oneClassMetrics);
    expect(json.model).toEqual(model);
  });

  it('shows a per-source table in which a one-class source has no sensitivity', () => {
    expect(html).toMatch(/<tr><th>nih<\/th><td class="num">3<\/td><td>0 covid \/ 3 normal<\/td><td class="num">100\.0%<br><small>43\.9-100\.0%<\/small><\/td><td class="num">n\/a/);
  });

  it('lists the most confident mistakes: the normal at 0.60 and the covid at 0.40', () => {
    const section = html.split('Most confident mistakes')[1] ?? '';
    expect(section).toMatch(/normal\/n0\.png[\s\S]*0\.600[\s\S]*covid\/c3\.png[\s\S]*0\.400/);
  });

  it('replaces a previous report atomically', async () => {
    const again = await writeEvaluationReport(dir, { ...fullInput(undefined), title: 'Second run' });
    expect(await readFile(again.html, 'utf8')).toContain('Second run');
    expect((await readdir(dir)).sort()).toEqual(['metrics.json', 'plots', 'report.html', 'report.md']);
  });
});

describe('writeEvaluationReport with one class only', () => {
  it('says why instead of drawing ROC and precision-recall curves', async () => {
    const dir = path.join(tmp, 'one-class');
    const scores = handScores.filter((s) => s.label === 'normal' && s.score < 0.5).slice(0, 3);
    const files = await writeEvaluationReport(dir, { title: 'Normals only', model, metrics: oneClassMetrics, scores });
    expect(Object.keys(files.plots).sort()).toEqual(['confusion-matrix', 'score-histogram']);
    const html = await readFile(files.html, 'utf8');
    expect(html).toContain('the test set has only &quot;normal&quot; images (3) and no &quot;covid&quot; images');
    expect(html.match(/<svg\b/g)).toHaveLength(2);
    expect(await readFile(files.markdown, 'utf8')).toContain('the test set has only "normal" images (3)');
  });
});

describe('writeEvaluationReport errors', () => {
  it('rejects a score outside [0, 1], naming the image and the value', async () => {
    const scores = [...handScores, { path: 'x/bad.png', label: 'covid', score: 1.5 }];
    const p = writeEvaluationReport(path.join(tmp, 'bad-score'), { title: 't', model, metrics: handMetrics, scores });
    await expect(p).rejects.toBeInstanceOf(ReportError);
    await expect(p).rejects.toThrow(/scores\[10\]\.score must be in \[0, 1\], got 1\.5 for x\/bad\.png/);
  });

  it('rejects metrics whose counts do not add up to n', async () => {
    const metrics = { ...handMetrics, n: 11 };
    await expect(writeEvaluationReport(path.join(tmp, 'bad-n'), { title: 't', model, metrics, scores: handScores })).rejects.toThrow(
      /metrics \.n \(11\) differs from TP\+FP\+TN\+FN \(10\)/,
    );
  });

  it('names a Grad-CAM overlay that cannot be read, and writes nothing', async () => {
    const missing = path.join(tmp, 'nope.png');
    const target = path.join(tmp, 'bad-gradcam');
    await expect(
      writeEvaluationReport(target, fullInput([{ path: 'a.png', overlayPngPath: missing, label: 'covid', score: 0.9, correct: true }])),
    ).rejects.toThrow(`cannot read Grad-CAM overlay ${missing}`);
    await expect(readdir(target)).rejects.toThrow();
  });

  it('refuses to replace a directory holding other files, and leaves them alone', async () => {
    const target = path.join(tmp, 'busy');
    await mkdir(target);
    await writeFile(path.join(target, 'model.json'), '{}');
    await expect(writeEvaluationReport(target, { title: 't', model, metrics: handMetrics, scores: handScores })).rejects.toThrow(
      /holds files that are not a report \(model\.json\)/,
    );
    expect(await readdir(target)).toEqual(['model.json']);
    expect((await readdir(tmp)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('writeEvaluationReport with the metrics of @cxr/metrics', () => {
  it('renders binaryMetrics(...) of the hand example with the hand-computed counts, AUC and average precision', async () => {
    const metrics = binaryMetrics({
      labels: handScores.map((s) => s.label),
      scores: handScores.map((s) => s.score),
      positiveLabel: 'covid',
      negativeLabel: 'normal',
      threshold: 0.5,
    });
    const files = await writeEvaluationReport(path.join(tmp, 'real-metrics'), { title: 'Real metrics', model, metrics, scores: handScores });
    const html = await readFile(files.html, 'utf8');
    expect(html).toContain('TP = 3');
    expect(html).toContain('FN = 1');
    expect(html).toContain('FP = 1');
    expect(html).toContain('TN = 5');
    expect(html).toMatch(/AUC \(ROC\)<\/th><td class="num">0\.958</); // 23/24
    expect(html).toMatch(/Average precision<\/th><td class="num">0\.950</); // 0.25 * (1 + 1 + 1 + 0.8)
    expect(html).toMatch(/Accuracy<\/th><td class="num">80\.0%<\/td><td class="num">49\.0-94\.3%</);
    expect(Object.keys(files.plots)).toContain('precision-recall');
    // NaN (undefined) metrics would be written as null; here every metric is defined, so the JSON is exact.
    expect(JSON.parse(await readFile(files.metricsJson, 'utf8')).metrics).toEqual(JSON.parse(JSON.stringify(metrics)));
  });

  it('renders the one-class case of binaryMetrics: NaN shown as n/a, and the reason for the missing curves', async () => {
    const normals = handScores.filter((s) => s.label === 'normal');
    const metrics = binaryMetrics({ labels: normals.map((s) => s.label), scores: normals.map((s) => s.score), positiveLabel: 'covid', negativeLabel: 'normal' });
    const files = await writeEvaluationReport(path.join(tmp, 'real-one-class'), { title: 'Normals', model, metrics, scores: normals });
    const html = await readFile(files.html, 'utf8');
    expect(html).not.toContain('NaN');
    expect(html).toMatch(/Sensitivity \(recall\)<\/th><td class="num">n\/a<\/td><td class="num">n\/a</);
    expect(html).toContain('the test set has only &quot;normal&quot; images (6)');
    expect(Object.keys(files.plots)).not.toContain('roc');
  });
});

describe('writeEvaluationReport: a per-group table (cxr evaluate --group-by)', () => {
  it('shows one row per group, a one-class group with n/a and its undefined values said under Warnings, and keeps groups in metrics.json', async () => {
    const of = (label: string) => {
      const subset = handScores.filter((s) => s.label === label);
      return binaryMetrics({ labels: subset.map((s) => s.label), scores: subset.map((s) => s.score), positiveLabel: 'covid', negativeLabel: 'normal', threshold: 0.5 });
    };
    const groups = { by: 'finding', groups: { 'Pneumonia/Viral/COVID-19': of('covid'), 'No Finding': of('normal') } };
    expect(groups.groups['No Finding'].warnings.length).toBeGreaterThan(0);
    const files = await writeEvaluationReport(path.join(tmp, 'groups'), { title: 'Groups', model, metrics: handMetrics, scores: handScores, groups });
    const html = await readFile(files.html, 'utf8');
    expect(html).toContain('<h2>By finding</h2>');
    // Hand counts: the 4 covid images, 3 at or above 0.5 (75.0%); the 6 normals, 5 below 0.5 (83.3%), no sensitivity.
    expect(html).toMatch(/<tr><th>Pneumonia\/Viral\/COVID-19<\/th><td class="num">4<\/td><td>4 covid \/ 0 normal<\/td><td class="num">75\.0%/);
    expect(html).toMatch(/<tr><th>No Finding<\/th><td class="num">6<\/td><td>0 covid \/ 6 normal<\/td><td class="num">83\.3%<br><small>[^<]+<\/small><\/td><td class="num">n\/a<\/td><td class="num">83\.3%/);
    for (const w of groups.groups['No Finding'].warnings) expect(html).toContain(escapeHtml(`finding No Finding: ${w}`));
    const md = await readFile(files.markdown, 'utf8');
    expect(md).toContain('## By finding');
    expect(md).toMatch(/\| No Finding \| 6 \| 0 covid \/ 6 normal \| 83\.3% \([^)]+\) \| n\/a \|/);
    expect(JSON.parse(await readFile(files.metricsJson, 'utf8')).groups.groups['No Finding'].n).toBe(6);
  });
});

describe('writeEvaluationReport: the safety section (issue 15)', () => {
  it('draws the reliability diagram and states ECE, PPV/NPV at the given prevalence and the coverage', async () => {
    const labels = handScores.map((s) => s.label);
    const rel = reliabilityDiagram(labels, handScores.map((s) => s.score), 'covid');
    // se 0.9, sp 0.95 at 5%: PPV = 0.045 / (0.045 + 0.0475) = 0.486
    const pv = predictiveValues({ sensitivity: 0.9, specificity: 0.95, prevalence: 0.05 });
    const subset = { n: 10, accuracy: 0.9, sensitivity: 0.8, specificity: 1, auc: 0.95 };
    const dir = path.join(tmp, 'safety');
    const files = await writeEvaluationReport(dir, {
      ...fullInput([]),
      safety: {
        calibration: { ece: rel.ece, mce: rel.mce, bins: rel.bins, temperature: 1.7 },
        atPrevalence: pv,
        coverage: { n: 12, decided: 10, refused: 2, reasons: [{ reason: 'aspect ratio 5.0:1 is beyond 2:1', count: 2 }], all: { ...subset, n: 12 }, decidedOnly: subset },
      },
    });
    expect(Object.keys(files.plots)).toContain('reliability');
    const md = await readFile(files.markdown, 'utf8');
    expect(md).toContain('## Calibration, prevalence and coverage');
    expect(md).toContain(`expected calibration error ${rel.ece.toFixed(3)}`);
    expect(md).toContain('T = 1.700');
    expect(md).toMatch(/prevalence of 5\.0% .*PPV 0\.486 .*NPV 0\.994/);
    expect(md).toContain('Coverage: 10 of 12 images decided (83.3%); 2 refused as outside what the model was trained on.');
    expect(md).toContain('Decided images only: n 10, accuracy 0.900');
    const json = JSON.parse(await readFile(files.metricsJson, 'utf8'));
    expect(json.safety.atPrevalence.ppv).toBeCloseTo(0.486486, 5);
    expect(await readFile(files.html, 'utf8')).toContain('Calibration, prevalence and coverage');
  });
});
