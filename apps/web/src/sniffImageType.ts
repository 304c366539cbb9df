/** What a file's first bytes say it is. */
export type ImageType = 'png' | 'jpeg' | 'dicom' | 'unknown';

/**
 * Identifies PNG, JPEG and DICOM by their magic bytes (not by the file name, which users rename): PNG's
 * 8-byte signature, JPEG's SOI + marker, DICOM Part 10's `DICM` after the 128-byte preamble. A DICOM without
 * preamble (raw data set, as some old exports) is recognised only by a `.dcm` name and a group 0002/0008 tag.
 */
export function sniffImageType(head: Uint8Array, fileName = ''): ImageType {
  const at = (i: number, bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (at(128, [0x44, 0x49, 0x43, 0x4d])) return 'dicom';
  if (/\.(dcm|dicom)$/i.test(fileName) && head.length >= 4 && head[1] === 0 && (head[0] === 2 || head[0] === 8) && head[3] === 0) {
    return 'dicom';
  }
  return 'unknown';
}
