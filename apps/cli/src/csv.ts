import { createReadStream } from 'node:fs';
import { InputError } from './errors';

/** One CSV record: its fields and the (1-based) line of the file on which it starts. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * An incremental RFC 4180 parser: feed it text chunks, collect whole records. Handles quoted fields with
 * commas, doubled quotes and line breaks, CRLF or LF line ends, and a leading byte-order mark. A quote inside
 * an unquoted field, text after a closing quote, or a quote left open at the end is an {@link InputError}
 * naming the file and line.
 */
export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  private quoteClosed = false;
  private fieldStarted = false;
  private line = 1;
  private recordLine = 1;
  private pendingCr = false;
  private first = true;
  private pendingQuote = false;

  constructor(private readonly file: string) {}

  /** Parses a chunk and returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let text = chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === '\n') continue; // the LF of a CRLF already ended the record
      }
      if (this.inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else if (i + 1 === text.length) {
            // Cannot tell "" from a closing quote at a chunk's end: decide on the next chunk.
            this.inQuotes = false;
            this.quoteClosed = true;
            this.pendingQuote = true;
          } else {
            this.inQuotes = false;
            this.quoteClosed = true;
          }
        } else {
          if (c === '\n') this.line++;
          else if (c === '\r' && text[i + 1] !== '\n') this.line++;
          this.field += c;
        }
        continue;
      }
      if (this.pendingQuote) {
        this.pendingQuote = false;
        if (c === '"') {
          // It was an escaped quote split across chunks.
          this.field += '"';
          this.inQuotes = true;
          this.quoteClosed = false;
          continue;
        }
      }
      if (c === ',') {
        this.endField();
      } else if (c === '\n' || c === '\r') {
        this.endField();
        out.push(this.endRecord());
        this.line++;
        this.recordLine = this.line;
        if (c === '\r') this.pendingCr = true;
      } else if (c === '"') {
        if (this.fieldStarted || this.quoteClosed) this.fail('a quote (") inside an unquoted field; quote the whole field');
        this.inQuotes = true;
        this.fieldStarted = true;
      } else {
        if (this.quoteClosed) this.fail(`text after a closing quote ("${c}")`);
        this.field += c;
        this.fieldStarted = true;
      }
    }
    return out;
  }

  /** Ends the input and returns the last record, if the text did not end with a line break. */
  end(): CsvRecord[] {
    this.pendingQuote = false;
    if (this.inQuotes) this.fail('a quoted field is never closed', this.recordLine);
    if (this.fieldStarted || this.quoteClosed || this.fields.length > 0) {
      this.endField();
      return [this.endRecord()];
    }
    return [];
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.fieldStarted = false;
    this.quoteClosed = false;
  }

  private endRecord(): CsvRecord {
    const record = { fields: this.fields, line: this.recordLine };
    this.fields = [];
    return record;
  }

  private fail(problem: string, line = this.line): never {
    throw new InputError(`${this.file}, line ${line}: malformed CSV: ${problem}`);
  }
}

/**
 * Streams the records of a CSV file (UTF-8) without loading it whole. Blank lines are skipped.
 * A missing or unreadable file is an {@link InputError} naming it.
 *
 * @param path - the file to read.
 * @param displayName - how messages name the file (defaults to `path`).
 */
export async function* readCsvRecords(path: string, displayName = path): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(displayName);
  const stream = createReadStream(path, { encoding: 'utf8' });
  const keep = (r: CsvRecord): boolean => !(r.fields.length === 1 && r.fields[0] === '');
  try {
    for await (const chunk of stream) {
      for (const record of parser.push(chunk as string)) if (keep(record)) yield record;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new InputError(`Cannot read ${displayName}: ${why}`, { cause: error });
  } finally {
    stream.destroy();
  }
  for (const record of parser.end()) if (keep(record)) yield record;
}
