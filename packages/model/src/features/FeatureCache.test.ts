import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PREPROCESS_SPEC, type PreprocessSpec } from '@cxr/preprocess';
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson';
import { FeatureCache, type FeatureKeyParts } from './FeatureCache';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-fcache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parts: FeatureKeyParts = {
  imageHash: 'a'.repeat(64),
  backboneName: 'vgg16',
  weightsHash: 'b'.repeat(64),
  preprocessing: { ...DEFAULT_PREPROCESS_SPEC, normalization: 'vgg16-caffe' },
};

describe('FeatureCache', () => {
  it('round-trips exact floats, counting hits and misses', async () => {
    const cache = new FeatureCache(dir);
    const key = FeatureCache.key(parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await cache.get(key)).toBeUndefined();
    const data = Float32Array.from([0, -1.5, 3.4028234663852886e38, 1e-45, Math.PI, -0]);
    await cache.put(key, data);
    expect(await cache.has(key)).toBe(true);
    const back = await cache.get(key);
    expect(back).toEqual(data);
    expect(Object.is(back?.[5], -0)).toBe(true);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, writes: 1, corrupt: 0 });
    // one file: 16-byte header + 6 floats, no temp files left
    expect(await cache.size()).toEqual({ entries: 1, bytes: 16 + 6 * 4 });
    expect(await readdir(path.join(dir, key.slice(0, 2)))).toEqual([`${key}.f32`]);
    // the documented on-disk format, read byte by byte
    const raw = await readFile(path.join(dir, key.slice(0, 2), `${key}.f32`));
    expect(raw.toString('ascii', 0, 4)).toBe('CXRF');
    expect([raw.readUInt32LE(4), raw.readUInt32LE(8), raw.readUInt32LE(12)]).toEqual([1, 6, 0]);
    expect(raw.readFloatLE(16 + 4)).toBe(-1.5);
    expect(raw.readFloatLE(16 + 16)).toBeCloseTo(Math.PI, 6);
  });

  it('misses when any key part changes, and ignores the order of spec keys', async () => {
    const cache = new FeatureCache(dir);
    await cache.put(FeatureCache.key(parts), new Float32Array([1]));
    const changed: FeatureKeyParts[] = [
      { ...parts, imageHash: 'c'.repeat(64) },
      { ...parts, backboneName: 'mobilenet_v1' },
      { ...parts, weightsHash: 'd'.repeat(64) },
      { ...parts, preprocessing: { ...parts.preprocessing, normalization: 'unit' } },
      { ...parts, preprocessing: { ...parts.preprocessing, clahe: { tileGridSize: 8, clipLimit: 2 } } },
      { ...parts, variant: 'rand:seed=1:i=0' },
      { ...parts, cutLayer: 'block4_pool' },
      { ...parts, preprocessing: { ...parts.preprocessing, lungCrop: { x: 0.1, y: 0.08, width: 0.8, height: 0.8 } } },
      { ...parts, preprocessing: { ...parts.preprocessing, lungCrop: { x: 0.1, y: 0.1, width: 0.8, height: 0.8 } } },
    ];
    const keys = new Set(changed.map((p) => FeatureCache.key(p)));
    expect(keys.size).toBe(changed.length);
    expect(keys.has(FeatureCache.key(parts))).toBe(false);
    for (const p of changed) expect(await cache.get(FeatureCache.key(p))).toBeUndefined();
    const reordered = Object.fromEntries(Object.entries(parts.preprocessing).reverse()) as unknown as PreprocessSpec;
    expect(await cache.get(FeatureCache.key({ ...parts, preprocessing: reordered }))).toEqual(new Float32Array([1]));
    expect(cache.stats()).toMatchObject({ hits: 1, misses: changed.length });
  });

  it('keys a spec with lungCrop null exactly as the spec without the field (entries written before it still hit)', () => {
    const before = createHash('sha256').update(canonicalJson(parts.preprocessing)).digest('hex');
    expect(canonicalJson(parts.preprocessing)).not.toContain('lungCrop');
    const text = canonicalJson({ v: 1, image: parts.imageHash, backbone: 'vgg16', weights: parts.weightsHash, preprocessing: before, variant: null });
    const old = createHash('sha256').update(text).digest('hex');
    expect(FeatureCache.key(parts)).toBe(old);
    expect(FeatureCache.key({ ...parts, preprocessing: { ...parts.preprocessing, lungCrop: null } })).toBe(old);
  });

  it('keys one weights file cut at two layers apart (the cut is part of the key)', () => {
    const mobilenet = { ...parts, backboneName: 'mobilenet_v1' };
    const atPw12 = FeatureCache.key({ ...mobilenet, cutLayer: 'conv_pw_12_relu' });
    const atDw12 = FeatureCache.key({ ...mobilenet, cutLayer: 'conv_dw_12_relu' });
    expect(atPw12).not.toBe(atDw12);
    expect(atPw12).not.toBe(FeatureCache.key(mobilenet));
    // an uncut model keeps the key it had before the cut was keyed: sha256 of the canonical JSON without `cut`
    const text = JSON.stringify({
      backbone: 'mobilenet_v1',
      image: parts.imageHash,
      preprocessing: createHash('sha256').update(canonicalJson(parts.preprocessing)).digest('hex'),
      v: 1,
      variant: null,
      weights: parts.weightsHash,
    });
    expect(FeatureCache.key(mobilenet)).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('treats a truncated or foreign entry as a miss and removes it', async () => {
    const cache = new FeatureCache(dir);
    const key = FeatureCache.key(parts);
    await cache.put(key, new Float32Array(10));
    const file = path.join(dir, key.slice(0, 2), `${key}.f32`);
    await writeFile(file, Buffer.alloc(30));
    expect(await cache.get(key)).toBeUndefined();
    expect(await cache.has(key)).toBe(false);
    expect(cache.stats()).toMatchObject({ corrupt: 1, misses: 1, hits: 0 });
    await expect(cache.get('../../etc/passwd')).rejects.toThrow(TypeError);
  });

  it('survives concurrent puts of one key: a whole entry, no temp files left', async () => {
    const cache = new FeatureCache(dir);
    const key = FeatureCache.key(parts);
    const arrays = Array.from({ length: 16 }, (_, i) => new Float32Array(4096).fill(i));
    await Promise.all(arrays.map((a) => cache.put(key, a)));
    const back = await cache.get(key);
    expect(back).toHaveLength(4096);
    expect(new Set(back)).toHaveProperty('size', 1); // all from one writer, not a mix
    expect(await readdir(path.join(dir, key.slice(0, 2)))).toEqual([`${key}.f32`]);
    expect(cache.stats()).toMatchObject({ writes: 16, hits: 1 });
  });

  it('reports an entry it cannot read instead of calling it a miss', async () => {
    const cache = new FeatureCache(dir);
    const key = FeatureCache.key(parts);
    await mkdir(path.join(dir, key.slice(0, 2), `${key}.f32`), { recursive: true }); // EISDIR on read
    await expect(cache.get(key)).rejects.toThrow(/EISDIR/);
    expect(cache.stats()).toMatchObject({ misses: 0 });
  });

  it('keys int8 features apart by calibration, and keeps float32 keys as before precision existed', () => {
    const fp32 = FeatureCache.key(parts);
    expect(FeatureCache.key({ ...parts, precision: 'fp32' })).toBe(fp32);
    const int8 = FeatureCache.key({ ...parts, precision: 'int8', quantization: 'calib-1' });
    expect(int8).not.toBe(fp32);
    expect(FeatureCache.key({ ...parts, precision: 'int8', quantization: 'calib-2' })).not.toBe(int8);
    expect(() => FeatureCache.key({ ...parts, precision: 'int8' })).toThrow(/quantization/);
  });
});
