import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CsvParser, readCsvRecords } from './csv';
import { InputError } from './errors';

function parseAll(text: string, chunkSize = text.length || 1) {
  const parser = new CsvParser('t.csv');
  const out = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(...parser.push(text.slice(i, i + chunkSize)));
  out.push(...parser.end());
  return out;
}

describe('CsvParser', () => {
  const text = '\ufeffpath,label,notes\r\n"a, b.png",covid,"said ""hi""\nthen left"\r\n c.png ,normal,\n"",x,"y"';

  it('parses quoted commas, doubled quotes, line breaks in quotes, CRLF and a BOM (RFC 4180)', () => {
    expect(parseAll(text)).toEqual([
      { fields: ['path', 'label', 'notes'], line: 1 },
      { fields: ['a, b.png', 'covid', 'said "hi"\nthen left'], line: 2 },
      { fields: [' c.png ', 'normal', ''], line: 4 },
      { fields: ['', 'x', 'y'], line: 5 },
    ]);
  });

  it('gives the same records whatever the chunking', () => {
    const whole = parseAll(text);
    for (const size of [1, 2, 3, 7]) expect(parseAll(text, size)).toEqual(whole);
  });

  it('reports malformed input with the file and line', () => {
    expect(() => parseAll('a,b\n"open,1\n')).toThrow(new InputError('t.csv, line 2: malformed CSV: a quoted field is never closed'));
    expect(() => parseAll('a,b\nx"y,1\n')).toThrow(/t\.csv, line 2: malformed CSV: a quote/);
    expect(() => parseAll('a,b\n"x"y,1\n')).toThrow(/t\.csv, line 2: malformed CSV: text after a closing quote/);
  });
});

describe('readCsvRecords', () => {
  it('streams a file, skipping blank lines, and names a missing file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-csv-'));
    try {
      const file = path.join(dir, 'p.csv');
      await writeFile(file, 'label,score\n\ncovid,0.5\n');
      const records = [];
      for await (const r of readCsvRecords(file, 'p.csv')) records.push(r);
      expect(records).toEqual([
        { fields: ['label', 'score'], line: 1 },
        { fields: ['covid', '0.5'], line: 3 },
      ]);
      const missing = readCsvRecords(path.join(dir, 'nope.csv'), 'nope.csv');
      await expect(missing.next()).rejects.toThrow('Cannot read nope.csv: no such file');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
