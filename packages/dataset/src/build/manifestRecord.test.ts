import { MetadataSchemaError } from '../errors';
import { formatManifest, type ManifestRecord } from './manifestRecord';
import { parseManifest } from './readManifest';

const sha = 'a'.repeat(64);
const rec: ManifestRecord = {
  path: 'covid/covid-chestxray_2_a.png',
  label: 'covid',
  source: 'covid-chestxray',
  patientId: '2',
  view: 'AP Supine',
  sex: null,
  age: 65.5,
  originalPath: 'images/a, "b".png',
  sha256: sha,
  finding: 'Pneumonia/Viral/COVID-19',
};

describe('manifest format', () => {
  it('writes the agreed header and RFC 4180 quoting (hand-written expected text)', () => {
    expect(formatManifest([rec])).toBe(
      'path,label,source,patientId,view,sex,age,originalPath,sha256,finding\n' +
        `covid/covid-chestxray_2_a.png,covid,covid-chestxray,2,AP Supine,,65.5,"images/a, ""b"".png",${sha},Pneumonia/Viral/COVID-19\n`,
    );
  });

  it('reads a manifest built before the finding column (9 columns) with finding empty, and refuses a 10th field there', () => {
    const old = 'path,label,source,patientId,view,sex,age,originalPath,sha256\n' + `normal/nih-cxr14_7_b.png,normal,nih-cxr14,7,PA,F,41,b.png,${sha}\n`;
    expect(parseManifest(old)).toEqual([
      { path: 'normal/nih-cxr14_7_b.png', label: 'normal', source: 'nih-cxr14', patientId: '7', view: 'PA', sex: 'F', age: 41, originalPath: 'b.png', sha256: sha, finding: '' },
    ]);
    expect(() => parseManifest(old.replace(`${sha}\n`, `${sha},No Finding\n`), 'old/manifest.csv')).toThrow(/old\/manifest\.csv: line 2, column \*: expected 9 fields, got 10/);
    // The current header needs the finding field on every row.
    expect(() => parseManifest(formatManifest([rec]).replace(/,Pneumonia\/Viral\/COVID-19\n$/, '\n'), 'new/manifest.csv')).toThrow(/expected 10 fields, got 9/);
  });

  it('parses what it writes, CRLF line ends and a BOM included', () => {
    const text = '\ufeff' + formatManifest([rec, { ...rec, sex: 'F', age: null, originalPath: 'x\ny.png' }]).replace(/\n/g, '\r\n');
    expect(parseManifest(text)).toEqual([rec, { ...rec, sex: 'F', age: null, originalPath: 'x\r\ny.png' }]);
  });

  it.each([
    ['path,label\n', 'header', 'source'],
    [`path,label,source,patientId,view,sex,age,originalPath,sha256\n../x.png,covid,s,1,PA,M,3,x,${sha}\n`, 'path', 'path'],
    [`path,label,source,patientId,view,sex,age,originalPath,sha256\n/x.png,covid,s,1,PA,M,3,x,${sha}\n`, 'path', 'path'],
    [`path,label,source,patientId,view,sex,age,originalPath,sha256\nx.png,covid,s,1,PA,X,3,x,${sha}\n`, 'sex', 'sex'],
    [`path,label,source,patientId,view,sex,age,originalPath,sha256\nx.png,covid,s,1,PA,M,old,x,${sha}\n`, 'age', 'age'],
    ['path,label,source,patientId,view,sex,age,originalPath,sha256\nx.png,covid,s,1,PA,M,3,x,abc\n', 'sha256', 'sha256'],
    ['path,label,source,patientId,view,sex,age,originalPath,sha256,finding\nx.png,covid\n', 'fields', '*'],
    ['path,label,source,patientId,view,sex,age,finding,originalPath,sha256\n', 'header', 'originalPath'],
  ])('refuses a bad manifest (%#: %s) naming the file and column', (text, what, column) => {
    let error: unknown;
    try {
      parseManifest(text, 'out/manifest.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MetadataSchemaError);
    expect((error as Error).message).toContain('out/manifest.csv');
    expect((error as Error).message).toContain(what);
    expect((error as MetadataSchemaError).column).toBe(column);
  });
});
