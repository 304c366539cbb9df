#!/usr/bin/env node
// The same-collection test of issue 14 in ONE command (NOT FOR CLINICAL USE):
//
//   node tools/experiments/same-collection.mjs
//
// COVID-19 vs every other finding (bacterial, viral and fungal pneumonias, SARS, ARDS...) inside covid-chestxray
// only, PA X-rays: one collection, so the image's source cannot give the answer away.
// 1. builds the dataset with the `covid-vs-pneumonia` recipe (as `cxr dataset build --recipe covid-vs-pneumonia
//    --source covid-chestxray=../shared/data/covid-chestxray --out <work>/dataset`; identical images listed under two
//    patient ids are dropped, one copy kept);
// 2. runs `runSameCollection` (@cxr/model/node): ImageNet MobileNet v1 (cut at conv_pw_12, frozen) + the notebook
//    head, 5-fold patient-level cross-validation for each of the seeds 42, 43, 44, with and without balanced class
//    weights; the AUC interval is a patient bootstrap (2000 resamples);
// 3. writes tools/experiments/results/same-collection.json.
//
// Options: `--fine-tune-blocks <n>` adds an arm that trains MobileNet's top n pointwise blocks with each fold's
// head (`fineTune: { blocks: n }`, block learning rate 1e-4) and writes results/same-collection-finetune.json
// instead; `--seeds 42,43` overrides the seeds.
//
// It runs the TypeScript sources (tsx, the `@cxr/source` export condition), so no build is needed.
// Env: CXR_SHARED_DATA (default <repo>/../shared/data), CXR_EXPERIMENT_WORK (default <repo>/.cache/same-collection).
// The reserved set (../shared/reserved) is never read.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { experimentEnv, runProvenance, repoRoot } from './experimentEnv.mjs';
const here = path.dirname(fileURLToPath(import.meta.url));

const { shared, work } = experimentEnv(import.meta.url, 'same-collection');
const weights = path.join(shared, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SEEDS = arg('--seeds') ? arg('--seeds').split(',').map(Number) : [42, 43, 44];
const fineTuneBlocks = arg('--fine-tune-blocks') ? Number(arg('--fine-tune-blocks')) : 0;
if (!SEEDS.every(Number.isInteger) || !Number.isInteger(fineTuneBlocks) || fineTuneBlocks < 0) {
  process.stderr.write('usage: same-collection.mjs [--seeds 42,43,44] [--fine-tune-blocks <n>]\n');
  process.exit(2);
}

const { buildDataset, loadRecipe } = await import('@cxr/dataset/node');
const { runSameCollection } = await import('@cxr/model/node');

const t0 = performance.now();
const log = (m) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${m}\n`);
await mkdir(work, { recursive: true });
log(`building the covid-vs-pneumonia dataset from ${shared}/covid-chestxray`);
const build = await buildDataset({
  sources: [{ kind: 'covid-chestxray', dir: path.join(shared, 'covid-chestxray') }],
  outDir: path.join(work, 'dataset'),
  recipe: await loadRecipe('covid-vs-pneumonia'),
});
log(`dataset: ${JSON.stringify(build.images.byLabel)}, ${build.duplicateImages.length} duplicate images dropped`);

const arms = [];
const armList = [['notebook head', undefined, undefined], ['notebook head, balanced class weights', 'balanced', undefined]];
if (fineTuneBlocks > 0) armList.push([`notebook head + MobileNet top ${fineTuneBlocks} block(s) fine-tuned`, undefined, { blocks: fineTuneBlocks }]);
for (const [name, classWeight, fineTune] of armList) {
  const r = await runSameCollection({
    ...(fineTune ? { fineTune } : {}),
    data: path.join(work, 'dataset'),
    backbone: { name: 'mobilenet_v1', weights },
    seeds: SEEDS,
    folds: 5,
    epochs: 10,
    classWeight,
    bootstrapIterations: 2000,
    cacheDir: path.join(work, 'cache'),
    onProgress: log,
  });
  arms.push({
    arm: name,
    classWeight: classWeight ?? null,
    fineTune: r.settings.fineTune,
    images: r.images,
    patients: r.patients,
    byLabel: r.byLabel,
    positiveClass: r.positiveClass,
    runs: r.runs.map((run) => ({
      seed: run.seed,
      auc: run.auc,
      threshold: 0.5,
      accuracy: run.metrics.accuracy,
      sensitivity: run.metrics.perClass[0].sensitivity,
      specificity: run.metrics.perClass[0].specificity,
      balancedAccuracy: run.metrics.balancedAccuracy,
      confusionMatrix: run.metrics.confusionMatrix,
      undefinedBootstrapResamples: run.metrics.aucBootstrap.undefinedResamples,
    })),
  });
  for (const run of r.runs) log(`${name}, seed ${run.seed}: AUC ${run.auc.value.toFixed(3)} (${run.auc.lower.toFixed(3)}-${run.auc.upper.toFixed(3)})`);
}

const out = {
  notice: 'NOT FOR CLINICAL USE',
  command: `node tools/experiments/same-collection.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  generated: new Date().toISOString(),
  ...runProvenance(),
  question: 'COVID-19 vs every other finding of covid-chestxray (PA X-rays), one collection: can the features tell the disease when the source cannot help?',
  dataset: {
    recipe: 'covid-vs-pneumonia',
    byLabel: build.images.byLabel,
    duplicateImagesDropped: build.duplicateImages.map((d) => ({ kept: `${d.kept.patientId} ${d.kept.originalPath}`, dropped: `${d.dropped.patientId} ${d.dropped.originalPath}` })),
  },
  evaluation: 'ImageNet MobileNet v1 (conv_pw_12, frozen) + the notebook head (AveragePooling 4x4, Dense 64 relu, Dropout 0.5, softmax; Adam 1e-3 with decay, 10 epochs, batch 8); 5-fold cross-validation grouped by patient, stratified by class; out-of-fold probabilities pooled; AUC of p(covid) with a 95% patient-bootstrap percentile interval (2000 resamples, seeded with the run seed)',
  arms,
  seconds: (performance.now() - t0) / 1000,
};
const file = path.join(here, fineTuneBlocks > 0 ? 'results/same-collection-finetune.json' : 'results/same-collection.json');
await writeFile(`${file}.tmp`, `${JSON.stringify(out, null, 2)}\n`);
await rename(`${file}.tmp`, file);
log(`wrote ${path.relative(repoRoot, file)}`);
