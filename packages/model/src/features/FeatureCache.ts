import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PreprocessSpec } from '@cxr/preprocess';
import writeFileAtomic from 'write-file-atomic';
import { canonicalJson } from './canonicalJson';

/** What identifies one cached feature array. Change any part and the key changes. */
export interface FeatureKeyParts {
  /** SHA-256 of the image file's bytes (`sha256File` of `@cxr/dataset/node`). */
  imageHash: string;
  backboneName: string;
  /** `backbone.weightsHash`. */
  weightsHash: string;
  /**
   * The layer the backbone was cut at (`backbone.info.cutLayer`); omit for an uncut model. One weights file cut at two
   * layers gives two different feature maps, so the cut is part of the key (keys of uncut models are unchanged).
   */
  cutLayer?: string;
  /** The preprocessing spec (hashed as canonical JSON: key order does not matter). */
  preprocessing: PreprocessSpec;
  /** Augmented variant, e.g. `rand:seed=3:i=2`; omit for the plain image. */
  variant?: string;
  /** `int8` for a quantised backbone graph; omitted or `fp32`: float32 (the keys of earlier versions). */
  precision?: 'fp32' | 'int8';
  /** For int8: what the graph was calibrated on (`OnnxCalibration.id`) and how; required with `int8`. */
  quantization?: string;
}

/** Counters of a {@link FeatureCache} since it was made. */
export interface FeatureCacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries found unreadable (wrong magic or size) and removed; counted as misses too. */
  corrupt: number;
}

const MAGIC = 0x46525843; // 'CXRF' little-endian
const VERSION = 1;
const HEADER = 16;
/** Float32Array uses the platform's byte order; the file is little-endian. */
const LITTLE_ENDIAN = os.endianness() === 'LE';

/**
 * A disk cache of backbone features: one `<dir>/<2 hex>/<sha256 key>.f32` file per image and variant,
 * written atomically (temp file + rename). A file is a 16-byte header (magic `CXRF`, version, float count,
 * 0) then little-endian float32s. Safe for concurrent readers; two writers of one key write the same bytes.
 *
 * @example
 * const cache = new FeatureCache('.cache/features');
 * const key = FeatureCache.key({ imageHash, backboneName: b.name, weightsHash: b.weightsHash, cutLayer: b.info.cutLayer, preprocessing: b.preprocessing });
 * const f = (await cache.get(key)) ?? (await compute());
 */
export class FeatureCache {
  private readonly counts: FeatureCacheStats = { hits: 0, misses: 0, writes: 0, corrupt: 0 };

  constructor(readonly dir: string) {}

  /** The SHA-256 key of a feature array (hex). */
  static key(parts: FeatureKeyParts): string {
    const int8 = parts.precision === 'int8';
    if (int8 && !parts.quantization) throw new TypeError('Feature cache key: precision int8 needs quantization (the calibration id)');
    const text = canonicalJson({
      v: VERSION,
      image: parts.imageHash,
      backbone: parts.backboneName,
      weights: parts.weightsHash,
      // Only cut models carry it, so entries of uncut models written before the cut was keyed are still found.
      ...(parts.cutLayer !== undefined ? { cut: parts.cutLayer } : {}),
      // A null lungCrop hashes as a missing one (specs before the field), so entries of uncropped specs are still found.
      preprocessing: createHash('sha256').update(canonicalJson({ ...parts.preprocessing, lungCrop: parts.preprocessing.lungCrop ?? undefined })).digest('hex'),
      variant: parts.variant ?? null,
      // Only int8 keys carry these, so float32 entries written before precision existed are still found.
      ...(int8 ? { precision: 'int8', quantization: parts.quantization } : {}),
    });
    return createHash('sha256').update(text).digest('hex');
  }

  private file(key: string): string {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new TypeError(`Feature cache key must be lowercase hex, got '${key}'`);
    return path.join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  /**
   * The cached features for `key`, or undefined (a miss). A corrupt entry is removed and is a miss.
   * @throws the file system's error when the entry exists but cannot be read (permissions, ...): not a miss.
   */
  async get(key: string): Promise<Float32Array | undefined> {
    const file = this.file(key);
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      this.counts.misses++;
      return undefined;
    }
    const count = buf.length >= HEADER ? buf.readUInt32LE(8) : -1;
    if (buf.length < HEADER || buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== VERSION || buf.length !== HEADER + 4 * count) {
      this.counts.corrupt++;
      this.counts.misses++;
      await rm(file, { force: true });
      return undefined;
    }
    this.counts.hits++;
    if (LITTLE_ENDIAN) return new Float32Array(buf.buffer.slice(buf.byteOffset + HEADER, buf.byteOffset + buf.length));
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = buf.readFloatLE(HEADER + 4 * i);
    return out;
  }

  /** True when `key` has an entry (does not count as a hit or miss). */
  async has(key: string): Promise<boolean> {
    try {
      await stat(this.file(key));
      return true;
    } catch {
      return false;
    }
  }

  /** Stores `data` under `key` atomically. */
  async put(key: string, data: Float32Array): Promise<void> {
    const file = this.file(key);
    const buf = Buffer.alloc(HEADER + 4 * data.length);
    buf.writeUInt32LE(MAGIC, 0);
    buf.writeUInt32LE(VERSION, 4);
    buf.writeUInt32LE(data.length, 8);
    if (LITTLE_ENDIAN) buf.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), HEADER);
    else for (let i = 0; i < data.length; i++) buf.writeFloatLE(data[i], HEADER + 4 * i);
    await mkdir(path.dirname(file), { recursive: true });
    // No fsync: a cache entry torn by a power cut fails its header check and is computed again.
    await writeFileAtomic(file, buf, { fsync: false });
    this.counts.writes++;
  }

  /** Hits, misses, writes and corrupt entries since this object was made. */
  stats(): FeatureCacheStats {
    return { ...this.counts };
  }

  /** Entries and bytes on disk. */
  async size(): Promise<{ entries: number; bytes: number }> {
    let entries = 0;
    let bytes = 0;
    let subdirs: string[];
    try {
      subdirs = await readdir(this.dir);
    } catch {
      return { entries, bytes };
    }
    for (const sub of subdirs) {
      let names: string[];
      try {
        names = await readdir(path.join(this.dir, sub));
      } catch {
        continue;
      }
      for (const name of names.filter((n) => n.endsWith('.f32'))) {
        entries++;
        bytes += (await stat(path.join(this.dir, sub, name))).size;
      }
    }
    return { entries, bytes };
  }
}
