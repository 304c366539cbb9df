/** Frame size and sample layout declared by a JPEG, JPEG-LS or JPEG 2000 codestream header. */
export interface CodestreamHeader {
  width: number;
  height: number;
  components: number;
  /** Sample precision in bits. */
  precision: number;
  /** The JPEG start-of-frame marker (0xC0..0xCF, 0xF7 for JPEG-LS), or 0x51 for a JPEG 2000 SIZ. */
  marker: number;
}

const be16 = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];
const be32 = (b: Uint8Array, at: number): number => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

function isStartOfFrame(marker: number): boolean {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC); SOF55 (F7) is JPEG-LS.
  return (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
}

function jpegHeader(b: Uint8Array): CodestreamHeader | undefined {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    let marker = b[at + 1];
    while (marker === 0xff && at + 2 < b.length) marker = b[++at + 1]; // fill bytes
    at += 2;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no length
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image or scan before any frame header
    if (at + 2 > b.length) return undefined;
    const length = be16(b, at);
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) {
      if (at + 8 > b.length) return undefined;
      return { precision: b[at + 2], height: be16(b, at + 3), width: be16(b, at + 5), components: b[at + 7], marker };
    }
    at += length;
  }
  return undefined;
}

function j2kHeader(b: Uint8Array): CodestreamHeader | undefined {
  // SOC (FF4F) then SIZ (FF51): Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz, Ssiz...
  if (b.length < 2 + 2 + 38 + 3 || be16(b, 2) !== 0xff51) return undefined;
  const siz = 4;
  const width = be32(b, siz + 4) - be32(b, siz + 12);
  const height = be32(b, siz + 8) - be32(b, siz + 16);
  const components = be16(b, siz + 36);
  const precision = (b[siz + 38] & 0x7f) + 1;
  return { width, height, components, precision, marker: 0x51 };
}

/**
 * Reads the frame header of a compressed pixel codestream without decoding it, so that its size can be checked
 * against the DICOM header before a codec allocates anything. Returns `undefined` when no frame header is found.
 */
export function codestreamHeader(codestream: Uint8Array): CodestreamHeader | undefined {
  if (codestream.length < 4 || codestream[0] !== 0xff) return undefined;
  if (codestream[1] === 0xd8) return jpegHeader(codestream);
  if (codestream[1] === 0x4f) return j2kHeader(codestream);
  return undefined;
}
