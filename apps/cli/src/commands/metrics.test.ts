import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../__fixtures__/cliHarness';
import { runMetrics } from './metrics';

let dir: string;
const cli = (...args: string[]) => runCli(dir, args);

// 5 covid, 5 normal. At 0.5: TP 4, FN 1 (0.3), FP 1 (0.55), TN 4. Paths with commas and quotes exercise the CSV.
const PREDS = [
  'path,label,score',
  '"covid/1, PA.png",covid,0.9',
  'covid/2.png,covid,0.8',
  '"covid/""3"".png",covid,0.7',
  'covid/4.png,covid,0.6',
  'covid/5.png,covid,0.3',
  'normal/1.png,normal,0.55',
  'normal/2.png,normal,0.4',
  'normal/3.png,normal,0.2',
  'normal/4.png,normal,0.1',
  'normal/5.png,normal,0.05',
  '',
].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-metrics-'));
  await writeFile(path.join(dir, 'preds.csv'), PREDS);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cxr metrics', () => {
  it('prints the report, confusion matrix, rates with Wilson CIs, AUC and the clinical notice', async () => {
    const { code, stdout, stderr } = await cli('metrics', '--predictions', 'preds.csv');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Each class: P = R = F1 = 4/5 (hand computation); scikit-learn layout.
    expect(stdout).toContain(
      [
        '              precision    recall  f1-score   support',
        '',
        '      normal       0.80      0.80      0.80         5',
        '       covid       0.80      0.80      0.80         5',
        '',
        '    accuracy                           0.80        10',
        '   macro avg       0.80      0.80      0.80        10',
        'weighted avg       0.80      0.80      0.80        10',
      ].join('\n'),
    );
    expect(stdout).toContain(
      [
        'Confusion matrix (rows: actual, columns: predicted):',
        `${' '.repeat(15)}predicted normal  predicted covid`,
        `actual normal${' '.repeat(17)}4${' '.repeat(16)}1`,
        `actual covid${' '.repeat(18)}1${' '.repeat(16)}4`,
      ].join('\n'),
    );
    // Wilson 95% for 4/5: 0.3755-0.9638; for 8/10: 0.4902-0.9433 (Newcombe's formula, by hand).
    expect(stdout).toContain('Sensitivity (recall)  0.800  95% CI 0.376-0.964  (4/5)');
    expect(stdout).toContain('Specificity           0.800  95% CI 0.376-0.964  (4/5)');
    expect(stdout).toContain('PPV (precision)       0.800  95% CI 0.376-0.964  (4/5)');
    expect(stdout).toContain('NPV                   0.800  95% CI 0.376-0.964  (4/5)');
    expect(stdout).toContain('Accuracy              0.800  95% CI 0.490-0.943  (8/10)');
    // AUC: 4 positives beat all 5 negatives, 0.3 beats 3: 23/25.
    expect(stdout).toMatch(/ROC AUC {15}0\.920 {2}95% CI 0\.\d{3}-(0\.\d{3}|1\.000) {2}\(stratified percentile bootstrap, 2000 resamples, seed 42\)/);
    expect(stdout).toContain('NOT FOR CLINICAL USE');
  });

  it('--json prints one object with binaryMetrics keys', async () => {
    const { code, stdout } = await cli('metrics', '--predictions', 'preds.csv', '--json', '--bootstrap', '200', '--seed', '3');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.sensitivity.value).toBeCloseTo(0.8, 12);
    expect(json.auc.value).toBeCloseTo(0.92, 12);
    expect(json.confusionMatrix).toMatchObject({ labels: ['normal', 'covid'], tp: 4, fp: 1, tn: 4, fn: 1 });
    expect(json.aucBootstrap).toMatchObject({ iterations: 200, seed: 3 });
    expect(json.roc.thresholds[0]).toBeNull();
    expect(json.classificationReport.accuracy).toBeCloseTo(0.8, 12);
    expect(json.notice).toBe('NOT FOR CLINICAL USE');
  });

  it('honours --threshold, custom columns and a positive label that is not first alphabetically', async () => {
    await writeFile(path.join(dir, 'custom.csv'), 'finding;x,p_normal\ncovid,0.1\nnormal,0.7\nnormal,0.4\ncovid,0.45\n');
    const r = await runMetrics({ predictions: 'custom.csv', cwd: dir, labelColumn: 'finding;x', scoreColumn: 'p_normal', positive: 'normal', threshold: 0.42 });
    // Positive 'normal' at >= 0.42: 0.7 (normal, TP), 0.45 (covid, FP); 0.4 normal is FN.
    expect(r.confusionMatrix).toMatchObject({ labels: ['covid', 'normal'], tp: 1, fp: 1, fn: 1, tn: 1 });
    expect(r.auc?.value).toBe(0.75); // normal 0.7 beats both covid; 0.4 beats 0.1 only: 3/4
  });

  it('with one class: AUC undefined, the warning printed', async () => {
    await writeFile(path.join(dir, 'normals.csv'), 'label,score\nnormal,0.2\nnormal,0.7\n');
    const { code, stdout } = await cli('metrics', '--predictions', 'normals.csv', '--positive', 'covid');
    expect(code).toBe(0);
    expect(stdout).toContain("warning: AUC needs both classes; only 'normal' present");
    expect(stdout).toContain('ROC AUC               undefined');
  });

  it('asks for --positive when there is no covid label (exit 2)', async () => {
    await writeFile(path.join(dir, 'pn.csv'), 'label,score\npneumonia,0.2\nnormal,0.7\n');
    const { code, stderr } = await cli('metrics', '--predictions', 'pn.csv');
    expect(code).toBe(2);
    expect(stderr).toBe('cxr: --positive is required: no "covid" label in pn.csv (labels: "pneumonia", "normal")\n');
    const wrong = await cli('metrics', '--predictions', 'preds.csv', '--positive', 'COVID');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--positive "COVID" is not a label in preds.csv');
  });

  it.each([
    ['missing column', 'label,prob\ncovid,0.2\n', [], 'cxr: missing.csv: no column "score" (columns: "label", "prob"); use --score-column\n'],
    ['non-numeric score', 'label,score\ncovid,0.2\nnormal,abc\n', [], 'cxr: bad.csv, line 3: score "abc" in column "score" is not a number in [0, 1]\n'],
    ['score above 1', 'label,score\ncovid,1.2\n', [], 'cxr: bad.csv, line 2: score "1.2" in column "score" is not a number in [0, 1]\n'],
    ['unclosed quote', 'label,score\ncovid,0.2\n"normal,0.3\n', [], 'cxr: Bad metadata in bad.csv: Quote Not Closed: the parsing is finished with an opening quote at line 3\n'],
    ['ragged row', 'label,score\ncovid,0.2,extra\n', [], 'cxr: bad.csv, line 2: expected 2 fields like the header, found 3\n'],
    ['third class', 'label,score\ncovid,0.2\nnormal,0.3\npneumonia,0.4\n', [], 'cxr: bad.csv, line 4: label "pneumonia" is neither the positive "covid" nor the negative "normal"; binary metrics need exactly two classes\n'],
    ['header only', 'label,score\n', [], 'cxr: bad.csv: no data rows after the header\n'],
  ])('%s: one line naming the file and row, exit 1', async (what, content, extra, message) => {
    const name = what === 'missing column' ? 'missing.csv' : 'bad.csv';
    await writeFile(path.join(dir, name), content);
    const { code, stderr, stdout } = await cli('metrics', '--predictions', name, ...extra);
    expect(stdout).toBe('');
    expect(stderr).toBe(message);
    expect(code).toBe(1);
  });

  it('names a file that does not exist (exit 1)', async () => {
    const { code, stderr } = await cli('metrics', '--predictions', 'nope.csv');
    expect(code).toBe(1);
    expect(stderr).toBe('cxr: Bad metadata in nope.csv: file not found\n');
  });

  it('bad usage exits 2', async () => {
    expect((await cli('metrics', '--predictions', 'preds.csv', '--threshold', 'abc')).code).toBe(2);
    expect((await cli('metrics', '--predictions', 'preds.csv', '--threshold', '1.5')).code).toBe(2);
    expect((await cli('metrics')).code).toBe(2);
  });

  it('--help shows a worked example and the notice', async () => {
    const { code, stdout } = await cli('metrics', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('$ cxr metrics --predictions preds.csv --positive covid --threshold 0.5');
    expect(stdout).toContain('--label-column <name>');
    expect(stdout).toContain('NOT FOR CLINICAL USE');
  });
});
