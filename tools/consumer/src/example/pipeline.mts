// A researcher's project: the whole cxr pipeline through the public API of the installed packages (NOT FOR CLINICAL USE).
// Synthetic data in the real source formats -> dataset build -> training -> evaluation with the report -> one prediction with Grad-CAM.
import path from 'node:path';
import { buildDataset } from '@cxr/dataset/node';
import { makeSyntheticDataset, syntheticBuildSources } from '@cxr/dataset/synthetic';
import { DEMO_PRESETS, evaluateModel, predictImages, trainFromDataset } from '@cxr/model/node';

const out = path.resolve(process.argv[2] ?? 'cxr-example');
const sources = await makeSyntheticDataset(path.join(out, 'sources'), { seed: 7, covidCount: 30, normalCount: 30, size: 64 });
const dataset = path.join(out, 'dataset');
await buildDataset({ sources: syntheticBuildSources(sources), outDir: dataset });

// A small seeded random base (NOT ImageNet) keeps this fast; real use passes `backbone` and `weights`. The synthetic
// sources copy the public data's confounded design (most normals from a source without covid): training says so.
const { base, epochs, learningRate } = DEMO_PRESETS.small.random;
const trained = await trainFromDataset({
  data: dataset, out: path.join(out, 'model'), randomWeights: true, randomSize: base, epochs, learningRate, seed: 7, cacheDir: path.join(out, 'cache'), allowConfounded: true,
});
if (!trained.model) throw new Error('training stopped before the end');

const evaluation = await evaluateModel({ model: trained.model, data: dataset, split: 'test', report: path.join(out, 'report') });
if (evaluation.kind !== 'binary') throw new Error('the notebook recipe has two classes');
const image = evaluation.scores.find((s) => s.label === evaluation.positiveLabel) ?? evaluation.scores[0];
const { predictions } = await predictImages({ model: trained.model, images: [path.join(dataset, image.path)], heatmap: path.join(out, 'heatmaps') });

console.log(JSON.stringify({ split: trained.split, auc: evaluation.auc?.value ?? null, report: evaluation.report?.html, prediction: predictions[0] }));
