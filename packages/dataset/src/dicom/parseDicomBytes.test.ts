import { readFileSync } from 'node:fs';
import { DicomParseError } from '../errors';
import { sharedDicom } from '../__fixtures__/dicom/sharedDicom';
import { describe as describeThrown, parseDicomBytes } from './parseDicomBytes';

describe('describe (what dicom-parser threw, in words)', () => {
  it('takes the cause out of the plain { exception, dataSet } object parseDicom throws', () => {
    const thrown = { exception: 'dicomParser:parseDicomDataSetExplicit: buffer overrun', dataSet: {} };
    expect(String(thrown)).toBe('[object Object]'); // what users used to see
    expect(describeThrown(thrown)).toBe('the file is truncated or an element length points past its end (buffer overrun)');
  });

  it('handles Errors, strings, empty objects and nothing, always on one line', () => {
    expect(describeThrown(new Error('bad tag\nvalue'))).toBe('bad tag value');
    expect(describeThrown('littleEndianByteArrayParser.readUint16: attempt to read past end of buffer')).toMatch(/^the file is truncated/);
    expect(describeThrown({ exception: {} })).toBe('the parser stopped without saying why (the file is corrupt)');
    expect(describeThrown(undefined)).toBe('the parser stopped without saying why (the file is corrupt)');
    expect(describeThrown({ code: 7 })).toBe('{"code":7}');
    // About a structure inside the file, not the file itself (seen in npm run fuzz).
    expect(describeThrown('dicomParser.readEncapsulatedPixelData: basic offset table not found')).toBe('basic offset table missing');
  });
});

describe('parseDicomBytes on truncated real files', () => {
  it.each([700, 1000, 5000])('names the file and the cause for the SIIM file cut at %i bytes, never [object Object]', (n) => {
    const bytes = new Uint8Array(readFileSync(sharedDicom('original/siim_cr_pa_jpegbaseline_mono2.dcm'))).slice(0, n);
    const error = (() => {
      try {
        parseDicomBytes(bytes, 'cut.dcm');
      } catch (e) {
        return e as Error;
      }
      throw new Error('parsed a truncated file');
    })();
    expect(error).toBeInstanceOf(DicomParseError);
    expect(error.message).toMatch(/^Cannot parse DICOM cut\.dcm: the file is truncated or an element length points past its end \(.+\)$/);
    expect(error.message).not.toContain('[object Object]');
  });
});
