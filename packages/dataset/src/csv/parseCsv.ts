import { CsvError, parse } from 'csv-parse/sync';
import { CsvFormatError } from '../errors';

/** What csv-parse's error codes mean, in the words this package's errors use. */
const CSV_PROBLEMS: Record<string, (error: CsvError) => string> = {
  CSV_QUOTE_NOT_CLOSED: () => 'unterminated quoted field',
  CSV_INVALID_CLOSING_QUOTE: (e) => `unexpected ${JSON.stringify(/got "(.*)" at line/.exec(e.message)?.[1] ?? '?')} after a closing quote`,
  INVALID_OPENING_QUOTE: () => 'a quote inside an unquoted field',
};

/**
 * Parses RFC 4180 CSV text into rows of strings with csv-parse: quoted fields may hold commas, newlines and doubled
 * quotes (`""`); CRLF, LF and CR line ends are all accepted, even mixed; a UTF-8 BOM is dropped. A final empty line is
 * ignored. Throws {@link CsvFormatError} (naming `file` and the line) on a quote that is never closed or text after a
 * closing quote. For large files, stream them with `readCsvRecords` instead.
 *
 * @example
 * parseCsv('a,b\n"x, ""y""",2\n'); // [['a', 'b'], ['x, "y"', '2']]
 */
export function parseCsv(text: string, file = '<csv>'): string[][] {
  try {
    return parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as string[][];
  } catch (error) {
    if (error instanceof CsvError) {
      const problem = CSV_PROBLEMS[error.code]?.(error) ?? error.message;
      throw new CsvFormatError(file, typeof error.lines === 'number' ? error.lines : null, problem, { cause: error });
    }
    throw error;
  }
}

/**
 * Parses CSV text with a header row into objects keyed by column name, checking that the
 * `required` columns exist and that every row has as many fields as the header. Blank lines are skipped.
 *
 * @throws {CsvFormatError} naming the file and the line or row of the first problem
 */
export function parseCsvRecords(text: string, file = '<csv>', required: readonly string[] = []): Record<string, string>[] {
  const rows = parseCsv(text, file);
  if (rows.length === 0) throw new CsvFormatError(file, null, 'empty file, no header row');
  const header = rows[0];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvFormatError(file, 1, `missing column(s) ${missing.join(', ')} in header ${header.join(',')}`);
  }
  const out: Record<string, string>[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    if (row.length === 1 && row[0] === '') continue; // blank line
    if (row.length !== header.length) {
      throw new CsvFormatError(file, null, `row ${r + 1} has ${row.length} fields, the header has ${header.length}`);
    }
    const rec: Record<string, string> = {};
    for (let c = 0; c < header.length; c++) rec[header[c]] = row[c];
    out.push(rec);
  }
  return out;
}
