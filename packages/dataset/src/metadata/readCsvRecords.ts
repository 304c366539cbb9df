import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { MetadataSchemaError } from '../errors';

/** One CSV record with the 1-based line on which it starts. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Options of {@link readCsvRecords}. */
export interface ReadCsvOptions {
  /** Field delimiter, `,` by default. */
  delimiter?: string;
  /** How errors name the file (e.g. the path as the user typed it); the path itself by default. */
  displayName?: string;
}

/**
 * Streams the records of a CSV file (gunzipped on the fly when the name ends in `.gz`), header included, each with
 * the line where it starts: quoted fields may hold commas and newlines (the covid-chestxray clinical notes do).
 * Memory stays constant whatever the file size.
 *
 * @throws {MetadataSchemaError} when the file cannot be read or is not valid CSV (naming `displayName`)
 * @example
 * for await (const { fields, line } of readCsvRecords('preds.csv')) console.log(line, fields);
 */
export async function* readCsvRecords(file: string, options: ReadCsvOptions = {}): AsyncGenerator<CsvRecord> {
  const input = createReadStream(file);
  const parser = parse({
    delimiter: options.delimiter ?? ',',
    bom: true,
    relax_column_count: true,
    // Line numbers are counted here rather than with csv-parse's `info` option, which triples the parse time:
    // a record spans one line plus one per newline inside its quoted fields; blank lines come as [''] and are skipped.
    skip_empty_lines: false,
  });
  const onInputError = (error: Error): void => {
    parser.destroy(error);
  };
  input.on('error', onInputError);
  if (file.endsWith('.gz')) {
    const gunzip = createGunzip();
    gunzip.on('error', onInputError);
    input.pipe(gunzip).pipe(parser);
  } else {
    input.pipe(parser);
  }
  try {
    let line = 1;
    for await (const fields of parser as AsyncIterable<string[]>) {
      const start = line;
      line++;
      for (const field of fields) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) line++;
      if (fields.length === 1 && fields[0] === '') continue;
      yield { fields, line: start };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new MetadataSchemaError(problem, options.displayName ?? file, { cause: error });
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/**
 * Maps required column names to their indexes in a header.
 *
 * @throws {MetadataSchemaError} naming the file and the first missing column
 */
export function requireColumns<K extends string>(
  header: readonly string[],
  required: readonly K[],
  file: string,
): Record<K, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim();
    if (!index.has(key)) index.set(key, i);
  });
  const out = {} as Record<K, number>;
  for (const name of required) {
    const i = index.get(name);
    if (i === undefined) {
      throw new MetadataSchemaError(`missing required column "${name}" (header: ${header.join(',')})`, file, { column: name });
    }
    out[name] = i;
  }
  return out;
}
