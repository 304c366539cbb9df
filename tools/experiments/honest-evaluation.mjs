#!/usr/bin/env node
// Reproduces every number of docs/honest-evaluation.md in ONE command (NOT FOR CLINICAL USE):
//
//   node tools/experiments/honest-evaluation.mjs
//
// 1. builds the dataset from the shared data with the notebook's recipe (as `cxr dataset build --source
//    covid-chestxray=../shared/data/covid-chestxray --source nih=../shared/data/nih-cxr14 --out <work>/dataset`);
// 2. runs `cxr experiment loso` on it with the ImageNet MobileNet v1 (cut at conv_pw_12) and every mitigation,
//    features extracted afresh into an empty cache (so the feature timings are cold);
// 3. writes tools/experiments/results/honest-evaluation.json (what the doc quotes: the headline numbers, the
//    notebook's claim, provenance) beside the full report (loso-report.md, loso-report.json).
//
// It runs the TypeScript sources (tsx, the `@cxr/source` export condition), so no build is needed.
// Env: CXR_SHARED_DATA (default <repo>/../shared/data), CXR_EXPERIMENT_WORK (default <repo>/.cache/honest-evaluation).
// The reserved hospital (../shared/reserved) is never read.
import { mkdir, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { experimentEnv, runProvenance, repoRoot } from './experimentEnv.mjs';
const here = path.dirname(fileURLToPath(import.meta.url));

const { shared, work } = experimentEnv(import.meta.url, 'honest-evaluation');
const resultsDir = path.join(here, 'results');
const weights = path.join(shared, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const MITIGATIONS = ['clahe', 'crop-border', 'lung-crop', 'source-balanced', 'multi-source-normals', 'strong-augmentation', 'val-threshold'];
// The seed notebook's reported test results (accuracy / sensitivity / specificity), on a random image-level split.
const NOTEBOOK = {
  accuracy: 0.96,
  sensitivity: 0.96,
  specificity: 0.95,
  evaluation: 'as reported by the seed notebook (issue 9): a random image-level split of images pooled from two sources, no confidence intervals',
};

// The library API (the same functions `cxr dataset build` and `cxr experiment loso` call), from the TypeScript sources.
const { buildDataset, parseSourceSpec } = await import('@cxr/dataset/node');
const { runExperimentLoso } = await import('@cxr/model/node');

const t0 = performance.now();
const log = (m) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${m}\n`);
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
log(`building the dataset from ${shared}`);
const build = await buildDataset({
  sources: [`covid-chestxray=${path.join(shared, 'covid-chestxray')}`, `nih=${path.join(shared, 'nih-cxr14')}`].map(parseSourceSpec),
  outDir: path.join(work, 'dataset'),
});
const buildSeconds = (performance.now() - t0) / 1000;
log(`dataset: ${JSON.stringify(build.images.byLabelAndSource)}`);
const t1 = performance.now();
const { report, files } = await runExperimentLoso({
  data: path.join(work, 'dataset'),
  backbone: 'mobilenet_v1',
  weights,
  out: path.join(work, 'loso'),
  mitigations: MITIGATIONS,
  cacheDir: path.join(work, 'cache'),
  seed: 42,
  folds: 5,
  epochs: 10,
  bootstrapIterations: 2000,
  onProgress: log,
});
const experimentSeconds = (performance.now() - t1) / 1000;

const pick = (i) => (i ? { value: i.value, lower: i.lower, upper: i.upper } : null);
// A probe's AUC and its interval, or the probe's null/undefined as it is.
const probeAuc = (p) => p && { auc: p.auc, ...p.ci };
const summary = report.arms.map((arm) => {
  const byId = Object.fromEntries(arm.evaluations.map((e) => [e.id, e]));
  const internal = byId.internal;
  return {
    mitigation: arm.mitigation.name,
    description: arm.mitigation.description,
    internal: {
      n: internal.internalTest.n,
      positives: internal.internalTest.positives,
      negatives: internal.internalTest.negatives,
      threshold: internal.threshold,
      auc: pick(internal.internalTest.auc),
      sensitivity: pick(internal.internalTest.sensitivity),
      specificity: pick(internal.internalTest.specificity),
      accuracy: pick(internal.internalTest.accuracy),
      specificityBySource: internal.internalTest.specificityBySource,
    },
    heldOut: arm.evaluations
      .filter((e) => e.kind !== 'internal')
      .map((e) => ({
        id: e.id,
        description: e.description,
        train: e.counts.train,
        heldOutCounts: e.counts.heldOut,
        threshold: e.threshold,
        specificity: pick(e.heldOutTest?.specificity),
        negatives: e.heldOutTest?.negatives,
        internalTest: { auc: pick(e.internalTest.auc), sensitivity: pick(e.internalTest.sensitivity), specificity: pick(e.internalTest.specificity) },
        aucInternalCovidVsHeldOutNormals: pick(e.aucInternalPositivesVsHeldOutNegatives),
      })),
    probe: {
      featureSourceNormals: probeAuc(arm.probe.featureSourceNegatives),
      featureSourceAll: probeAuc(arm.probe.featureSourceAll),
      featureDisease: probeAuc(arm.probe.featureDisease),
      featureDiseaseWithinCovidSource: probeAuc(arm.probe.featureDiseaseWithinSource),
      scoreDisease: pick(arm.probe.scoreDisease),
      scoreSourceNormals: pick(arm.probe.scoreSourceNegatives),
      scoreDiseaseWithinCovidSource: pick(arm.probe.scoreDiseaseWithinSource),
    },
    flags: arm.flags,
    featureSeconds: arm.featureSeconds,
    armSeconds: arm.totalSeconds,
  };
});

const out = {
  notice: 'NOT FOR CLINICAL USE',
  command: 'node tools/experiments/honest-evaluation.mjs',
  generated: new Date().toISOString(),
  ...runProvenance(),
  notebook: NOTEBOOK,
  dataset: report.dataset,
  backbone: report.backbone,
  featureEngine: report.featureEngine,
  settings: report.settings,
  plans: report.plans,
  skipped: report.skipped,
  seconds: { datasetBuild: buildSeconds, experiment: experimentSeconds, total: (performance.now() - t0) / 1000 },
  summary,
};
await mkdir(resultsDir, { recursive: true });
const write = async (file, text) => {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
};
await write(path.join(resultsDir, 'honest-evaluation.json'), `${JSON.stringify(out, null, 2)}\n`);
const { readFile } = await import('node:fs/promises');
await write(path.join(resultsDir, 'loso-report.md'), await readFile(files.markdown, 'utf8'));
await write(path.join(resultsDir, 'loso-report.json'), await readFile(files.json, 'utf8'));
log(`wrote ${path.relative(repoRoot, resultsDir)}/honest-evaluation.json, loso-report.md, loso-report.json`);
