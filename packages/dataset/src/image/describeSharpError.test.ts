import { describeSharpError } from './describeSharpError';

// Messages as sharp 0.35 / libvips gave them for seeded mutants of the shared covid-chestxray PNG and JPEG files.
describe('describeSharpError', () => {
  it('calls a JPEG with a missing SOS marker corrupt, never "not found"', () => {
    const text = describeSharpError(
      new Error(
        'Input buffer has corrupt header: VipsJpeg: premature end of JPEG image\nVipsJpeg: Invalid JPEG file structure: missing SOS marker\nVipsJpeg: premature end of JPEG image',
      ),
    );
    expect(text).toBe('corrupt or truncated image header (premature end of JPEG image; Invalid JPEG file structure: missing SOS marker)');
    expect(text).not.toMatch(/not found/);
  });

  it('says "file not found" only for sharp\'s missing-file message or ENOENT', () => {
    expect(describeSharpError(new Error('Input file is missing: /tmp/x.png'))).toBe('file not found');
    expect(describeSharpError(Object.assign(new Error('open failed'), { code: 'ENOENT' }))).toBe('file not found');
  });

  it('never ends after "corrupt header:" with nothing', () => {
    expect(describeSharpError(new Error('Input buffer has corrupt header: '))).toBe(
      'corrupt or truncated image header (no further detail from the decoder)',
    );
  });

  it('says what the warning was when failOn turned it into an error', () => {
    expect(describeSharpError(new Error('Warning treated as error due to failOn setting\nIHDR: CRC error'))).toBe(
      'damaged image data: the decoder warned (IHDR: CRC error)',
    );
    expect(describeSharpError(new Error('Warning treated as error due to failOn setting'))).toBe(
      'damaged image data: the decoder warned (without saying what)',
    );
  });

  it('keeps one line, each libvips message once', () => {
    const text = describeSharpError(new Error('VipsJpeg: Bogus DQT index 9\nVipsJpeg: Bogus DQT index 9\nVipsJpeg: Bogus DQT index 9'));
    expect(text).toBe('corrupt image data (Bogus DQT index 9)');
    expect(describeSharpError(new Error('vipspng: libpng read error'))).toBe('corrupt image data (libpng read error)');
    expect(describeSharpError(new Error('VipsJpeg: premature end of JPEG image'))).toBe('truncated or damaged image data (premature end of JPEG image)');
    expect(describeSharpError(new Error('Input buffer contains unsupported image format'))).toBe('not a PNG, JPEG or other readable image format');
  });
});
