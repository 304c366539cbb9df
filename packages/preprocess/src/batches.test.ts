import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UnsafePathError, type ImageRecord } from '@cxr/dataset/node';
import sharp from 'sharp';
import { augmentation } from './augmentation';
import { batches, type Batch } from './batches';
import { ImageDecodeError, PreprocessError, UnlistedLabelError } from './errors';
import { DEFAULT_PREPROCESS_SPEC, type PreprocessSpec } from './preprocessSpec';

const spec: PreprocessSpec = { ...DEFAULT_PREPROCESS_SPEC, width: 8, height: 8, channels: 1 };
const labels = ['covid', 'normal'];
let dir: string;
let records: (ImageRecord & { level: number })[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cxr-batches-'));
  // 10 distinct uniform 16x16 images (level 10, 30, ..., 190), copied under 500 names
  const pngs = await Promise.all(
    Array.from({ length: 10 }, (_, k) => sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 10 + 20 * k, g: 10 + 20 * k, b: 10 + 20 * k } } }).png().toBuffer()),
  );
  records = Array.from({ length: 500 }, (_, i) => {
    writeFileSync(path.join(dir, `${i}.png`), pngs[i % 10]);
    return { path: `${i}.png`, label: i % 3 === 0 ? 'covid' : 'normal', patientId: String(i), level: 10 + 20 * (i % 10) };
  });
  writeFileSync(path.join(dir, 'broken.png'), Buffer.from('not a png'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect<R extends ImageRecord>(it: AsyncIterable<Batch<R>>, onBatch?: () => Promise<void>): Promise<Batch<R>[]> {
  const out: Batch<R>[] = [];
  for await (const b of it) {
    out.push(b);
    if (onBatch) await onBatch();
  }
  return out;
}

describe('batches', () => {
  it('yields every image once, with its pixels, one-hot label and record, in order', async () => {
    const out = await collect(batches(records.slice(0, 20), { spec, labels, batchSize: 8, baseDir: dir }));
    expect(out.map((b) => b.shape)).toEqual([
      [8, 8, 8, 1],
      [8, 8, 8, 1],
      [4, 8, 8, 1],
    ]);
    const metas = out.flatMap((b) => b.meta);
    expect(metas.map((r) => r.path)).toEqual(records.slice(0, 20).map((r) => r.path));
    for (const b of out) {
      b.meta.forEach((r, n) => {
        // a uniform image stays uniform: every pixel is its level / 255
        for (let p = 0; p < 64; p++) expect(b.x[n * 64 + p]).toBeCloseTo(r.level / 255, 6);
        expect(Array.from(b.y.subarray(n * 2, n * 2 + 2))).toEqual(r.label === 'covid' ? [1, 0] : [0, 1]);
      });
    }
  });

  it('keeps memory bounded on 500 images: in-flight decodes, buffered images and pending batches never exceed their limits', async () => {
    const it = batches(records, { spec, labels, batchSize: 8, prefetch: 2, concurrency: 3, shuffle: true, seed: 3, baseDir: dir });
    let maxDoneAhead = 0;
    let consumed = 0;
    const out = await collect(it, async () => {
      consumed++;
      // a slow consumer: give the producer time to run ahead if it were unbounded
      await new Promise((r) => setTimeout(r, 3));
      maxDoneAhead = Math.max(maxDoneAhead, it.stats.imagesDone - consumed * 8);
    });
    const seen = out.flatMap((b) => b.meta.map((r) => r.path));
    expect(seen).toHaveLength(500);
    expect(new Set(seen).size).toBe(500);
    expect(it.batchCount).toBe(63);
    expect(it.stats.peakDecodesInFlight).toBeLessThanOrEqual(3);
    expect(it.stats.peakDecodesInFlight).toBeGreaterThan(1); // decoding really is parallel
    expect(it.stats.peakBatchesPending).toBeLessThanOrEqual(2);
    expect(it.stats.peakImagesBuffered).toBeLessThanOrEqual(2 * 8);
    expect(maxDoneAhead).toBeLessThanOrEqual(2 * 8);
    expect(it.stats.imagesBuffered).toBe(0);
  });

  it('shuffles reproducibly by seed and epoch', async () => {
    const order = async (seed: number, epoch: number) =>
      (await collect(batches(records.slice(0, 40), { spec, labels, shuffle: true, seed, epoch, baseDir: dir }))).flatMap((b) => b.meta.map((r) => r.path));
    const a = await order(1, 0);
    expect(await order(1, 0)).toEqual(a);
    expect(await order(1, 1)).not.toEqual(a);
    expect([...a].sort()).toEqual(records.slice(0, 40).map((r) => r.path).sort());
  });

  it('augments reproducibly whatever the concurrency', async () => {
    // a left-right gradient image so that a rotation changes pixels
    const raw = Buffer.alloc(16 * 16);
    for (let i = 0; i < raw.length; i++) raw[i] = (i % 16) * 16;
    writeFileSync(path.join(dir, 'grad.png'), await sharp(raw, { raw: { width: 16, height: 16, channels: 1 } }).png().toBuffer());
    const recs = Array.from({ length: 12 }, () => ({ path: 'grad.png', label: 'covid' }));
    const augment = augmentation({ rotate: 15 });
    const run = async (concurrency: number) => (await collect(batches(recs, { spec, labels, augment, seed: 5, concurrency, baseDir: dir }))).map((b) => Array.from(b.x));
    const a = await run(1);
    expect(await run(4)).toEqual(a);
    expect(a[0].slice(0, 64)).not.toEqual(a[0].slice(64, 128)); // each image got its own rotation
  });

  it('reports a bad image through onError, skips it, and goes on', async () => {
    const recs = [...records.slice(0, 5), { path: 'broken.png', label: 'covid', level: 0 }, ...records.slice(5, 12)];
    const errors: [PreprocessError, string][] = [];
    const out = await collect(batches(recs, { spec, labels, batchSize: 4, baseDir: dir, onError: (e, r) => errors.push([e, r.path]) }));
    expect(errors).toHaveLength(1);
    expect(errors[0][0]).toBeInstanceOf(ImageDecodeError);
    expect(errors[0][0].message).toContain(path.join(dir, 'broken.png'));
    expect(errors[0][1]).toBe('broken.png');
    expect(out.map((b) => b.shape[0])).toEqual([4, 3, 4, 1]);
    expect(out.flatMap((b) => b.meta.map((r) => r.path))).toEqual([...records.slice(0, 12)].map((r) => r.path));
    // the batch that lost an image is compacted: its 3 images and labels line up
    const b = out[1];
    expect(b.x.length).toBe(3 * 64);
    b.meta.forEach((r, n) => expect(b.x[n * 64]).toBeCloseTo(r.level / 255, 6));
  });

  it('without onError, throws the decode error naming the file', async () => {
    const recs = [records[0], { path: 'broken.png', label: 'covid' }];
    await expect(collect(batches(recs, { spec, labels, baseDir: dir }))).rejects.toThrow(/broken\.png/);
  });

  it('refuses record paths that leave baseDir (absolute, ..), through onError or by throwing', async () => {
    // A real image just outside baseDir: reading it would succeed, so only the path check can stop it.
    const inner = path.join(dir, 'inner');
    mkdirSync(inner, { recursive: true });
    writeFileSync(path.join(inner, 'ok.png'), readFileSync(path.join(dir, '0.png')));
    const recs = [
      { path: 'ok.png', label: 'covid' },
      { path: '../1.png', label: 'covid' },
      { path: path.join(dir, '2.png'), label: 'normal' },
      { path: 'sub\\..\\..\\3.png', label: 'normal' },
    ];
    const errors: PreprocessError[] = [];
    const out = await collect(batches(recs, { spec, labels, baseDir: inner, onError: (e) => errors.push(e) }));
    expect(out.flatMap((b) => b.meta.map((r) => r.path))).toEqual(['ok.png']);
    expect(errors.map((e) => [e.constructor, (e as UnsafePathError).unsafePath])).toEqual(recs.slice(1).map((r) => [UnsafePathError, r.path]));
    expect(errors[0].message).toContain(inner);
    await expect(collect(batches([recs[1]], { spec, labels, baseDir: inner }))).rejects.toThrow(UnsafePathError);
  });

  it('refuses a record whose label is not in labels before decoding anything', () => {
    expect(() => batches([{ path: 'a.png', label: 'pneumonia' }], { spec, labels, baseDir: dir })).toThrow(UnlistedLabelError);
    expect(() => batches([{ path: 'a.png', label: 'pneumonia' }], { spec, labels, baseDir: dir })).toThrow('Label "pneumonia" of a.png is not one of ["covid","normal"]');
  });
});
