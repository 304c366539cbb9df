import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatManifest, type ManifestRecord } from '../build/manifestRecord';
import sharp from 'sharp';
import { createRng } from '@cxr/metrics';

/** Options of {@link makeShortcutDataset}. */
export interface ShortcutDatasetOptions {
  /** Intensity added to every covid-chestxray image (0..255): the planted source cue. 0 for a control. */
  sourceOffset: number;
  seed?: number;
  /** Image side in pixels (default 40). */
  size?: number;
}

/** How many images and patients {@link makeShortcutDataset} writes, per source and label. */
export const SHORTCUT_DATASET_COUNTS = Object.freeze({
  'covid-chestxray': { covid: { patients: 14, images: 21 }, normal: { patients: 10, images: 10 } },
  'nih-cxr14': { normal: { patients: 16, images: 16 } },
});

/**
 * A tiny built dataset (`manifest.csv` + grey PNGs) with two sources laid out like the real one: covid-chestxray
 * holds every covid image and a few normals, nih-cxr14 only normals. Covid images carry a faint bilateral lower-zone
 * opacity (the disease signal); every covid-chestxray image is `sourceOffset` brighter (the shortcut).
 */
export async function makeShortcutDataset(dir: string, options: ShortcutDatasetOptions): Promise<ManifestRecord[]> {
  const size = options.size ?? 40;
  const rng = createRng(options.seed ?? 3);
  const records: ManifestRecord[] = [];
  const specs: { source: string; label: string; patients: number; images: number }[] = [
    { source: 'covid-chestxray', label: 'covid', ...SHORTCUT_DATASET_COUNTS['covid-chestxray'].covid },
    { source: 'covid-chestxray', label: 'normal', ...SHORTCUT_DATASET_COUNTS['covid-chestxray'].normal },
    { source: 'nih-cxr14', label: 'normal', ...SHORTCUT_DATASET_COUNTS['nih-cxr14'].normal },
  ];
  for (const spec of specs) {
    await mkdir(path.join(dir, spec.label), { recursive: true });
    for (let k = 0; k < spec.images; k++) {
      // The first (images - patients) patients have two images each.
      const patient = k < 2 * (spec.images - spec.patients) ? Math.floor(k / 2) : k - (spec.images - spec.patients);
      const pixels = new Uint8Array(size * size);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const dx = Math.abs(x - size / 2) / (size / 2);
          const lungs = dx > 0.15 && dx < 0.8 && y > size * 0.15 && y < size * 0.85;
          let v = lungs ? 50 : 150; // dark lungs, bright mediastinum and surroundings
          if (spec.label === 'covid' && lungs && y > size * 0.5) v += 60; // lower-zone opacities
          if (spec.source === 'covid-chestxray') v += options.sourceOffset;
          v += (rng.next() - 0.5) * 40;
          pixels[y * size + x] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
      const png = await sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
      const rel = `${spec.label}/${spec.source}_${spec.label}_${patient}_${k}.png`;
      await writeFile(path.join(dir, rel), png);
      records.push({
        path: rel,
        label: spec.label,
        source: spec.source,
        patientId: `${spec.label}-${patient}`,
        view: 'PA',
        sex: null,
        age: null,
        originalPath: rel,
        sha256: createHash('sha256').update(png).digest('hex'),
        // As the two collections it imitates write them.
        finding: spec.label === 'covid' ? 'COVID-19' : 'No Finding',
      });
    }
  }
  await writeFile(path.join(dir, 'manifest.csv'), formatManifest(records));
  return records;
}
