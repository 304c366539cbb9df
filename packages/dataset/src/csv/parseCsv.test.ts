import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithData, SHARED_DATA } from '../__fixtures__/sharedData';
import { CsvFormatError } from '../errors';
import { formatCsvField } from './formatCsvField';
import { parseCsv, parseCsvRecords } from './parseCsv';

describe('parseCsv', () => {
  it('reads quoted commas, doubled quotes, newlines in quotes, CRLF and a BOM', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","line1\nline2"\r\n1,,3\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'line1\nline2'],
      ['1', '', '3'],
    ]);
  });

  it('keeps a trailing empty field and a last line without newline', () => {
    expect(parseCsv('a,b,\n1,2,')).toEqual([
      ['a', 'b', ''],
      ['1', '2', ''],
    ]);
  });

  it('names the file and line of an unterminated quote', () => {
    expect(() => parseCsv('a\n"oops\n', 'm.csv')).toThrow(CsvFormatError);
    expect(() => parseCsv('a\n"oops\n', 'm.csv')).toThrow('m.csv:2: unterminated quoted field');
    expect(() => parseCsv('a\n"x"y\n', 'm.csv')).toThrow(/m\.csv:2: unexpected "y" after a closing quote/);
  });

  it('round-trips fields through formatCsvField', () => {
    const fields = ['plain', 'with,comma', 'with "quote"', 'multi\nline', ''];
    expect(parseCsv(fields.map(formatCsvField).join(',') + '\n')).toEqual([fields]);
  });

  it('checks required columns and row widths', () => {
    expect(() => parseCsvRecords('path,x\n1,2\n', 'f.csv', ['path', 'label'])).toThrow(/f\.csv:1: missing column\(s\) label/);
    expect(() => parseCsvRecords('a,b\n1,2,3\n', 'f.csv')).toThrow(/row 2 has 3 fields, the header has 2/);
  });
});

describeWithData('parseCsv on the real covid-chestxray metadata.csv', () => {
  it('reads its 751 rows despite quoted multi-line notes', () => {
    const text = readFileSync(path.join(SHARED_DATA, 'covid-chestxray/metadata.csv'), 'utf8');
    const rows = parseCsvRecords(text, 'metadata.csv', ['patientid', 'finding', 'filename']);
    expect(rows).toHaveLength(751); // published row count (shared/data/README.md)
    const pa = rows.filter((r) => r.view === 'PA' && r.modality === 'X-ray');
    // published count of COVID-19 PA X-ray rows (finding includes 'COVID-19, ARDS')
    expect(pa.filter((r) => r.finding.includes('COVID-19'))).toHaveLength(217);
    // Python's csv module finds 206 rows with finding exactly 'COVID-19'
    expect(pa.filter((r) => r.finding === 'COVID-19')).toHaveLength(206);
  });
});
