import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { DatasetConfigError } from '../errors';
import { encodeDicom, uidFromName } from './encodeDicom';
import { seededRandom, type SeededRandom } from './seededRandom';
import { renderSyntheticChestXray } from './syntheticChestXray';
import { formatCsvField } from '../csv/formatCsvField';
import type { SourceSpec } from '../metadata/openSource';

/**
 * The column names of ieee8023/covid-chestxray-dataset `metadata.csv` (upstream commit 584034aa), in order.
 * The real header ends with a comma, so its last column has an empty name; kept so readers meet the real shape.
 */
export const COVID_CHESTXRAY_COLUMNS = [
  'patientid', 'offset', 'sex', 'age', 'finding', 'survival', 'intubated', 'intubation_present', 'went_icu',
  'in_icu', 'needed_supplemental_O2', 'extubated', 'temperature', 'pO2_saturation', 'leukocyte_count',
  'neutrophil_count', 'lymphocyte_count', 'view', 'modality', 'date', 'location', 'folder', 'filename', 'doi',
  'url', 'license', 'clinical_notes', 'other_notes', '',
] as const;

/**
 * The header line of NIH ChestX-ray14 `Data_Entry_2017_v2020.csv`, verbatim. It is not valid CSV for a naive
 * reader: the last two names contain commas, so 9 names head 11 fields per row.
 */
export const NIH_HEADER =
  'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]';

/** Options of {@link makeSyntheticDataset}. */
export interface SyntheticDatasetOptions {
  /** Any string or number; the same seed (and options) gives byte-identical files. */
  seed: string | number;
  /** COVID-19 PA X-ray images the notebook's recipe should select (all in covid-chestxray); default 24. */
  covidCount?: number;
  /** "No Finding"/"Normal" adult PA images the recipe should select, spread over the three sources; default 24. */
  normalCount?: number;
  /**
   * Other-pneumonia PA X-ray images in covid-chestxray (findings such as `Pneumonia/Bacterial/Streptococcus`, drawn
   * with a lobar consolidation): the `three-class` recipe's pneumonia class, left out by the notebook's; default 0
   * (then the files are exactly those made without this option).
   */
  pneumoniaCount?: number;
  /** Image width and height in pixels; default 256. */
  size?: number;
}

/** What {@link makeSyntheticDataset} wrote and what a correct recipe should select from it. */
export interface SyntheticDatasetCounts {
  /** COVID-19, PA, X-ray images present: what the recipe should label covid. */
  covid: number;
  /** "No Finding" PA adult images present (covid-chestxray + NIH) plus RSNA "Normal" DICOMs: the recipe's normals. */
  normal: number;
  /**
   * Other-finding PA X-ray images present in covid-chestxray: what the `three-class` recipe labels pneumonia
   * (`pneumoniaCount` plus the SARS case, which the notebook's recipe leaves out).
   */
  pneumonia: number;
  bySource: {
    'covid-chestxray': { covid: number; normal: number; pneumonia: number };
    nih: { normal: number };
    rsna: { normal: number };
  };
  /** Images present that the recipe must leave out (AP/L views, CT, other findings, a child, RSNA pneumonia). */
  distractorImages: number;
  /** Metadata rows whose image is absent, as in the real collection. */
  missingImages: number;
}

/** Where {@link makeSyntheticDataset} wrote each source, laid out like the real downloads. */
export interface SyntheticDataset {
  root: string;
  sources: { 'covid-chestxray': string; nih: string; rsna: string };
  counts: SyntheticDatasetCounts;
}

const MARKER = 'README-SYNTHETIC.md';

type ImageFormat = 'png' | 'png16' | 'jpeg' | 'jpeg-rgb';

