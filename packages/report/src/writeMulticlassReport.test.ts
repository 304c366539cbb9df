import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { multiclassMetrics } from '@cxr/metrics';
import { ReportError } from './errors';
import { writeMulticlassReport } from './writeMulticlassReport';

const classes = ['covid', 'pneumonia', 'normal'];
const labels = ['covid', 'covid', 'pneumonia', 'pneumonia', 'normal', 'normal'];
const probabilities = [
  [0.7, 0.2, 0.1],
  [0.3, 0.4, 0.3],
  [0.2, 0.6, 0.2],
  [0.5, 0.3, 0.2],
  [0.1, 0.2, 0.7],
  [0.2, 0.2, 0.6],
];

describe('writeMulticlassReport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-mreport-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the 3x3 matrix, per-class rows, groups and the undefined values into report.md, report.html and metrics.json', async () => {
    const metrics = multiclassMetrics({ classes, labels, probabilities, bootstrap: { iterations: 100 } });
    // A group holding only normals: sensitivity of covid and pneumonia, and every AUC, are undefined there.
    const onlyNormals = multiclassMetrics({ classes, labels: labels.slice(4), probabilities: probabilities.slice(4), bootstrap: { iterations: 10 } });
    const files = await writeMulticlassReport(path.join(dir, 'r'), {
      title: 'three classes',
      model: { backbone: 'mobilenet_v1', weights: 'ImageNet', classes, decision: 'the most probable class' },
      metrics,
      groups: { by: 'source', groups: { 'covid-chestxray': metrics, 'nih-cxr14': onlyNormals } },
    });
    const md = await readFile(files.markdown, 'utf8');
    expect(md).toContain('NOT FOR CLINICAL USE');
    expect(md).toContain('| actual \\ decided | covid | pneumonia | normal |');
    expect(md).toContain('| covid | 1 | 1 | 0 |');
    expect(md).toContain('| normal | 0 | 0 | 2 |');
    // Class covid: sensitivity 1/2, specificity 3/4, AUC 7/8 (hand-counted in @cxr/metrics' tests).
    expect(md).toMatch(/\| covid \| 2 \| 2 \| 0\.50 \(0\.09-0\.91\) \| 0\.75 \(0\.30-0\.95\) \| .* \| 0\.88 \(/);
    expect(md).toContain('## By source');
    expect(md).toContain("- source nih-cxr14: covid: sensitivity is undefined: no sample labelled 'covid'");
    expect(md).toContain('| nih-cxr14 | 2 | 1.00 (0.34-1.00) | 1.00 | undefined |');
    const html = await readFile(files.html, 'utf8');
    expect(html).toContain('<td>pneumonia</td><td>1</td><td>1</td><td>0</td>');
    const json = JSON.parse(await readFile(files.metricsJson, 'utf8'));
    expect(json.metrics.confusionMatrix.matrix).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 2],
    ]);
    expect(json.groups.groups['nih-cxr14'].macroAuc.value).toBeNull();
  });

  const model = { backbone: 'mobilenet_v1', weights: 'ImageNet', classes, decision: 'the most probable class' };
  const images = labels.map((label, k) => ({ label, probabilities: Object.fromEntries(classes.map((c, i) => [c, probabilities[k][i]])) }));

  it('draws each class\'s one-vs-rest ROC curve from the images (the covid curve checked point by point by hand)', async () => {
    const metrics = multiclassMetrics({ classes, labels, probabilities, bootstrap: { iterations: 50 } });
    const files = await writeMulticlassReport(path.join(dir, 'roc'), { title: 'three classes', model, metrics, images });
    expect((await readdir(path.join(files.dir, 'plots'))).sort()).toEqual(['roc-one-vs-rest.png', 'roc-one-vs-rest.svg']);
    const svg = await readFile(path.join(files.dir, 'plots', 'roc-one-vs-rest.svg'), 'utf8');
    // covid vs rest: covid scores 0.7, 0.3; the others' 0.5, 0.2, 0.2, 0.1. Descending thresholds give (fpr, tpr)
    // (0, 0), (0, 1/2), (1/4, 1/2), (1/4, 1), (3/4, 1), (1, 1): on the 320 px square, x = 320 fpr, y = 320 (1 - tpr).
    expect(svg).toContain('d="M0,320L0,160L80,160L80,0L240,0L320,0"');
    for (const c of metrics.perClass) expect(svg).toContain(`${c.label} (AUC ${c.auc.value.toFixed(3)})`);
    expect(svg).toContain('covid (AUC 0.875)'); // 7/8
    const html = await readFile(files.html, 'utf8');
    expect(html).toMatch(/<figure id="plot-roc-one-vs-rest"><svg[\s\S]*<\/svg><figcaption>One-vs-rest ROC curves over the 6 evaluated images/);
    expect(await readFile(files.markdown, 'utf8')).toContain('](plots/roc-one-vs-rest.png)');
  });

  it('names the classes without a curve, and refuses an image without a probability for a class', async () => {
    const some = [0, 1, 4, 5];
    const metrics = multiclassMetrics({ classes, labels: some.map((k) => labels[k]), probabilities: some.map((k) => probabilities[k]), bootstrap: { iterations: 10 } });
    const files = await writeMulticlassReport(path.join(dir, 'no-pneumonia'), { title: 't', model, metrics, images: some.map((k) => images[k]) });
    expect(await readFile(files.markdown, 'utf8')).toContain('No curve for pneumonia: a curve needs images of the class and of the others.');
    const broken = [{ label: 'covid', probabilities: { covid: 0.9, normal: 0.1 } }];
    await expect(writeMulticlassReport(path.join(dir, 'broken'), { title: 't', model, metrics, images: broken })).rejects.toThrow(ReportError);
    await expect(writeMulticlassReport(path.join(dir, 'broken'), { title: 't', model, metrics, images: broken })).rejects.toThrow(/image 1 has no probability in \[0, 1\] for class "pneumonia"/);
  });
});
