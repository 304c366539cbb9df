import { JpegFrameSizeError } from '../errors';

/**
 * How a JPEG was measured: `exact`, every scan's MCUs counted (sequential Huffman, SOF0/SOF1); `progressive` (SOF2),
 * DC first scans counted exactly and the other scans held to a bound.
 */
export type JpegCheckMode = 'exact' | 'progressive';

/**
 * What {@link inspectJpegScans} found. `fits`: every scan ends where the frame size says (`mcus`: the MCUs counted
 * in exactly measured scans, summed). `excess`: a scan holds more data than the frame size can hold.
 * `short`, `corrupt`, `unchecked`: not this check's to refuse (the decoder reports truncated or corrupt data, and
 * arithmetic, lossless and hierarchical JPEG are not measured).
 */
export type JpegScanCheck =
  | { status: 'fits'; mode: JpegCheckMode; width: number; height: number; scans: number; mcus: number }
  | { status: 'excess'; mode: JpegCheckMode; width: number; height: number; detail: string }
  | { status: 'short' | 'corrupt' | 'unchecked'; detail: string };

interface FrameComponent {
  id: number;
  h: number;
  v: number;
}

interface Frame {
  marker: number;
  width: number;
  height: number;
  components: FrameComponent[];
  hmax: number;
  vmax: number;
}

/** A scan's entropy-coded data from `start`: what it held, and where its ending marker is. */
type ScanResult = { status: 'fits'; next: number } | { status: 'excess' | 'short' | 'corrupt'; detail: string };

const be16 = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];

const SOF_NAMES: Record<number, string> = { 0xc0: 'SOF0', 0xc1: 'SOF1', 0xc2: 'SOF2' };

/** A Huffman table (DHT): code lengths and symbols, as in the file. */
interface HuffmanTable {
  counts: Uint8Array;
  symbols: Uint8Array;
}

/** A Huffman table ready for the walk (see {@link walkLookup}). */
interface WalkTable {
  /** Entry per 16-bit lookahead, 0 where no code starts. */
  full: Uint16Array;
  /** Entry per 10-bit lookahead for codes of 10 bits or fewer (2 KB: stays in the first-level cache), else 0. */
  fast: Uint16Array;
}

/**
 * A Huffman table as lookaheads for the walk. For a DC table an entry is the bits a DC difference takes (code +
 * magnitude); for an AC table, those bits | coefficients advanced << 6 (64 for an end of block). One lookup per
 * coefficient, without reading the magnitude bits, is the whole cost of the walk.
 */
function walkLookup(table: HuffmanTable, kind: 'dc' | 'ac'): WalkTable | undefined {
  const full = new Uint16Array(1 << 16);
  const fast = new Uint16Array(1 << 10);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < table.counts[length - 1]; i++) {
      if (code >= 1 << length) return undefined; // more codes than the length allows: a corrupt table
      const symbol = table.symbols[k++];
      const size = symbol & 0x0f;
      const run = symbol >> 4;
      let entry: number;
      if (kind === 'dc') entry = symbol > 15 ? 0 : length + symbol;
      // as libjpeg: size 0 is 16 zeros for run 15, else the end of the block
      else entry = (length + size) | ((size === 0 ? (run === 15 ? 16 : 64) : run + 1) << 6);
      full.fill(entry, code << (16 - length), (code + 1) << (16 - length));
      if (length <= 10) fast.fill(entry, code << (10 - length), (code + 1) << (10 - length));
      code++;
    }
    code <<= 1;
  }
  return { full, fast };
}

/**
 * Walks one sequential (baseline or extended) Huffman scan from `start`, decoding only its Huffman symbols and skipping
 * magnitude bits (no dequantisation, no IDCT), and counts its MCUs: each restart interval (0xFFD0-D7 every
 * `restartInterval` MCUs) and the scan must end, after its last byte's padding bits, where its MCUs do. 0xFF00 is a
 * stuffed 0xFF; 0xFF fill bytes may precede a marker.
 */
