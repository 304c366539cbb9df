// What the int8 bench and its variant script share: the dataset they build from the shared data, its
// patient-disjoint split and the per-image feature cosine.
import { createHash } from 'node:crypto';
import path from 'node:path';

/** Patient-disjoint split: a patient's images all go to train (about 70%) or to test, by a hash of its id. */
export const inTrain = (m) => createHash('sha256').update(`${m.source}\0${m.patientId}`).digest()[0] < 0.7 * 256;

/** Cosine similarity of two feature vectors. */
export function cosine(a, b) {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
}

/**
 * Builds the notebook-recipe dataset (163 covid + 110 normal PNGs) from the shared data into `outDir` with
 * `dataset` (@cxr/dataset/node); returns its manifest rows and the path of a row's PNG.
 */
export async function buildSharedDataset(dataset, shared, outDir) {
  const built = await dataset.buildDataset({
    sources: [
      { kind: 'covid-chestxray', dir: path.join(shared, 'covid-chestxray') },
      { kind: 'nih-cxr14', dir: path.join(shared, 'nih-cxr14') },
    ],
    outDir,
  });
  const manifest = await dataset.readManifest(built.manifestFile);
  return { manifest, file: (m) => path.join(outDir, m.path) };
}
