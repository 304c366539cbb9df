#!/usr/bin/env node
// Measures the out-of-distribution refusal of issue 15 on the shared data in ONE command (NOT FOR CLINICAL USE):
//
//   node tools/experiments/ood-evaluation.mjs
//
// 1. builds the notebook-recipe dataset (covid-chestxray + NIH) and splits it by patient exactly as `cxr train` does
//    (resolveSplit, seed 42, 70/15/15); 2. describes the TRAIN split's pooled MobileNet v1 features and image facts
//    (describeInputDistribution: k = 5 nearest neighbours, cosine, threshold at 2.5% leave-one-patient-out false
//    refusals; image limits widened to admit every training image), what `cxr train` stores in cxr.json;
//    3. runs checkInput (image facts + features) on
//    - in-distribution: the TEST split (PA images of patients never seen), and the validation split;
//    - must refuse: every lateral (view L) X-ray of covid-chestxray present in ../shared/data, the non-chest DICOM
//      (teeth, fo-dicom), ImageMagick's built-in photograph and drawings (rose:, wizard:, logo:, granite:, netscape:),
//      synthetic non-X-ray images, and strips cut from chest images;
//    - reported, not scored: AP / AP Supine chest X-rays (a chest film, but a view the model never saw);
// 4. writes tools/experiments/results/ood-evaluation.json.
// Runs the TypeScript sources (tsx, `@cxr/source` condition). Needs ImageMagick's `convert`.
// Env: CXR_SHARED_DATA (default <repo>/../shared/data), CXR_EXPERIMENT_WORK (default <repo>/.cache/ood-evaluation).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { experimentEnv } from './experimentEnv.mjs';
const here = path.dirname(fileURLToPath(import.meta.url));
const { shared, work } = experimentEnv(import.meta.url, 'ood-evaluation');
const weights = path.join(shared, 'weights/mobilenet_v1_1.0_224_conv_pw_12');
const { buildDataset, parseSourceSpec, readDicomFile, encodeDicomPng, loadDataset, resolveSplit } = await import('@cxr/dataset/node');
const { decodeDicom } = await import('@cxr/dataset');
const { decodeImage } = await import('@cxr/preprocess/node');
const model = await import('@cxr/model/node');
const { openBackbone, extractFileFeatures, FeatureCache, globalAveragePool, describeInputDistribution, checkInput, describeImage } = model;