function walkSequentialScan(
  b: Uint8Array,
  start: number,
  mcus: number,
  blocks: ReadonlyArray<{ dc: WalkTable; ac: WalkTable | undefined }>,
  restartInterval: number,
): ScanResult {
  const n = b.length;
  // The scan's data without stuffing, and where each restart interval's data ends. A block reads at most
  // 64 x 32 bits past its interval's end before the overrun is noticed: 260 spare zero bytes.
  const data = new Uint8Array(n - start + 260);
  const ends: number[] = [];
  let length = 0;
  let at = start;
  while (at < n) {
    const x = b[at];
    if (x !== 0xff) {
      data[length++] = x;
      at++;
      continue;
    }
    const next = b[at + 1];
    if (next === 0x00) {
      data[length++] = 0xff;
      at += 2;
    } else if (next >= 0xd0 && next <= 0xd7) {
      ends.push(length);
      at += 2;
    } else if (next === 0xff) at++;
    else break;
  }
  ends.push(length);
  const view = new DataView(data.buffer);
  const intervals = restartInterval > 0 ? Math.ceil(mcus / restartInterval) : 1;
  const perMcu = blocks.length;
  let p = 0; // bit position in `data`
  let mcu = 0;
  for (let interval = 0; interval < intervals; interval++) {
    if (interval >= ends.length) return { status: 'short', detail: `the data ends after ${mcu} of ${mcus} MCUs` };
    const endBits = ends[interval] * 8;
    const last = restartInterval > 0 ? Math.min(mcus, mcu + restartInterval) : mcus;
    for (; mcu < last; mcu++) {
      for (let k = 0; k < perMcu; k++) {
        const block = blocks[k];
        let e = block.dc.full[(view.getUint32(p >>> 3) >>> (16 - (p & 7))) & 0xffff];
        if (e === 0) return { status: 'corrupt', detail: `no DC Huffman code at MCU ${mcu + 1}` };
        p += e;
        if (!block.ac) {
          if (p > endBits) return { status: 'short', detail: `the data ends inside MCU ${mcu + 1} of ${mcus}` };
          continue; // a progressive DC scan
        }
        const ac = block.ac.full;
        const acFast = block.ac.fast;
        for (let coefficient = 1; coefficient < 64; coefficient += e >>> 6) {
          const peek = view.getUint32(p >>> 3) >>> (16 - (p & 7));
          e = acFast[(peek >>> 6) & 0x3ff];
          if (e === 0) {
            e = ac[peek & 0xffff];
            if (e === 0) return { status: 'corrupt', detail: `no AC Huffman code at MCU ${mcu + 1}` };
          }
          p += e & 63;
        }
        if (p > endBits) return { status: 'short', detail: `the data ends inside MCU ${mcu + 1} of ${mcus}` };
      }
    }
    // The interval's last byte is padded to its end; a whole byte more is data the declared size has no room for.
    const used = Math.ceil(p / 8);
    if (used < ends[interval]) {
      const detail = `${ends[interval] - used} bytes of data after MCU ${mcu} of ${mcus}`;
      return interval === intervals - 1 ? { status: 'excess', detail } : { status: 'corrupt', detail };
    }
    p = endBits;
  }
  // More restart intervals than the MCUs fill (an empty one after the last is tolerated).
  if (ends.length > intervals && ends[ends.length - 1] > ends[intervals - 1]) {
    return { status: 'excess', detail: `${ends[ends.length - 1] - ends[intervals - 1]} bytes of data in restart intervals after the last of its ${mcus} MCUs` };
  }
  return { status: 'fits', next: at };
}

/**
 * Bound for scans that cannot be counted without coefficient state (progressive refinement): a coefficient of the
 * scan's band costs at most 32 bits (Huffman code <= 16, magnitude, sign or correction bits <= 16) and a block one
 * end-of-band run code (<= 32 bits), so `blocks x 32 x (band + 1)` bits, plus one padding byte per restart interval.
 */
function boundScan(b: Uint8Array, start: number, blocks: number, band: number): ScanResult {
  const n = b.length;
  let p = start;
  let data = 0;
  let restarts = 0;
  while (p < n) {
    if (b[p] !== 0xff) {
      data++;
      p++;
      continue;
    }
    const next = b[p + 1];
    if (next === 0x00) {
      data++;
      p += 2;
    } else if (next >= 0xd0 && next <= 0xd7) {
      restarts++;
      p += 2;
    } else if (next === 0xff) p++;
    else break;
  }
  const limit = Math.ceil((blocks * 32 * (band + 1)) / 8) + restarts + 1;
  if (data > limit) return { status: 'excess', detail: `a scan of ${data} bytes, more than the ${limit} bytes its ${blocks} blocks can hold` };
  return { status: 'fits', next: p };
}

