import { readFileSync } from 'node:fs';
import { createRng } from '@cxr/metrics';
import { DatasetError } from '../errors';
import { sharedDicom } from '../__fixtures__/dicom/sharedDicom';
import { decodeDicom } from './decodeDicom';
import { readDicomHeader } from './readDicomHeader';

/*
 * Feeds 2,000 seeded mutations of the shared DICOM files (truncations, flipped bytes, corrupted length and
 * size fields, damaged codestream headers) to readDicomHeader and decodeDicom. Only typed errors
 * (DatasetError) may come out: no other exception, no case slower than PER_CASE_MS, and no runaway memory.
 */

const PER_CASE_MS = 5000;
const MEMORY_HEADROOM = 1024 * 1024 * 1024;

/** `@cxr/metrics`' seeded generator: reproducible mutations. */
function rng(seed: number): () => number {
  const r = createRng(seed);
  return () => r.next();
}

/** Offset of the first compressed codestream (JPEG SOI or J2K SOC) in the file, if any. */
function codestreamOffset(bytes: Uint8Array): number | undefined {
  for (let i = 132; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xff && (bytes[i + 1] === 0xd8 || bytes[i + 1] === 0x4f) && bytes[i + 2] === 0xff) return i;
  }
  return undefined;
}

function mutate(original: Uint8Array, random: () => number, headerEnd: number, codestream: number | undefined): Uint8Array {
  const int = (n: number) => Math.floor(random() * n);
  const kind = original.length > LARGE ? [0, 2, 3][int(3)] : int(5);
  if (kind === 0) return original.slice(0, int(random() < 0.7 ? headerEnd + 64 : original.length)); // truncation
  const bytes = original.slice();
  const inHeader = () => int(headerEnd);
  if (kind === 1) {
    for (let n = 1 + int(8); n > 0; n--) bytes[random() < 0.8 ? inHeader() : int(bytes.length)] ^= 1 << int(8);
  } else if (kind === 2) {
    // A length or size field gone wild: 16 or 32 bits of 0xFF.., 0, or random.
    const at = inHeader();
    const values = [0xffffffff, 0, int(0x100000000), 0x7fffffff, 0xfffe];
    const v = values[int(values.length)];
    const view = new DataView(bytes.buffer);
    if (at + 4 <= bytes.length) {
      if (random() < 0.5) view.setUint32(at, v >>> 0, true);
      else view.setUint16(at, v & 0xffff, true);
    }
  } else if (kind === 3 && codestream !== undefined) {
    // Damage the codestream header (frame size, precision, components, marker lengths).
    for (let n = 1 + int(4); n > 0; n--) bytes[Math.min(bytes.length - 1, codestream + int(300))] = int(256);
  } else {
    // Random bytes anywhere, pixel data included.
    for (let n = 1 + int(32); n > 0; n--) bytes[int(bytes.length)] = int(256);
  }
  return bytes;
}

// [file, mutations]: small files get most of the cases.
// The large files are decoded far less often, and only with mutations aimed at the header and codestream header.
const corpus: Array<[string, number]> = [
  ['original/CR-MONO1-10-chest.dcm', 1350],
  ['original/siim_cr_pa_jpegbaseline_mono2.dcm', 350],
  ['derived/nih_cxr14_nofinding_JPEGLOSSLESS_SV1.dcm', 200],
  ['original/WG04_RG1_J2KI_cr_chest_pa_mono1.dcm', 40],
  ['original/WG04_RG1_JLSN_cr_chest_pa_mono1.dcm', 60],
];
const LARGE = 500_000;

describe('decodeDicom fuzz', () => {
  it.each(corpus)('%s: %i mutations give only typed errors, quickly, in bounded memory', async (relative, count) => {
    const original = new Uint8Array(readFileSync(sharedDicom(relative)));
    const codestream = codestreamOffset(original);
    const headerEnd = Math.min(codestream ?? 4096, 4096);
    const random = rng(0xc0ffee ^ count ^ original.length);
    const baseline = process.memoryUsage();
    const untyped: string[] = [];
    let slowest = 0;
    let peak = 0;
    let decoded = 0;
    for (let i = 0; i < count; i++) {
      const bytes = mutate(original, random, headerEnd, codestream);
      const started = performance.now();
      for (const attempt of ['header', 'decode'] as const) {
        try {
          if (attempt === 'header') readDicomHeader(bytes, { fileName: `fuzz-${i}.dcm` });
          else {
            await decodeDicom(bytes, { fileName: `fuzz-${i}.dcm` });
            decoded++;
          }
        } catch (error) {
          if (!(error instanceof DatasetError)) untyped.push(`case ${i}: ${(error as Error)?.stack ?? String(error)}`);
          else expect(error.message).toContain(`fuzz-${i}.dcm`);
        }
      }
      slowest = Math.max(slowest, performance.now() - started);
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.rss - baseline.rss, usage.arrayBuffers - baseline.arrayBuffers);
    }
    expect(untyped.slice(0, 3)).toEqual([]);
    expect(slowest).toBeLessThan(PER_CASE_MS);
    expect(peak).toBeLessThan(MEMORY_HEADROOM);
    expect(decoded).toBeGreaterThan(0); // some mutations (in pixel data) still decode
  });
});