const t0 = performance.now();
const log = (m) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${m}\n`);
await mkdir(work, { recursive: true });
const dsDir = path.join(work, 'dataset');
if (!(await stat(path.join(dsDir, 'manifest.csv')).catch(() => null))) {
  log('building the dataset (notebook recipe)');
  await buildDataset({ sources: [parseSourceSpec(`covid-chestxray=${path.join(shared, 'covid-chestxray')}`), parseSourceSpec(`nih=${path.join(shared, 'nih-cxr14')}`)], outDir: dsDir });
}
// the split `cxr train` makes (and writes to <dataset>/split.csv): patient-level, seed 42
const split = await resolveSplit(await loadDataset(dsDir), { seed: 42 });
const part = (s) => split[s].map((r) => ({ file: r.file, group: `${r.source}:${r.patientId}`, label: r.label, source: r.source }));
const train = part('train');

// Out-of-distribution sets
const oodDir = path.join(work, 'ood');
await mkdir(oodDir, { recursive: true });
const meta = await readFile(path.join(shared, 'covid-chestxray/metadata.csv'), 'utf8');
const { parse } = await import('csv-parse/sync');
const rows = parse(meta, { columns: true, skip_empty_lines: true, relax_column_count: true });
const present = async (f) => !!(await stat(path.join(shared, 'covid-chestxray/images', f)).catch(() => null));
const byView = async (views) => {
  const files = new Set();
  for (const r of rows) if (r.modality === 'X-ray' && views.includes(r.view) && (await present(r.filename))) files.add(path.join(shared, 'covid-chestxray/images', r.filename));
  return [...files];
};
const lateral = await byView(['L']);
const ap = await byView(['AP', 'AP Supine']);
const im = (name, args) => {
  const f = path.join(oodDir, `${name}.png`);
  execFileSync('convert', [...args, f]);
  return f;
};
const photosAndDrawings = ['rose', 'wizard', 'logo', 'granite', 'netscape'].map((b) => im(`imagemagick-${b}`, [`${b}:`]));
const synthetic = [
  im('synthetic-plasma', ['-seed', '1', '-size', '512x512', 'plasma:fractal']),
  im('synthetic-plasma-grey', ['-seed', '2', '-size', '512x512', 'plasma:fractal', '-colorspace', 'gray']),
  im('synthetic-noise', ['-seed', '3', '-size', '512x512', 'xc:gray50', '+noise', 'Random', '-colorspace', 'gray']),
  im('synthetic-gradient', ['-size', '512x512', 'gradient:black-white']),
  im('synthetic-radial', ['-size', '512x512', 'radial-gradient:white-black']),
  im('synthetic-checkerboard', ['-size', '512x512', 'pattern:checkerboard']),
  im('synthetic-bar-chart', ['-size', '800x600', 'xc:white', '-fill', 'steelblue', '-draw', 'rectangle 100,400 180,550', '-draw', 'rectangle 250,250 330,550', '-draw', 'rectangle 400,100 480,550', '-stroke', 'black', '-draw', 'line 80,560 700,560']),
  im('synthetic-grey', ['-size', '512x512', 'xc:gray40']),
  im('synthetic-blurred-noise', ['-seed', '4', '-size', '512x512', 'xc:gray50', '+noise', 'Random', '-blur', '0x8', '-colorspace', 'gray', '-auto-level']),
  im('synthetic-circles', ['-size', '512x512', 'xc:black', '-fill', 'white', '-draw', 'circle 256,256 256,80', '-fill', 'gray60', '-draw', 'circle 150,150 150,120', '-blur', '0x3']),
];
const teethDcm = path.join(shared, 'dicom/original/fo-dicom_CR-ModalitySequenceLUT_teeth_jpegll_mono1.dcm');
const teeth = path.join(oodDir, 'dicom-teeth.png');
await writeFile(teeth, await encodeDicomPng(await decodeDicom(await readDicomFile(teethDcm), { fileName: teethDcm })));
const nihTest = part('test').find((r) => r.source === 'nih-cxr14').file;
const chestDcm = path.join(shared, 'dicom/original/siim_cr_pa_jpegbaseline_mono2.dcm');
const chestPng = path.join(oodDir, 'dicom-chest-siim.png');
await writeFile(chestPng, await encodeDicomPng(await decodeDicom(await readDicomFile(chestDcm), { fileName: chestDcm })));
const strips = [
  im('strip-dicom-440x1', [chestPng, '-gravity', 'center', '-crop', '440x1+0+0', '+repage']),
  im('strip-nih-1024x20', [nihTest, '-gravity', 'center', '-crop', '1024x20+0+0', '+repage']),
  im('strip-nih-20x1024', [nihTest, '-gravity', 'center', '-crop', '20x1024+0+0', '+repage']),
  im('strip-nih-1024x200', [nihTest, '-gravity', 'center', '-crop', '1024x200+0+0', '+repage']),
];
const outSets = { lateral, 'non-chest DICOM': [teeth], 'photograph and drawings (ImageMagick built-ins)': photosAndDrawings, synthetic, strips };

await model.initBackend({ backend: 'auto' });
const backbone = await openBackbone({ name: 'mobilenet_v1', weights });
const cache = new FeatureCache(path.join(work, 'features'));
const pooled = async (files) => (await extractFileFeatures(backbone, files, { cache, onWarning: () => {} })).map((f) => globalAveragePool(f, backbone.outputShape));
const facts = async (file) => {
  const { pixels } = await decodeImage(file);
  return describeImage(pixels);
};
log(`features of ${train.length} training images`);
const trainFacts = [];
for (const r of train) trainFacts.push(await facts(r.file));
const description = describeInputDistribution({ features: await pooled(train.map((r) => r.file)), groups: train.map((r) => r.group), images: trainFacts });
log(`threshold ${description.threshold.toFixed(4)}; held-out distances ${JSON.stringify(description.heldOutDistances)}`);
const score = async (files) => {
  const f = await pooled(files);
  const out = [];
  for (let i = 0; i < files.length; i++) {
    const c = checkInput(description, { feature: f[i], image: await facts(files[i]) });
    out.push({ file: path.relative(shared, files[i]).startsWith('..') ? path.basename(files[i]) : path.relative(shared, files[i]), refused: !c.inDistribution, distance: Number(c.distance.toFixed(4)), reasons: c.reasons });
  }
  return { n: out.length, refused: out.filter((o) => o.refused).length, refusedRate: out.filter((o) => o.refused).length / out.length, images: out };
};
const result = { command: 'node tools/experiments/ood-evaluation.mjs', backbone: 'mobilenet_v1 (ImageNet, cut at conv_pw_12_relu), globally average-pooled (1024)', description: { ...description, features: `<${description.count} x ${description.dims} float16>` }, inDistribution: {}, mustRefuse: {}, reported: {} };
for (const s of ['test', 'val']) {
  log(`scoring ${s}`);
  result.inDistribution[s] = await score(part(s).map((r) => r.file));
}
let allOut = [];
for (const [name, files] of Object.entries(outSets)) {
  log(`scoring ${name} (${files.length})`);
  result.mustRefuse[name] = await score(files);
  allOut = allOut.concat(result.mustRefuse[name].images);
}
result.mustRefuseTotal = { n: allOut.length, refused: allOut.filter((o) => o.refused).length, refusedRate: allOut.filter((o) => o.refused).length / allOut.length };
log('scoring AP views (reported only)');
result.reported['AP and AP Supine chest X-rays'] = await score(ap);
result.seconds = (performance.now() - t0) / 1000;
await mkdir(path.join(here, 'results'), { recursive: true });
await writeFile(path.join(here, 'results/ood-evaluation.json'), `${JSON.stringify(result, null, 2)}\n`);
const pct = (x) => `${(100 * x.refusedRate).toFixed(1)}% (${x.refused}/${x.n})`;
console.log(`in-distribution refused: test ${pct(result.inDistribution.test)}, val ${pct(result.inDistribution.val)}`);
for (const [name, r] of Object.entries(result.mustRefuse)) console.log(`must refuse, ${name}: ${pct(r)}`);
console.log(`must refuse, all: ${pct(result.mustRefuseTotal)}; AP views (reported): ${pct(result.reported['AP and AP Supine chest X-rays'])}`);