/**
 * Measures a JPEG's entropy-coded data against the frame size its SOF header declares: for sequential Huffman JPEG
 * (SOF0, SOF1) exactly, MCU by MCU; for progressive (SOF2) its DC first scans exactly and its other scans within a
 * sound bound; other kinds (lossless, arithmetic, hierarchical) and a height given later by DNL are `unchecked`.
 * See {@link checkJpegFrameSize}.
 */
export function inspectJpegScans(b: Uint8Array): JpegScanCheck {
  const n = b.length;
  if (n < 4 || b[0] !== 0xff || b[1] !== 0xd8) return { status: 'unchecked', detail: 'not a JPEG (no SOI marker)' };
  const dc: Array<HuffmanTable | undefined> = [];
  const ac: Array<HuffmanTable | undefined> = [];
  let restartInterval = 0;
  let frame: Frame | undefined;
  let scans = 0;
  let counted = 0;
  let at = 2;
  while (at < n) {
    if (b[at] !== 0xff) return { status: 'corrupt', detail: `no marker at byte ${at}` };
    while (at + 1 < n && b[at + 1] === 0xff) at++; // fill bytes
    if (at + 1 >= n) break;
    const marker = b[at + 1];
    at += 2;
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (at + 2 > n) return { status: 'short', detail: 'the file ends inside a marker' };
    const length = be16(b, at);
    const end = at + length;
    if (length < 2 || end > n) return { status: 'short', detail: `marker 0xFF${marker.toString(16).toUpperCase()} runs past the end` };
    const seg = at + 2;
    if (marker === 0xc4) {
      for (let p = seg; p < end; ) {
        const tc = b[p] >> 4;
        const th = b[p] & 0x0f;
        const counts = b.subarray(p + 1, p + 17);
        const total = counts.reduce((s, c) => s + c, 0);
        if (p + 17 + total > end || th > 3) return { status: 'corrupt', detail: 'a damaged Huffman table' };
        (tc === 0 ? dc : ac)[th] = { counts, symbols: b.subarray(p + 17, p + 17 + total) };
        p += 17 + total;
      }
    } else if (marker === 0xdd) {
      restartInterval = be16(b, seg);
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (frame) return { status: 'unchecked', detail: 'more than one frame (hierarchical JPEG)' };
      if (!SOF_NAMES[marker]) return { status: 'unchecked', detail: `SOF${marker - 0xc0} (lossless, arithmetic or hierarchical JPEG)` };
      const count = b[seg + 5];
      const components: FrameComponent[] = [];
      for (let c = 0; c < count; c++) {
        const p = seg + 6 + 3 * c;
        components.push({ id: b[p], h: b[p + 1] >> 4, v: b[p + 1] & 0x0f });
      }
      const height = be16(b, seg + 1);
      const width = be16(b, seg + 3);
      if (height === 0) return { status: 'unchecked', detail: 'the height comes later (DNL marker)' };
      if (width === 0 || count === 0 || components.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)) {
        return { status: 'corrupt', detail: 'a damaged frame header' };
      }
      frame = { marker, width, height, components, hmax: Math.max(...components.map((c) => c.h)), vmax: Math.max(...components.map((c) => c.v)) };
    } else if (marker === 0xda) {
      if (!frame) return { status: 'corrupt', detail: 'a scan before the frame header' };
      const f = frame;
      const count = b[seg];
      const ss = b[seg + 1 + 2 * count];
      const se = b[seg + 2 + 2 * count];
      const inScan: Array<{ component: FrameComponent; td: number; ta: number }> = [];
      for (let c = 0; c < count; c++) {
        const component = f.components.find((x) => x.id === b[seg + 1 + 2 * c]);
        if (!component) return { status: 'corrupt', detail: 'a scan names a component the frame lacks' };
        inScan.push({ component, td: b[seg + 2 + 2 * c] >> 4, ta: b[seg + 2 + 2 * c] & 0x0f });
      }
      if (count === 0 || se > 63 || ss > se) return { status: 'corrupt', detail: 'a damaged scan header' };
      // One component: its own blocks, in raster order; several: MCUs of h x v blocks of each component.
      const single = (c: FrameComponent): number =>
        Math.ceil(Math.ceil((f.width * c.h) / f.hmax) / 8) * Math.ceil(Math.ceil((f.height * c.v) / f.vmax) / 8);
      const mcus = count === 1 ? single(inScan[0].component) : Math.ceil(f.width / (8 * f.hmax)) * Math.ceil(f.height / (8 * f.vmax));
      let result: ScanResult;
      const progressive = f.marker === 0xc2;
      // A progressive DC first scan (one DC difference per block, no AC) is counted exactly like a sequential one.
      const dcFirst = progressive && ss === 0 && b[seg + 3 + 2 * count] >> 4 === 0;
      if (progressive && !dcFirst) {
        const perMcu = count === 1 ? 1 : inScan.reduce((s, x) => s + x.component.h * x.component.v, 0);
        result = boundScan(b, end, mcus * perMcu, se - ss + 1);
      } else {
        const blocks: Array<{ dc: WalkTable; ac: WalkTable | undefined }> = [];
        const lookups = new Map<HuffmanTable, WalkTable | undefined>();
        const lookup = (table: HuffmanTable | undefined, kind: 'dc' | 'ac'): WalkTable | undefined => {
          if (table && !lookups.has(table)) lookups.set(table, walkLookup(table, kind));
          return table && lookups.get(table);
        };
        for (const { component, td, ta } of inScan) {
          const tables = { dc: lookup(dc[td], 'dc'), ac: dcFirst ? undefined : lookup(ac[ta], 'ac') };
          if (!tables.dc || (!dcFirst && !tables.ac)) return { status: 'corrupt', detail: 'a scan uses an undefined or damaged Huffman table' };
          for (let i = 0; i < (count === 1 ? 1 : component.h * component.v); i++) blocks.push(tables as { dc: WalkTable; ac: WalkTable | undefined });
        }
        result = walkSequentialScan(b, end, mcus, blocks, restartInterval);
        if (result.status === 'fits') counted += mcus;
      }
      scans++;
      const mode = progressive ? 'progressive' : 'exact';
      if (result.status === 'excess') return { status: 'excess', mode, width: f.width, height: f.height, detail: `scan ${scans}: ${result.detail}` };
      if (result.status !== 'fits') return { status: result.status, detail: `scan ${scans}: ${result.detail}` };
      at = result.next;
      continue;
    }
    at = end;
  }
  if (!frame || scans === 0) return { status: 'short', detail: 'no frame or no scan' };
  return { status: 'fits', mode: frame.marker === 0xc2 ? 'progressive' : 'exact', width: frame.width, height: frame.height, scans, mcus: counted };
}

