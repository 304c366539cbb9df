import type { DataSet } from 'dicom-parser';
import { DicomDecodeError } from '../errors';

/** A Modality or VOI LUT read from a DICOM LUT sequence item (PS3.3 C.11.1 / C.11.2). */
export interface LookupTable {
  /** The input value mapped to the first entry. */
  firstMapped: number;
  /** Bits per entry, from the LUT Descriptor. */
  bitsPerEntry: number;
  data: Uint16Array;
}

/**
 * Reads the LUT of the first item of a Modality LUT Sequence (0028,3000) or VOI LUT Sequence (0028,3010).
 * Returns `undefined` when the data set has no such sequence.
 */
export function readLookupTable(
  ds: DataSet,
  sequenceTag: 'x00283000' | 'x00283010',
  signedInput: boolean,
  fileName: string | undefined,
): LookupTable | undefined {
  const sequence = ds.elements[sequenceTag];
  if (!sequence) return undefined;
  const name = sequenceTag === 'x00283000' ? 'Modality LUT Sequence' : 'VOI LUT Sequence';
  const item = sequence.items?.[0]?.dataSet;
  if (!item) throw new DicomDecodeError(`${name} has no readable item`, fileName);
  const descriptor = item.elements.x00283002;
  const lutData = item.elements.x00283006;
  if (!descriptor || descriptor.length < 6 || !lutData) {
    throw new DicomDecodeError(`${name} item lacks LUT Descriptor (0028,3002) or LUT Data (0028,3006)`, fileName);
  }
  const entries = item.uint16('x00283002', 0) || 65536; // 0 means 2^16 entries
  const firstRaw = item.uint16('x00283002', 1) ?? 0;
  const firstMapped = signedInput && firstRaw >= 0x8000 ? firstRaw - 0x10000 : firstRaw;
  const bitsPerEntry = item.uint16('x00283002', 2) ?? 16;
  if (bitsPerEntry < 8 || bitsPerEntry > 16) {
    throw new DicomDecodeError(`${name} has ${bitsPerEntry} bits per entry (LUT Descriptor), expected 8 to 16`, fileName);
  }
  const bytes = item.byteArray;
  if (lutData.dataOffset + lutData.length > bytes.length) throw new DicomDecodeError(`${name} LUT Data runs past the end of the file`, fileName);
  const data = new Uint16Array(entries);
  if (lutData.length >= entries * 2) {
    for (let i = 0; i < entries; i++) data[i] = item.byteArrayParser.readUint16(bytes, lutData.dataOffset + 2 * i);
  } else if (bitsPerEntry === 8 && lutData.length >= entries) {
    // Some writers pack 8-bit entries one per byte.
    for (let i = 0; i < entries; i++) data[i] = bytes[lutData.dataOffset + i];
  } else {
    throw new DicomDecodeError(`${name} LUT Data has ${lutData.length} bytes for ${entries} entries`, fileName);
  }
  const mask = bitsPerEntry === 16 ? 0xffff : (1 << bitsPerEntry) - 1;
  for (let i = 0; i < entries; i++) data[i] &= mask;
  return { firstMapped, bitsPerEntry, data };
}

/** Looks a value up, clamping below the first and above the last entry as PS3.3 C.11.1.1 says. */
export function lookUp(table: LookupTable, x: number): number {
  const index = Math.round(x) - table.firstMapped;
  if (index <= 0) return table.data[0];
  if (index >= table.data.length) return table.data[table.data.length - 1];
  return table.data[index];
}
