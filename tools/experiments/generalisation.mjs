#!/usr/bin/env node
// Ranks recipes x mitigations by how they hold up on a hospital left out of training (NOT FOR CLINICAL USE):
//
//   node tools/experiments/generalisation.mjs [--seeds 1,2,3] [--quick]
//
// 1. builds the three-class dataset from the shared data (covid: COVID-19 PA; pneumonia: every other finding of
//    covid-chestxray, PA; normal: "No Finding" PA adults, as the notebook's);
// 2. runs `rankGeneralisation` (@cxr/model/node) with the ImageNet MobileNet v1 (cut at conv_pw_12): for each recipe
//    x mitigation x seed, the specificity on each held-out hospital's normals at the threshold where the internal
//    test's covid images reach sensitivity 0.95 (the criterion is the worst of them), and cross-fitted over all
//    images the covid-vs-pneumonia AUC within covid-chestxray, the internal sensitivity/specificity at 0.5 and the
//    score's source AUC among normals;
// 3. writes tools/experiments/results/generalisation.json and generalisation.md.
//
// It runs the TypeScript sources (tsx, the `@cxr/source` export condition), so no build is needed.
// Env: CXR_SHARED_DATA (default <repo>/../shared/data), CXR_EXPERIMENT_WORK (default <repo>/.cache/generalisation).
// The reserved hospital (../shared/reserved) is never read.
import { mkdir, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { experimentEnv } from './experimentEnv.mjs';
const here = path.dirname(fileURLToPath(import.meta.url));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const seeds = arg('--seeds', '1,2,3').split(',').map(Number);
const { shared, work } = experimentEnv(import.meta.url, 'generalisation');
const resultsDir = path.join(here, 'results');
const weights = path.join(shared, 'weights/mobilenet_v1_1.0_224_conv_pw_12');

const { buildDataset, readManifest, resolveManifestPath } = await import('@cxr/dataset/node');
const { DEFAULT_RECIPE } = await import('@cxr/dataset');
const { initBackend, rankGeneralisation } = await import('@cxr/model/node');

// covid-chestxray's other findings (PA X-rays): the same collection's negatives that are not normal.
const OTHER_FINDINGS = [
  'Pneumocystis', 'Streptococcus', 'Pneumonia', 'SARS', 'Klebsiella', 'ARDS', 'Legionella', 'Mycoplasma Bacterial Pneumonia',
  'Lipoid', 'Varicella', 'Bacterial', 'Chlamydophila', 'Influenza',
];
const [covidRule, normalRule] = DEFAULT_RECIPE;
const THREE_CLASS = [covidRule, { label: 'pneumonia', filter: { finding: OTHER_FINDINGS, modality: 'X-ray', views: ['PA'] } }, normalRule];
const P = covidRule.label;
const N = normalRule.label;
const O = 'pneumonia';

const t0 = performance.now();
const log = (m) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${m}\n`);
await mkdir(work, { recursive: true });
const dataDir = path.join(work, 'dataset');
log(`building the three-class dataset from ${shared}`);
await buildDataset({
  sources: [{ kind: 'covid-chestxray', dir: path.join(shared, 'covid-chestxray') }, { kind: 'nih-cxr14', dir: path.join(shared, 'nih-cxr14') }],
  outDir: dataDir,
  recipe: THREE_CLASS,
});
const manifest = path.join(dataDir, 'manifest.csv');
const records = await readManifest(manifest);
const items = records.map((r) => ({
  file: resolveManifestPath(manifest, r),
  label: r.label,
  source: r.source,
  patient: r.patientId === '' ? `path:${r.path}` : `${r.source}:${r.patientId}`,
}));
await initBackend();

const RECIPES = [
  { name: 'notebook (covid vs normal)', classes: [P, N], classOf: { [P]: P, [N]: N } },
  { name: 'three-class (covid, pneumonia, normal)', classes: [P, O, N], classOf: { [P]: P, [O]: O, [N]: N } },
];
const off = { clahe: false, spectralDecoupling: 0, sourceBalanced: false, sourceAdversarial: 0 };
// Strengths fixed beforehand (not tuned on these numbers): SD lambda 0.1, gradient reversal weight 1.
const MITIGATIONS = [
  { name: 'none', ...off },
  { name: 'clahe', ...off, clahe: true },
  { name: 'spectral-decoupling', ...off, spectralDecoupling: 0.1 },
  { name: 'source-adversarial+balanced', ...off, sourceAdversarial: 1, sourceBalanced: true },
  { name: 'all (clahe+sd+adversarial+balanced)', clahe: true, spectralDecoupling: 0.1, sourceAdversarial: 1, sourceBalanced: true },
];
const report = await rankGeneralisation({
  items,
  recipes: RECIPES,
  mitigations: process.argv.includes('--quick') ? MITIGATIONS.slice(0, 1) : MITIGATIONS,
  labels: { positive: P, normal: N, other: O },
  backbone: { name: 'mobilenet_v1', weights },
  cacheDir: path.join(work, 'cache'),
  seeds,
  onProgress: log,
});

const f2 = (v) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(2));
const span = (s) => (s ? `${f2(s.mean)} (${f2(s.min)}-${f2(s.max)})` : '-');
const lines = [
  '# Generalisation ranking (NOT FOR CLINICAL USE)',
  '',
  `Seeds ${report.settings.seeds.join(', ')}; ${report.settings.folds}-fold patient-grouped cross-fitting; ${report.settings.epochs} epochs; ` +
    `specificity read at internal sensitivity >= ${report.settings.sensitivity}. Values: mean over seeds (min-max over seeds).`,
  '',
  '| rank | recipe | mitigation | worst held-out specificity | pooled counts (Wilson 95%) | covid vs pneumonia AUC (same collection) | internal sensitivity @0.5 | internal specificity @0.5 | score source AUC (normals) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...report.rows.map(
    (r, i) =>
      `| ${i + 1} | ${r.recipe} | ${r.mitigation} | ${span(r.worstSpecificity)} | ${f2(r.worstSpecificityPooled.value)} (${f2(r.worstSpecificityPooled.lower)}-${f2(r.worstSpecificityPooled.upper)}) | ` +
      `${span(r.positiveVsOther)} | ${span(r.internalSensitivity)} | ${span(r.internalSpecificity)} | ${span(r.scoreSourceAuc)} |`,
  ),
  '',
  'Held-out specificity per source and seed (true negatives / normals):',
  '',
  ...report.rows.map((r) => `- ${r.recipe} + ${r.mitigation}: ` + r.runs.map((run) => `seed ${run.seed}: ` + run.heldOut.map((h) => `${h.source} ${h.trueNegatives}/${h.negatives}`).join(', ')).join('; ')),
  '',
  ...report.notes.map((n) => `Note: ${n}`),
  '',
];
await mkdir(resultsDir, { recursive: true });
const json = { ...report, dataset: { images: items.length, counts: report.counts }, totalSeconds: (performance.now() - t0) / 1000 };
for (const [name, text] of [['generalisation.json', JSON.stringify(json, null, 2) + '\n'], ['generalisation.md', lines.join('\n')]]) {
  await writeFile(path.join(resultsDir, `${name}.tmp`), text);
  await rename(path.join(resultsDir, `${name}.tmp`), path.join(resultsDir, name));
}
process.stdout.write(lines.join('\n'));
log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
