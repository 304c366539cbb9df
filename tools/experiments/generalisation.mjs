#!/usr/bin/env node
// Ranks recipes x train configurations by how they hold up on a hospital left out of training (NOT FOR CLINICAL USE):
//
//   node tools/experiments/generalisation.mjs [--seeds 1,2,3] [--quick]
//
// 1. builds the three-class dataset from the shared data (covid: COVID-19 PA; pneumonia: every other finding of
//    covid-chestxray, PA; normal: "No Finding" PA adults, as the notebook's);
// 2. runs `rankGeneralisation` (@cxr/model/node) with the ImageNet MobileNet v1 (cut at conv_pw_12): for each recipe
//    x configuration (`cxr train` options: none, clahe, spectral decoupling, source adversary + balancing, all) x
//    seed, the specificity on each held-out hospital's normals at the threshold where the internal test's covid images
//    reach sensitivity 0.95 (the criterion is the worst of them), and cross-fitted over all images the
//    covid-vs-pneumonia AUC within covid-chestxray, the internal sensitivity/specificity at 0.5 and the score's source
//    AUC among normals; rows that beat today's default (none) over all seeds are marked;
// 3. writes tools/experiments/results/generalisation.json and generalisation.md (after every recipe x configuration,
//    resuming from the rows saved in the work folder).
//
// It runs the TypeScript sources (tsx, the `@cxr/source` export condition), so no build is needed.
// Env: CXR_SHARED_DATA (default <repo>/../shared/data), CXR_EXPERIMENT_WORK (default <repo>/.cache/generalisation).
// The reserved hospital (../shared/reserved) is never read.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { experimentEnv, runProvenance } from './experimentEnv.mjs';
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
const { initBackend, rankGeneralisation, rankGeneralisationRows, parseTrainConfiguration, formatGeneralisationReport, DEFAULT_RANK_CONFIGURATIONS } = await import(
  '@cxr/model/node'
);

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
// `cxr train` options, as `cxr experiment rank --configuration` takes them; today's default (none) first: the baseline.
// Strengths fixed beforehand (not tuned on these numbers): SD lambda 0.1, gradient reversal weight 1.
const CONFIGURATIONS = (process.argv.includes('--quick') ? DEFAULT_RANK_CONFIGURATIONS.slice(0, 2) : DEFAULT_RANK_CONFIGURATIONS).map(parseTrainConfiguration);
const baseline = { recipe: RECIPES[0].name, configuration: CONFIGURATIONS[0].name };
// One recipe x configuration at a time, the comparison that decides `cxr train`'s default first (notebook: none, then
// clahe), each saved in the work folder: a run stopped part-way resumes, and the results so far are ranked and written
// after every row (the files say which rows are missing).
const chunks = RECIPES.flatMap((recipe) => CONFIGURATIONS.map((configuration) => ({ recipe, configuration })));
const rowsDir = path.join(work, 'rows');
await mkdir(rowsDir, { recursive: true });
await mkdir(resultsDir, { recursive: true });
const done = [];
for (const [k, { recipe, configuration }] of chunks.entries()) {
  const file = path.join(rowsDir, `${recipe.name.split(' ')[0]}--${configuration.name}--seeds-${seeds.join('-')}.json`.replace(/[^\w.+=-]/g, '_'));
  let part = await readFile(file, 'utf8').then(JSON.parse, () => null);
  if (part) log(`${recipe.name} + ${configuration.name}: from ${file}`);
  else {
    part = await rankGeneralisation({
      items,
      recipes: [recipe],
      configurations: [configuration],
      labels: { positive: P, normal: N, other: O },
      backbone: { name: 'mobilenet_v1', weights },
      cacheDir: path.join(work, 'cache'),
      seeds,
      onProgress: log,
    });
    await writeFile(`${file}.tmp`, JSON.stringify(part));
    await rename(`${file}.tmp`, file);
  }
  done.push(part);
  const ranked = rankGeneralisationRows(done.map((d) => d.rows[0]), baseline);
  const missing = chunks.slice(k + 1).map((c) => `${c.recipe.name} + ${c.configuration.name}`);
  const dataNotes = [...new Set(done.flatMap((d) => d.notes.filter((n) => n.startsWith('Holding out') || n.startsWith('Only one source'))))];
  const report = {
    ...done[0],
    rows: ranked.rows,
    baseline,
    winner: ranked.winner,
    notes: [...(missing.length ? [`Partial: not run yet: ${missing.join('; ')}.`] : []), ...ranked.notes, ...dataNotes],
    seconds: done.reduce((a, d) => a + d.seconds, 0),
  };
  const markdown = formatGeneralisationReport(report);
  const json = { ...report, complete: missing.length === 0, dataset: { images: items.length, counts: report.counts }, ...runProvenance() };
  for (const [name, text] of [['generalisation.json', JSON.stringify(json, null, 2) + '\n'], ['generalisation.md', markdown]]) {
    await writeFile(path.join(resultsDir, `${name}.tmp`), text);
    await rename(path.join(resultsDir, `${name}.tmp`), path.join(resultsDir, name));
  }
  if (missing.length === 0) process.stdout.write(markdown);
}
log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
