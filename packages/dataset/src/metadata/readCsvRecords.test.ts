import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { MetadataSchemaError } from '../errors';
import { readCsvRecords, requireColumns, type CsvRecord } from './readCsvRecords';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-csv-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function all(file: string): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(file)) out.push(r);
  return out;
}

describe('readCsvRecords', () => {
  it('numbers records by their first line across quoted newlines, blank lines, CRLF and a BOM (hand-counted)', async () => {
    // line 1: header; 2: a; 3-5: b (two newlines in quotes); 6: blank; 7: c; 8: blank; 9: d
    const text = '\ufeffid,note\r\na,x\r\nb,"one\r\ntwo, ""2""\r\nthree"\r\n\r\nc,y\r\n\r\nd,z\r\n';
    const file = path.join(tmp, 'a.csv');
    await writeFile(file, text);
    const rs = await all(file);
    expect(rs.map((r) => [r.fields[0], r.line])).toEqual([
      ['id', 1],
      ['a', 2],
      ['b', 3],
      ['c', 7],
      ['d', 9],
    ]);
    expect(rs[2]?.fields[1]).toBe('one\r\ntwo, "2"\r\nthree');
    const gz = path.join(tmp, 'a.csv.gz');
    await writeFile(gz, gzipSync(text));
    expect(await all(gz)).toEqual(rs);
  });

  it('names the file for an unreadable, malformed or non-gzip input', async () => {
    await expect(all(path.join(tmp, 'absent.csv'))).rejects.toThrow(`Bad metadata in ${path.join(tmp, 'absent.csv')}: file not found`);
    const bad = path.join(tmp, 'bad.csv');
    await writeFile(bad, 'a,b\n"unterminated,1\n');
    await expect(all(bad)).rejects.toThrow(MetadataSchemaError);
    const notGz = path.join(tmp, 'not.csv.gz');
    await writeFile(notGz, 'a,b\n1,2\n');
    await expect(all(notGz)).rejects.toThrow(notGz);
    const named = async () => {
      for await (const r of readCsvRecords(path.join(tmp, 'absent.csv'), { displayName: 'as-typed.csv' })) void r;
    };
    await expect(named()).rejects.toThrow('Bad metadata in as-typed.csv: file not found');
  });

  it('requireColumns maps names to indexes and names the first missing column', () => {
    expect(requireColumns([' a', 'b', 'a'], ['b', 'a'], 'f.csv')).toEqual({ b: 1, a: 0 });
    expect(() => requireColumns(['a'], ['a', 'c'], 'f.csv')).toThrow('Bad metadata in f.csv: missing required column "c"');
  });
});