/**
 * Refuses a JPEG whose frame header (SOF) declares a smaller size than its compressed image data holds, as when a
 * header's height and width were altered: libjpeg (as sharp/libvips and browsers use it) decodes the declared MCUs and
 * ignores the rest without a warning, so a damaged file would give a plausible-looking fragment to classify.
 * Sequential Huffman JPEG (SOF0/SOF1, nearly all files) is checked exactly: the Huffman symbols are walked (no IDCT)
 * to count MCUs, honouring restart markers and byte stuffing, and the data must end, after the last byte's padding
 * bits and any fill bytes, at the next marker. Progressive JPEG (SOF2): its DC first scans (one DC difference per
 * block) are counted the same way, exactly, so a header shrunk by one MCU row or column is caught; its other scans
 * (AC bands and refinements, which need coefficient history to count) are held to a sound bound of 32 bits per
 * coefficient of the band and block. Lossless, arithmetic-coded and hierarchical JPEG are not checked. Truncated or
 * corrupt data, and a header enlarged beyond its data, are left to the decoder, which reports them. Browser-safe.
 * Written here: no maintained npm package measures a scan against its frame size (jpeg-js 0.4.4 decodes a 64x64
 * mutant of a 328x237 file without complaint, as libjpeg does).
 *
 * @throws {JpegFrameSizeError} naming the file, the declared size and what the data held
 * @example checkJpegFrameSize(new Uint8Array(await readFile('a.jpg')), 'a.jpg');
 */
export function checkJpegFrameSize(bytes: Uint8Array, file?: string): void {
  const check = inspectJpegScans(bytes);
  if (check.status === 'excess') throw new JpegFrameSizeError(file, check.width, check.height, check.detail);
}
