/** How the pixel data of a transfer syntax is decoded. */
export type PixelEncoding = 'native' | 'jpeg-baseline' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000' | 'unsupported';

/** What this package knows about one DICOM transfer syntax. */
export interface TransferSyntaxInfo {
  uid: string;
  /** The name PS3.6 gives it, shortened. */
  name: string;
  /** Whether the data set is encoded with explicit VRs (false only for Implicit VR Little Endian). */
  explicitVr: boolean;
  pixelEncoding: PixelEncoding;
}

const table: TransferSyntaxInfo[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', explicitVr: false, pixelEncoding: 'native' },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', explicitVr: true, pixelEncoding: 'native' },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline', explicitVr: true, pixelEncoding: 'jpeg-baseline' },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended 12-bit', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless', explicitVr: true, pixelEncoding: 'jpeg-lossless' },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless SV1', explicitVr: true, pixelEncoding: 'jpeg-lossless' },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', explicitVr: true, pixelEncoding: 'jpeg-ls' },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', explicitVr: true, pixelEncoding: 'jpeg-ls' },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Lossless', explicitVr: true, pixelEncoding: 'jpeg-2000' },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', explicitVr: true, pixelEncoding: 'jpeg-2000' },
  { uid: '1.2.840.10008.1.2.4.92', name: 'JPEG 2000 Part 2 Multi-component Lossless', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.93', name: 'JPEG 2000 Part 2 Multi-component', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.94', name: 'JPIP Referenced', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.95', name: 'JPIP Referenced Deflate', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.100', name: 'MPEG2 Main Profile', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.102', name: 'MPEG-4 AVC/H.264', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.201', name: 'HTJ2K Lossless', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.4.203', name: 'HTJ2K', explicitVr: true, pixelEncoding: 'unsupported' },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', explicitVr: true, pixelEncoding: 'unsupported' },
];

const byUid = new Map(table.map((t) => [t.uid, t]));

/**
 * Looks up a transfer syntax UID. Unknown UIDs are reported as unsupported with the name "unknown".
 *
 * @example transferSyntax('1.2.840.10008.1.2.4.90').name // 'JPEG 2000 Lossless'
 */
export function transferSyntax(uid: string): TransferSyntaxInfo {
  return byUid.get(uid) ?? { uid, name: 'unknown transfer syntax', explicitVr: true, pixelEncoding: 'unsupported' };
}