/** One CSV line; fields quoted only when needed (`formatCsvField`), as the real files do. */
function csvLine(fields: Array<string | number>): string {
  return `${fields.map((f) => formatCsvField(f)).join(',')}\n`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "March 9, 2020": the real metadata's date style (it needs quoting in CSV). A patient's images follow its offsets. */
function studyDate(patientId: number, offsetDays: number): string {
  const d = new Date(Date.UTC(2020, 2, 1 + (patientId % 20) + offsetDays));
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

/** A version-4-shaped UUID drawn from the seeded generator (RSNA patient ids look like this). */
function uuid(rng: SeededRandom): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng.next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(rng.next() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function encodeImage(pixels: Float32Array, size: number, format: ImageFormat): Promise<Buffer> {
  if (format === 'png16') {
    const words = Uint16Array.from(pixels, (x) => Math.round(65535 * x));
    return sharp(words, { raw: { width: size, height: size, channels: 1 } }).toColourspace('grey16').png().toBuffer();
  }
  const bytes = Buffer.from(Uint8Array.from(pixels, (x) => Math.round(255 * x)));
  // sharp writes sRGB unless told otherwise; real X-ray PNG/JPEG files are mostly single-channel grey.
  const raw = sharp(bytes, { raw: { width: size, height: size, channels: 1 } });
  if (format === 'png') return raw.toColourspace('b-w').png().toBuffer();
  // Some real collection images are RGB JPEGs of grey X-rays; one in five here too.
  const img = format === 'jpeg-rgb' ? raw.toColourspace('srgb') : raw.toColourspace('b-w');
  return img.jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer();
}

function checkOptions(dir: string, o: SyntheticDatasetOptions): Required<SyntheticDatasetOptions> {
  const covidCount = o.covidCount ?? 24;
  const pneumoniaCount = o.pneumoniaCount ?? 0;
  const normalCount = o.normalCount ?? 24;
  const size = o.size ?? 256;
  const bad = (what: string, value: unknown) => {
    throw new DatasetConfigError(`Cannot make the synthetic dataset in ${dir}: ${what}, got ${JSON.stringify(value)}`);
  };
  if (typeof o.seed !== 'number' && typeof o.seed !== 'string') bad('seed must be a number or a string', o.seed);
  if (!Number.isInteger(covidCount) || covidCount < 2 || covidCount > 5000) bad('covidCount must be an integer from 2 to 5000', covidCount);
  if (!Number.isInteger(normalCount) || normalCount < 3 || normalCount > 5000) bad('normalCount must be an integer from 3 to 5000', normalCount);
  if (!Number.isInteger(pneumoniaCount) || pneumoniaCount < 0 || pneumoniaCount > 5000) bad('pneumoniaCount must be an integer from 0 to 5000', pneumoniaCount);
  if (!Number.isInteger(size) || size < 64 || size > 2048) bad('size must be an integer from 64 to 2048 pixels', size);
  return { seed: o.seed, covidCount, normalCount, pneumoniaCount, size };
}

/**
 * Makes, offline and in a few seconds, a small SYNTHETIC chest X-ray dataset in the real formats of the
 * three public sources the toolkit reads, for the demo and for integration tests:
 *
 * - `covid-chestxray/metadata.csv` with the real ieee8023 columns (quoted fields with commas and line breaks
 *   in `clinical_notes`, findings `Pneumonia/Viral/COVID-19` and `COVID-19`, several images per patient) and
 *   `images/` (8-bit grey PNG, one 16-bit PNG, grey and RGB JPEG), plus rows the recipe must filter out
 *   (AP Supine, AP and L views, a CT, a SARS case, a "No Finding" lateral) and one row whose image is absent;
 * - `nih-cxr14/Data_Entry_2017_v2020.csv.gz` with the real NIH header and `images/*.png` ("No Finding", PA,
 *   adults; plus rows for other findings, an AP view and a child that the recipe must leave out);
 * - `rsna-pneumonia/stage_2_train_labels.csv`, `stage_2_detailed_class_info.csv` and
 *   `stage_2_train_images/<patientId>.dcm`: DICOM Part 10, Explicit VR Little Endian, CR, PA, 8-bit
 *   MONOCHROME2, and one 12-bit MONOCHROME1 with a VOI window; plus one "Lung Opacity" (Target 1) AP case.
 *
 * THE DATA IS SYNTHETIC AND THE TASK DELIBERATELY EASY: every image is drawn by
 * {@link renderSyntheticChestXray}, and covid images differ from normals by bright patchy blobs in the lower
 * lung fields, which a frozen random convolutional base and a trained head can learn. Results on it show that
 * the pipeline runs end to end; they say nothing about COVID-19. NOT FOR CLINICAL USE.
 *
 * Written to a temporary sibling directory and renamed into place. An existing `dir` is replaced only when it
 * is empty or a previous synthetic dataset (it holds `README-SYNTHETIC.md`).
 *
 * @throws {DatasetConfigError} bad options, or a `dir` that holds other files.
 * @example
 * const ds = await makeSyntheticDataset('/tmp/cxr-demo/data', { seed: 42, covidCount: 24, normalCount: 24, size: 256 });
 * ds.counts; // { covid: 24, normal: 24, ... }
 */
export async function makeSyntheticDataset(dir: string, options: SyntheticDatasetOptions): Promise<SyntheticDataset> {
  const root = path.resolve(dir);
  const { seed, covidCount, normalCount, pneumoniaCount, size } = checkOptions(root, options);
  const rng = seededRandom(`cxr-synthetic-dataset:${seed}`);

  const rsnaNormals = Math.max(1, Math.round(normalCount / 6));
  const cxrNormals = Math.max(1, Math.round(normalCount / 8));
  const nihNormals = normalCount - rsnaNormals - cxrNormals;
  if (nihNormals < 1) throw new DatasetConfigError(`Cannot make the synthetic dataset in ${root}: normalCount ${normalCount} leaves no NIH images`);

  // Fail before drawing anything when the target cannot be replaced; checked again when renaming into place.
  await checkReplaceable(root);
  const parent = path.dirname(root);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(root)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const cxrDir = path.join(tmp, 'covid-chestxray');
  const nihDir = path.join(tmp, 'nih-cxr14');
  const rsnaDir = path.join(tmp, 'rsna-pneumonia');
  let distractorImages = 0;
  let missingImages = 0;

  const writeXray = async (file: string, opacities: boolean, format: ImageFormat, consolidation = false) => {
    const pixels = renderSyntheticChestXray({ size, opacities, consolidation, seed: `${seed}:${path.relative(tmp, file)}` });
    await writeFile(file, await encodeImage(pixels, size, format));
  };

  try {
    await mkdir(path.join(cxrDir, 'images'), { recursive: true });
    await mkdir(path.join(nihDir, 'images'), { recursive: true });
    await mkdir(path.join(rsnaDir, 'stage_2_train_images'), { recursive: true });

    // ---- covid-chestxray ----
    const rows: string[] = [csvLine([...COVID_CHESTXRAY_COLUMNS])];
    const row = (r: {
      patientid: number; offset: number | ''; sex: string; age: number; finding: string; view: string; modality: string;
      filename: string; covid: boolean; notes?: string;
    }) => {
      const yn = () => rng.pick(['Y', 'N', '', '']);
      const symptomDays = rng.int(2, 9);
      const note =
        r.notes ??
        (r.covid
          ? `Synthetic case ${r.patientid}, ${r.age}-year-old ${r.sex === 'M' ? 'man' : 'woman'}. Fever, dry cough and fatigue for ${symptomDays} days.\n` +
            `Chest X-ray (synthetic): patchy opacities in the lower zones, "ground glass" pattern.`
          : `Synthetic control ${r.patientid}, ${r.age} years old. Lungs and pleural spaces are clear,\nheart size normal.`);
      return csvLine([
        r.patientid, r.offset, r.sex, r.age, r.finding, yn(), yn(), '', yn(), '', yn(), '',
        rng.next() < 0.5 ? (36.5 + rng.int(0, 25) / 10).toFixed(1) : '', rng.next() < 0.5 ? rng.int(85, 99) : '',
        '', '', '', r.view, r.modality, studyDate(r.patientid, r.offset === '' ? 0 : r.offset), 'Synthetic General Hospital, Nowhere', 'images', r.filename,
        '', '', 'CC0', note, `Synthetic image made by cxr (seed ${seed}); not a real patient.`, '',
      ]);
    };
    const covidFormats: ImageFormat[] = [];
    for (let j = 0; j < covidCount; j++) {
      covidFormats.push(j === 0 ? 'png16' : j % 5 === 2 ? 'jpeg-rgb' : j % 3 === 1 ? 'jpeg' : 'png');
    }
    let j = 0;
    let patient = 1001;
    const covidPatients: Array<{ id: number; sex: string; age: number }> = [];
    while (j < covidCount) {
      const p = { id: patient++, sex: rng.pick(['M', 'F']), age: rng.int(28, 86) };
      covidPatients.push(p);
      const images = Math.min(covidCount - j, rng.pick([1, 1, 2, 3]));
      const finding = covidPatients.length % 2 === 0 ? 'COVID-19' : 'Pneumonia/Viral/COVID-19';
      for (let k = 0; k < images; k++, j++) {
        const format = covidFormats[j];
        const ext = format.startsWith('png') ? 'png' : k % 2 === 0 ? 'jpeg' : 'jpg';
        const filename = `synthetic-covid-${p.id}-${k}.${ext}`;
        rows.push(row({ patientid: p.id, offset: [0, 3, 7][k], sex: p.sex, age: p.age, finding, view: 'PA', modality: 'X-ray', filename, covid: true }));
        await writeXray(path.join(cxrDir, 'images', filename), true, format);
      }
    }
    // Rows the recipe must filter out, with their images present, as in the real collection.
    const [p0, p1 = p0] = covidPatients;
    const distractors: Array<{ p: { id: number; sex: string; age: number }; finding: string; view: string; modality: string; covid: boolean }> = [
      { p: p0, finding: 'Pneumonia/Viral/COVID-19', view: 'AP Supine', modality: 'X-ray', covid: true },
      { p: p1, finding: 'COVID-19', view: 'AP', modality: 'X-ray', covid: true },
      { p: p1, finding: 'COVID-19', view: 'L', modality: 'X-ray', covid: true },
      { p: p0, finding: 'Pneumonia/Viral/COVID-19', view: 'Axial', modality: 'CT', covid: true },
      { p: { id: 2001, sex: 'F', age: 51 }, finding: 'Pneumonia/Viral/SARS', view: 'PA', modality: 'X-ray', covid: true },
    ];
    for (const [k, d] of distractors.entries()) {
      const filename = `synthetic-other-${d.p.id}-${k}.jpeg`;
      rows.push(row({ patientid: d.p.id, offset: 10 + k, sex: d.p.sex, age: d.p.age, finding: d.finding, view: d.view, modality: d.modality, filename, covid: d.covid }));
      // With a pneumonia class asked for, the SARS case (another pneumonia for the three-class recipe) looks like one.
      const sars = pneumoniaCount > 0 && d.finding.endsWith('SARS');
      await writeXray(path.join(cxrDir, 'images', filename), d.covid && !sars, 'jpeg', sars);
      distractorImages++;
    }
    // A COVID-19 PA row whose image is not there (the real metadata lists 54 such images).
    rows.push(row({ patientid: p0.id, offset: 14, sex: p0.sex, age: p0.age, finding: 'COVID-19', view: 'PA', modality: 'X-ray', filename: `synthetic-covid-${p0.id}-absent.jpeg`, covid: true }));
    missingImages++;
    for (let k = 0; k < cxrNormals; k++) {
      const p = { id: 3001 + k, sex: rng.pick(['M', 'F']), age: rng.int(22, 80) };
      const filename = `synthetic-nofinding-${p.id}.jpeg`;
      rows.push(row({ patientid: p.id, offset: '', sex: p.sex, age: p.age, finding: 'No Finding', view: 'PA', modality: 'X-ray', filename, covid: false }));
      await writeXray(path.join(cxrDir, 'images', filename), false, 'jpeg');
    }
    {
      const filename = `synthetic-nofinding-3001-lateral.jpeg`;
      rows.push(row({ patientid: 3001, offset: '', sex: 'F', age: 40, finding: 'No Finding', view: 'L', modality: 'X-ray', filename, covid: false }));
      await writeXray(path.join(cxrDir, 'images', filename), false, 'jpeg');
      distractorImages++;
    }
    // Other pneumonias (PA X-rays), one or two images per patient; only when asked for, so that files made
    // without them stay byte-identical.
    const otherFindings = ['Pneumonia/Bacterial/Streptococcus', 'Pneumonia/Bacterial/Klebsiella', 'Pneumonia/Viral/Influenza', 'Pneumonia/Fungal/Pneumocystis', 'Pneumonia/Bacterial/Legionella'];
    for (let k = 0, id = 4001; k < pneumoniaCount; id++) {
      const p = { id, sex: rng.pick(['M', 'F']), age: rng.int(20, 85) };
      const finding = otherFindings[(id - 4001) % otherFindings.length];
      const images = Math.min(pneumoniaCount - k, rng.pick([1, 1, 2]));
      for (let i = 0; i < images; i++, k++) {
        const filename = `synthetic-pneumonia-${p.id}-${i}.jpeg`;
        const notes = `Synthetic case ${p.id}, ${p.age} years old. Fever and productive cough; ${finding.split('/').pop()} isolated.\nChest X-ray (synthetic): lobar consolidation.`;
        rows.push(row({ patientid: p.id, offset: [0, 4][i], sex: p.sex, age: p.age, finding, view: 'PA', modality: 'X-ray', filename, covid: false, notes }));
        await writeXray(path.join(cxrDir, 'images', filename), false, 'jpeg', true);
      }
    }
    await writeFile(path.join(cxrDir, 'metadata.csv'), rows.join(''));

    // ---- NIH ChestX-ray14 ----
    const nih: Array<{ index: string; line: string }> = [];
    const nihRow = (pid: number, followUp: number, labels: string, age: number, sex: string, view: string) => {
      const index = `${String(pid).padStart(8, '0')}_${String(followUp).padStart(3, '0')}.png`;
      const w = rng.int(2000, 3056);
      const h = rng.int(2000, 3056);
      nih.push({ index, line: [index, labels, followUp, pid, age, sex, view, w, h, '0.143', '0.143'].join(',') + '\n' });
      return index;
    };
    let pid = 90001;
    for (let k = 0; k < nihNormals; ) {
      const sex = rng.pick(['M', 'F']);
      const age = rng.int(18, 88);
      const images = Math.min(nihNormals - k, rng.pick([1, 1, 2]));
      for (let f = 0; f < images; f++, k++) {
        await writeXray(path.join(nihDir, 'images', nihRow(pid, f, 'No Finding', age + f, sex, 'PA')), false, 'png');
      }
      pid++;
    }
    // Rows the recipe must leave out: other findings and an AP view (images absent, as for most real rows),
    // and a child's PA "No Finding" whose image is present.
    nihRow(pid++, 0, 'Cardiomegaly|Effusion', 63, 'M', 'PA');
    nihRow(pid++, 0, 'No Finding', 45, 'F', 'AP');
    nihRow(pid++, 0, 'Infiltration', 37, 'M', 'PA');
    await writeXray(path.join(nihDir, 'images', nihRow(pid++, 0, 'No Finding', 12, 'F', 'PA')), false, 'png');
    distractorImages++;
    nih.sort((a, b) => (a.index < b.index ? -1 : 1));
    const nihCsv = `${NIH_HEADER}\n${nih.map((r) => r.line).join('')}`;
    // mtime 0 in the gzip header (Node's default) keeps the file byte-identical between runs.
    await writeFile(path.join(nihDir, 'Data_Entry_2017_v2020.csv.gz'), gzipSync(Buffer.from(nihCsv), { level: 9 }));

    // ---- RSNA Pneumonia Detection Challenge ----
    const labels = ['patientId,x,y,width,height,Target\n'];
    const classes = ['patientId,class\n'];
    const writeRsna = async (patientId: string, k: number, opts: { opacities: boolean; view: string; monochrome1: boolean }) => {
      const pixels = renderSyntheticChestXray({ size, opacities: opts.opacities, seed: `${seed}:rsna:${patientId}` });
      const sex = rng.pick(['M', 'F']);
      const age = String(rng.int(20, 85)).padStart(3, '0') + 'Y';
      const common = {
        rows: size, columns: size, patientId, patientSex: sex, patientAge: age, viewPosition: opts.view, modality: 'CR',
        pixelSpacing: [0.168, 0.168] as [number, number],
        studyInstanceUid: uidFromName(`${seed}:study:${patientId}`),
        seriesInstanceUid: uidFromName(`${seed}:series:${patientId}`),
        sopInstanceUid: uidFromName(`${seed}:sop:${patientId}:${k}`),
      };
      const bytes = opts.monochrome1
        ? encodeDicom({
            ...common,
            bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME1',
            // Inverted (MONOCHROME1: high is dark) 12-bit values in [300, 3300]; the window maps exactly that
            // range to the display range, so a reader that ignores the VOI window or the inversion gets it wrong.
            pixelData: Uint16Array.from(pixels, (x) => Math.round(300 + (1 - x) * 3000)),
            windowCenter: 1800, windowWidth: 3000, rescaleIntercept: 0, rescaleSlope: 1,
          })
        : encodeDicom({
            ...common,
            bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME2',
            pixelData: Uint8Array.from(pixels, (x) => Math.round(255 * x)),
          });
      await writeFile(path.join(rsnaDir, 'stage_2_train_images', `${patientId}.dcm`), bytes);
    };
    for (let k = 0; k < rsnaNormals; k++) {
      const id = uuid(rng);
      labels.push(`${id},,,,,0\n`);
      classes.push(`${id},Normal\n`);
      await writeRsna(id, k, { opacities: false, view: 'PA', monochrome1: k === 0 });
    }
    {
      // A pneumonia case (Target 1, two boxes, one row each) that the recipe must leave out.
      const id = uuid(rng);
      const scale = size / 1024;
      for (const [x, y, w, h] of [[264, 452, 213, 379], [562, 452, 256, 420]]) {
        labels.push(`${id},${(x * scale).toFixed(1)},${(y * scale).toFixed(1)},${(w * scale).toFixed(1)},${(h * scale).toFixed(1)},1\n`);
        classes.push(`${id},Lung Opacity\n`);
      }
      await writeRsna(id, rsnaNormals, { opacities: true, view: 'AP', monochrome1: false });
      distractorImages++;
    }
    await writeFile(path.join(rsnaDir, 'stage_2_train_labels.csv'), labels.join(''));
    await writeFile(path.join(rsnaDir, 'stage_2_detailed_class_info.csv'), classes.join(''));

    await writeFile(
      path.join(tmp, MARKER),
      [
        '# SYNTHETIC chest X-ray dataset: NOT real patients, NOT FOR CLINICAL USE',
        '',
        `Made by cxr \`makeSyntheticDataset\` (seed ${JSON.stringify(seed)}, ${size}x${size} px) in the file formats of`,
        'ieee8023/covid-chestxray-dataset, NIH ChestX-ray14 and the RSNA Pneumonia Detection Challenge.',
        'Every image is drawn by a program. The task is deliberately easy: covid images have bright patchy blobs',
        'in the lower lung fields and normals do not. Results on this data show that the pipeline runs end to end;',
        'they say nothing about COVID-19.',
        '',
        `A correct recipe (covid: COVID-19 PA X-ray; normal: "No Finding" PA adults and RSNA "Normal") selects`,
        `${covidCount} covid and ${normalCount} normal images; ${distractorImages} other images and ${missingImages} absent image must be left out.`,
        '',
      ].join('\n'),
    );
    await commitDirectory(tmp, root);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }

  return {
    root,
    sources: {
      'covid-chestxray': path.join(root, 'covid-chestxray'),
      nih: path.join(root, 'nih-cxr14'),
      rsna: path.join(root, 'rsna-pneumonia'),
    },
    counts: {
      covid: covidCount,
      normal: normalCount,
      pneumonia: pneumoniaCount + 1,
      bySource: { 'covid-chestxray': { covid: covidCount, normal: cxrNormals, pneumonia: pneumoniaCount + 1 }, nih: { normal: nihNormals }, rsna: { normal: rsnaNormals } },
      distractorImages,
      missingImages,
    },
  };
}

/**
 * Whether `dir` may be replaced: absent (false), or empty or a previous synthetic dataset (true).
 * @throws {DatasetConfigError} when it holds anything else.
 */
async function checkReplaceable(dir: string): Promise<boolean> {
  const existing = await stat(dir).then(
    () => readdir(dir),
    () => null,
  );
  if (existing === null) return false;
  if (existing.length > 0 && !existing.includes(MARKER)) {
    throw new DatasetConfigError(
      `Cannot make the synthetic dataset in ${dir}: the directory exists and is not a synthetic dataset (it holds ${existing.slice(0, 3).join(', ')}); choose an empty or new directory`,
    );
  }
  return true;
}

/** Renames the finished temporary directory to `dir`, replacing only an empty dir or a previous synthetic dataset. */
async function commitDirectory(tmp: string, dir: string): Promise<void> {
  if (!(await checkReplaceable(dir))) {
    await rename(tmp, dir);
    return;
  }
  const old = `${tmp}.old`;
  await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

/** The synthetic dataset's three sources as `buildDataset` takes them (covid-chestxray, NIH, RSNA). */
export function syntheticBuildSources(dataset: SyntheticDataset): SourceSpec[] {
  return [
    { kind: 'covid-chestxray', dir: dataset.sources['covid-chestxray'] },
    { kind: 'nih-cxr14', dir: dataset.sources.nih },
    { kind: 'rsna-pneumonia', dir: dataset.sources.rsna },
  ];
}

