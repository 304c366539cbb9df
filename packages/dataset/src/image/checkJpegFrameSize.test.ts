import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describeWithData, SHARED_DATA } from '../__fixtures__/sharedData';
import { DatasetError, JpegFrameSizeError } from '../errors';
import { checkJpegFrameSize, inspectJpegScans } from './checkJpegFrameSize';

const IMAGES = path.join(SHARED_DATA, 'covid-chestxray', 'images');
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(IMAGES, name)));

/** Offset of the frame header (SOF0..SOF2) found by walking the markers (an EXIF thumbnail has its own SOF). */
function sofOffset(b: Uint8Array): number {
  for (let i = 2; i + 9 < b.length; ) {
    if (b[i + 1] === 0xff) i++;
    else if (b[i + 1] >= 0xc0 && b[i + 1] <= 0xc2) return i;
    else i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  throw new Error('no SOF');
}

/** A copy with the frame header's height and width replaced: the damage the fuzz run's size mutants make. */
function withSize(b: Uint8Array, width: number, height: number): Uint8Array {
  const c = b.slice();
  const view = new DataView(c.buffer);
  view.setUint16(sofOffset(c) + 5, height);
  view.setUint16(sofOffset(c) + 7, width);
  return c;
}

/** The file's bytes with `insert` put just before its final EOI (FFD9). */
function beforeEoi(b: Uint8Array, insert: number[]): Uint8Array {
  const end = b.length - 2;
  expect([b[end], b[end + 1]]).toEqual([0xff, 0xd9]);
  return Uint8Array.from([...b.subarray(0, end), ...insert, 0xff, 0xd9]);
}

/** Restart markers (FFD0..FFD7) in the bytes: in entropy-coded data every FF is stuffed, so each pair is one. */
function countRestarts(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0xff && b[i + 1] >= 0xd0 && b[i + 1] <= 0xd7) n++;
  return n;
}

describe('checkJpegFrameSize (generated JPEGs)', () => {
  it('counts the MCUs of sharp baseline JPEGs: grey 8x8 blocks, colour 4:2:0 16x16 MCUs', async () => {
    const grey = await sharp({ create: { width: 100, height: 70, channels: 3, background: '#808080' } }).toColourspace('b-w').jpeg().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    // hand count: ceil(100/8) x ceil(70/8) = 13 x 9 blocks
    expect(inspectJpegScans(grey)).toEqual({ status: 'fits', mode: 'exact', width: 100, height: 70, scans: 1, mcus: 117 });
    const colour = await sharp({ create: { width: 100, height: 70, channels: 3, background: '#884422' } }).jpeg({ chromaSubsampling: '4:2:0' }).toBuffer();
    // ceil(100/16) x ceil(70/16) = 7 x 5 MCUs of 4 Y + Cb + Cr blocks
    expect(inspectJpegScans(colour)).toMatchObject({ status: 'fits', mode: 'exact', mcus: 35 });
  });

  it('counts a progressive JPEG\'s DC scans exactly and holds its AC scans to the bound', async () => {
    const noise = Buffer.alloc(120 * 90);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
    const jpeg = await sharp(noise, { raw: { width: 120, height: 90, channels: 1 } }).toColourspace('b-w').jpeg({ progressive: true, quality: 95 }).toBuffer();
    expect((await sharp(jpeg).metadata()).channels).toBe(1);
    const check = inspectJpegScans(jpeg);
    // libjpeg's grey progressive script: one DC first scan (ceil(120/8) x ceil(90/8) = 15 x 12 blocks), then AC scans
    expect(check).toMatchObject({ status: 'fits', mode: 'progressive', width: 120, height: 90, mcus: 180 });
    expect(() => checkJpegFrameSize(withSize(jpeg, 64, 64), 'p.jpg')).toThrow(JpegFrameSizeError);
  });

  it('allows the last byte\'s padding and fill bytes before EOI, and nothing more: one extra data byte is refused', async () => {
    const jpeg = new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).jpeg().toBuffer());
    expect(inspectJpegScans(beforeEoi(jpeg, [0xff, 0xff, 0xff]))).toMatchObject({ status: 'fits' });
    expect(inspectJpegScans(beforeEoi(jpeg, [0x00]))).toMatchObject({ status: 'excess', detail: 'scan 1: 1 bytes of data after MCU 16 of 16' });
    expect(inspectJpegScans(beforeEoi(jpeg, [0xff, 0x00]))).toMatchObject({ status: 'excess' }); // a stuffed FF is data
    // bytes after EOI are not the scan's (libjpeg stops reading there)
    expect(inspectJpegScans(Uint8Array.from([...jpeg, 1, 2, 3]))).toMatchObject({ status: 'fits' });
  });

  it('leaves truncated, enlarged, non-JPEG and arithmetic-coded input to the decoder (no refusal of its own)', async () => {
    const jpeg = new Uint8Array(await sharp({ create: { width: 200, height: 200, channels: 3, background: '#336699' } }).jpeg().toBuffer());
    expect(inspectJpegScans(jpeg.subarray(0, jpeg.length - 40))).toMatchObject({ status: 'short' });
    // enlarged: the walk runs out of data (or into codes the zero fill does not make), as libjpeg warns
    expect(['short', 'corrupt']).toContain(inspectJpegScans(withSize(jpeg, 400, 400)).status);
    expect(() => checkJpegFrameSize(jpeg.subarray(0, 300), 't.jpg')).not.toThrow();
    expect(inspectJpegScans(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toMatchObject({ status: 'unchecked' });
    const arithmetic = jpeg.slice();
    arithmetic[sofOffset(arithmetic) + 1] = 0xc9; // SOF9
    expect(inspectJpegScans(arithmetic)).toMatchObject({ status: 'unchecked' });
  });
});

