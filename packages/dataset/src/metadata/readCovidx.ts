import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DatasetConfigError, DatasetError, MetadataSchemaError } from '../errors';
import { findingLabels } from './matchesFinding';
import { resolveInside } from './resolveInside';
import type { ReaderOptions, SourceRecord } from './sourceRecord';

/**
 * COVIDx labels as COVID-Net writes them (COVIDx up to v8: `COVID-19`, `pneumonia`, `normal`; COVIDx CXR-2 and
 * later: `positive`, `negative`), mapped to the findings the recipes match. `negative` (CXR-2) means "not COVID-19"
 * (normal or another pneumonia): it is kept as its own finding, never merged into `No Finding`.
 */
export const COVIDX_FINDINGS: Readonly<Record<string, string>> = {
  'covid-19': 'COVID-19',
  covid: 'COVID-19',
  positive: 'COVID-19',
  pneumonia: 'Pneumonia',
  normal: 'No Finding',
  negative: 'COVID-19 negative',
};

/** Options of {@link readCovidx}. */
export interface CovidxOptions extends ReaderOptions {
  /**
   * Split files to read; default every `*.txt` in `dir` whose name starts with `train` or `test` (COVID-Net's
   * `train_COVIDx9A.txt`, `test_COVIDx9A.txt`), in name order.
   */
  splitFiles?: string[];
}

/**
 * Streams a COVIDx dataset as COVID-Net publishes it: split files with one image per line, `<patient id> <file name>
 * <label> <data source>` separated by spaces (e.g. `419639-003251 MIDRC-RICORD-1C-419639-003251-46647-0.png positive
 * ricord`), and the images of `train_*.txt` in `<dir>/train/`, of `test_*.txt` in `<dir>/test/`. A file name may hold
 * spaces: the first field is the patient, the last two the label and the data source, the rest the file name.
 * The label gives the finding ({@link COVIDX_FINDINGS}); COVIDx records no view, sex or age (view `''`, unknown),
 * modality is `X-ray`; the data source (`cohen`, `rsna`, `ricord`...) is kept as `collection`.
 *
 * @throws {DatasetConfigError} when no split file is found
 * @throws {MetadataSchemaError} for a line with fewer than four fields or an unknown label (naming file and line)
 * @example for await (const r of readCovidx('data/covidx')) console.log(r.patientId, r.finding, r.collection);
 */
export async function* readCovidx(dir: string, options: CovidxOptions = {}): AsyncGenerator<SourceRecord> {
  let files = options.splitFiles;
  if (!files) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (cause) {
      throw new DatasetConfigError(`Cannot read COVIDx folder ${dir}: ${(cause as Error).message}`, { cause, file: dir });
    }
    files = names.filter((n) => /^(train|test)[^/\\]*\.txt$/i.test(n)).sort().map((n) => path.join(dir, n));
    if (files.length === 0) {
      throw new DatasetConfigError(`No COVIDx split file in ${dir}: expected train_*.txt or test_*.txt (with images in train/ and test/)`, { file: dir });
    }
  }
  for (const file of files) {
    const imagesDir = path.join(dir, /^test/i.test(path.basename(file)) ? 'test' : 'train');
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let line = 0;
    try {
      for await (const text of lines) {
        line++;
        const fields = text.trim().split(/\s+/);
        if (fields.length === 1 && fields[0] === '') continue;
        if (fields.length < 4) {
          throw new MetadataSchemaError(`line ${line} has ${fields.length} fields, expected "<patient id> <file name> <label> <data source>": ${JSON.stringify(text)}`, file);
        }
        const patientId = fields[0];
        const label = fields[fields.length - 2];
        const collection = fields[fields.length - 1];
        const fileName = fields.slice(1, -2).join(' ');
        const finding = COVIDX_FINDINGS[label.toLowerCase()];
        if (finding === undefined) {
          throw new MetadataSchemaError(`line ${line}: unknown label ${JSON.stringify(label)} (expected one of ${Object.keys(COVIDX_FINDINGS).join(', ')})`, file, { column: 'label' });
        }
        let imagePath: string;
        try {
          imagePath = resolveInside(imagesDir, fileName, file);
        } catch (error) {
          if (!options.onIssue || !(error instanceof DatasetError)) throw error;
          options.onIssue({ source: 'covidx', file, row: line, originalPath: fileName, reason: 'unsafe-path', message: error.message });
          continue;
        }
        yield {
          imagePath,
          finding,
          labels: findingLabels(finding),
          patientId,
          view: '',
          sex: null,
          age: null,
          modality: 'X-ray',
          source: 'covidx',
          collection,
          originalPath: `${path.basename(imagesDir)}/${fileName}`,
          row: line,
        };
      }
    } catch (error) {
      if (error instanceof DatasetError) throw error;
      throw new MetadataSchemaError(`cannot read the split file (${(error as Error).message})`, file, { cause: error });
    } finally {
      lines.close();
    }
  }
}
