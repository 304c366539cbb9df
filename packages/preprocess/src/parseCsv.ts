import { CsvFormatError } from './errors';

/**
 * Parses RFC 4180 CSV text into rows of strings: quoted fields may hold commas, newlines and
 * doubled quotes (`""`); CRLF and LF line ends are both accepted; a UTF-8 BOM is dropped.
 * A final empty line is ignored. Throws {@link CsvFormatError} (naming `file` and the line) on a
 * quote that is never closed or text after a closing quote.
 *
 * @example
 * parseCsv('a,b\n"x, ""y""",2\n'); // [['a', 'b'], ['x, "y"', '2']]
 */
export function parseCsv(text: string, file = '<csv>'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  let atFieldStart = true;
  while (i < n) {
    const c = text[i];
    if (atFieldStart && c === '"') {
      // quoted field
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n) throw new CsvFormatError(file, startLine, 'unterminated quoted field');
        const q = text[i];
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        throw new CsvFormatError(file, line, `unexpected ${JSON.stringify(text[i])} after a closing quote`);
      }
      atFieldStart = false;
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
      atFieldStart = true;
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      if (c === '"') throw new CsvFormatError(file, line, 'a quote inside an unquoted field');
      field += c;
      atFieldStart = false;
      i++;
    }
  }
  if (!atFieldStart || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Formats one CSV field, quoting it when it holds a comma, quote, CR or LF. */
export function formatCsvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Parses CSV text with a header row into objects keyed by column name, checking that the
 * `required` columns exist and that every row has as many fields as the header.
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