describeWithData('checkJpegFrameSize (covid-chestxray JPEGs)', () => {
  it('passes the fuzz run\'s JPEG, kjr-21-e24-g001-l-a.jpg (328x237, 4:2:0): ceil(328/16) x ceil(237/16) = 315 MCUs', () => {
    expect(inspectJpegScans(read('kjr-21-e24-g001-l-a.jpg'))).toEqual({ status: 'fits', mode: 'exact', width: 328, height: 237, scans: 1, mcus: 315 });
  });

  it('refuses its size mutants (64 to 100 px, which libjpeg decodes without a warning) with a typed error naming the file', () => {
    const bytes = read('kjr-21-e24-g001-l-a.jpg');
    for (const [w, h] of [[64, 64], [64, 100], [100, 64], [100, 100], [312, 237], [328, 221]]) {
      const err = (() => {
        try {
          checkJpegFrameSize(withSize(bytes, w, h), 'images/kjr.jpg');
        } catch (e) {
          return e;
        }
      })() as JpegFrameSizeError;
      expect(err).toBeInstanceOf(JpegFrameSizeError);
      expect(err).toBeInstanceOf(DatasetError);
      expect(err).toMatchObject({ width: w, height: h, file: 'images/kjr.jpg' });
      expect(err.message).toMatch(
        new RegExp(`^Image images/kjr\\.jpg: its JPEG header's size ${w}x${h} is smaller than its image data \\(scan 1: \\d+ bytes of data after MCU \\d+ of \\d+\\): the header was altered or the file is corrupt$`),
      );
    }
  });

  it('follows restart markers: yxppt (DRI 21, 331x324 4:2:0) has 21 x 21 = 441 MCUs, 21 intervals, 20 RST markers', () => {
    const bytes = read('yxppt-2020-02-19_00-51-27_287214-day8.jpg');
    expect(countRestarts(bytes.subarray(sofOffset(bytes)))).toBe(441 / 21 - 1);
    expect(inspectJpegScans(bytes)).toEqual({ status: 'fits', mode: 'exact', width: 331, height: 324, scans: 1, mcus: 441 });
    // shrunk by one MCU row: the last interval then holds data the header has no room for
    expect(inspectJpegScans(withSize(bytes, 331, 308))).toMatchObject({ status: 'excess' });
    // grey with DRI 63: 534x500 is ceil(534/8) x ceil(500/8) = 67 x 63 blocks
    expect(inspectJpegScans(read('wong-0005.jpg'))).toMatchObject({ status: 'fits', mode: 'exact', mcus: 67 * 63 });
    expect(inspectJpegScans(withSize(read('wong-0005.jpg'), 100, 100))).toMatchObject({ status: 'excess' });
  });

  it('refuses a progressive file shrunk to 64x64 (its DC scan counted exactly)', () => {
    const bytes = read('ryct.2020200034.fig2.jpeg'); // progressive, 4:2:2
    expect(inspectJpegScans(bytes)).toMatchObject({ status: 'fits', mode: 'progressive', width: 1695, height: 1570 });
    expect(() => checkJpegFrameSize(withSize(bytes, 64, 64), 'fig2.jpeg')).toThrow(/fig2\.jpeg: its JPEG header's size 64x64 is smaller than its image data/);
  });

  it('passes every real JPEG under 300 KB of covid-chestxray/images, baseline and progressive (no false refusal)', () => {
    const counts: Record<string, number> = {};
    for (const name of readdirSync(IMAGES).filter((f) => /\.jpe?g$/i.test(f))) {
      if (statSync(path.join(IMAGES, name)).size > 300_000) continue;
      const bytes = read(name);
      if (bytes[0] !== 0xff) continue; // a few .jpg there are PNGs
      const check = inspectJpegScans(bytes);
      const key = check.status === 'fits' ? `fits ${check.mode}` : `${check.status} ${name}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['fits exact', 'fits progressive']);
    expect(counts['fits exact'] + counts['fits progressive']).toBeGreaterThan(80);
  });
});
