import { InputCheckError } from '../errors';
import { fromFloat16Base64, toFloat16Base64 } from './float16Base64';

/** Cheap checks on the image itself, before any feature. */
export interface ImageLimits {
  /** Refuse images whose shorter side is below this many pixels. */
  minSide: number;
  /** Refuse images whose longer side is more than this many times the shorter (strips, panoramas). */
  maxAspectRatio: number;
  /** Refuse images with fewer distinct grey levels than this (line drawings, masks, blank or binary images). */
  minGreyLevels: number;
}

/** Default image limits (the smallest training image of the shared data is 157 px wide; chest films are < 1.5:1). */
export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({ minSide: 64, maxAspectRatio: 2, minGreyLevels: 32 });

/**
 * What a model was trained on, for refusing what it was not (saved in `cxr.json` as `inputDistribution`): the
 * L2-normalised, globally average-pooled backbone features of its training images, and the k-nearest-neighbour
 * cosine distance above which an input counts as outside them. JSON-safe.
 */
export interface InputDistribution {
  method: 'knn-cosine';
  /** The distance of an input is the cosine distance to its k-th nearest training image. */
  k: number;
  /** Feature length (backbone channels). */
  dims: number;
  /** Training images kept. */
  count: number;
  /** The `count x dims` normalised features, float16, little-endian, base64. */
  features: string;
  /** Refuse when the distance is above this. */
  threshold: number;
  /** The share of held-out training images the threshold refuses (the stated false-refusal rate). */
  falseRefusalRate: number;
  /** How the threshold's held-out distances were made. */
  heldOut: 'leave-one-patient-out';
  /** Quantiles of the held-out distances (median, 95th percentile, max). */
  heldOutDistances: { median: number; p95: number; max: number };
  image: ImageLimits;
}

/** Options of {@link describeInputDistribution}. */
export interface DescribeInputsOptions {
  /** Pooled backbone features of the training images (e.g. `globalAveragePool` of each feature map). */
  features: readonly ArrayLike<number>[];
  /** Patient of each image: held-out distances never use the image's own patient. Default: each image alone. */
  groups?: readonly string[];
  /** Default 5. */
  k?: number;
  /** Share of held-out training images to refuse; sets the threshold (default 0.025). */
  falseRefusalRate?: number;
  /** Keep at most this many images (an evenly spaced subset), to bound `cxr.json` (default 1000). */
  maxImages?: number;
  image?: Partial<ImageLimits>;
  /**
   * Facts of the training images (`describeImage`): the cheap checks are then widened so that they never refuse what
   * training held (the smallest side, the most elongated shape and the fewest grey levels among them).
   */
  images?: readonly ImageFacts[];
}

function normalised(f: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let j = 0; j < f.length; j++) s += f[j] * f[j];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float32Array(f.length);
  for (let j = 0; j < f.length; j++) out[j] = f[j] * inv;
  return out;
}

/** The k-th smallest of `values` (1-based k), k clamped to the length. */
function kth(values: number[], k: number): number {
  values.sort((a, b) => a - b);
  return values[Math.min(k, values.length) - 1];
}

/**
 * Describes the training inputs for {@link checkInput}: k-nearest-neighbour distance on L2-normalised pooled
 * backbone features (Sun et al., "Out-of-distribution detection with deep nearest neighbors", ICML 2022), with the
 * threshold at the `1 - falseRefusalRate` quantile of the training images' own distances, each measured with its
 * patient left out (so it behaves like an unseen image, not like its own duplicate).
 *
 * @throws {InputCheckError} for fewer than k + 1 images, mismatched lengths, non-finite values or bad options
 * @example const inputDistribution = describeInputDistribution({ features: pooled, groups: patientIds });
 */
export function describeInputDistribution(options: DescribeInputsOptions): InputDistribution {
  const k = options.k ?? 5;
  const rate = options.falseRefusalRate ?? 0.025;
  const maxImages = options.maxImages ?? 1000;
  if (!Number.isInteger(k) || k < 1) throw new InputCheckError(`describeInputDistribution: k must be a positive integer, got ${k}`);
  if (!(rate > 0 && rate < 1)) throw new InputCheckError(`describeInputDistribution: falseRefusalRate must be in (0, 1), got ${rate}`);
  const all = options.features;
  const groupsAll = options.groups ?? all.map((_, i) => `image:${i}`);
  if (groupsAll.length !== all.length) throw new InputCheckError(`describeInputDistribution: ${all.length} feature vectors but ${groupsAll.length} groups`);
  const step = all.length > maxImages ? all.length / maxImages : 1;
  const keep = Array.from({ length: Math.min(all.length, maxImages) }, (_, i) => Math.floor(i * step));
  const n = keep.length;
  if (n < k + 1) throw new InputCheckError(`describeInputDistribution: needs at least k + 1 = ${k + 1} training images, got ${n}`);
  const dims = all[keep[0]].length;
  const bank = keep.map((i) => {
    const f = all[i];
    if (f.length !== dims || dims === 0) throw new InputCheckError(`describeInputDistribution: feature ${i} has ${f.length} values, the first ${dims}`);
    for (let j = 0; j < dims; j++) if (!Number.isFinite(f[j])) throw new InputCheckError(`describeInputDistribution: feature ${j} of image ${i} is ${f[j]}, not finite`);
    return normalised(f);
  });
  const groups = keep.map((i) => groupsAll[i]);
  const held: number[] = [];
  for (let i = 0; i < n; i++) {
    const d: number[] = [];
    for (let j = 0; j < n; j++) if (groups[j] !== groups[i]) d.push(1 - dot(bank[i], bank[j]));
    if (d.length === 0) throw new InputCheckError('describeInputDistribution: every image is from one patient; held-out distances need two or more');
    held.push(kth(d, k));
  }
  const sorted = [...held].sort((a, b) => a - b);
  // the smallest held-out distance that leaves at most `rate` of them above it
  const threshold = sorted[Math.min(n - 1, Math.ceil((1 - rate) * n) - 1)];
  const flat = new Float32Array(n * dims);
  bank.forEach((f, i) => flat.set(f, i * dims));
  return {
    method: 'knn-cosine',
    k,
    dims,
    count: n,
    features: toFloat16Base64(flat),
    threshold,
    falseRefusalRate: rate,
    heldOut: 'leave-one-patient-out',
    heldOutDistances: { median: sorted[Math.floor((n - 1) / 2)], p95: sorted[Math.min(n - 1, Math.ceil(0.95 * n) - 1)], max: sorted[n - 1] },
    image: widenLimits({ ...DEFAULT_IMAGE_LIMITS, ...options.image }, options.images ?? []),
  };
}

/** The limits loosened to admit every training image (public collections hold quantised, cropped, elongated films). */
function widenLimits(limits: ImageLimits, images: readonly ImageFacts[]): ImageLimits {
  const out = { ...limits };
  for (const im of images) {
    const short = Math.min(im.width, im.height);
    out.minSide = Math.min(out.minSide, short);
    out.maxAspectRatio = Math.max(out.maxAspectRatio, Math.max(im.width, im.height) / Math.max(short, 1));
    out.minGreyLevels = Math.min(out.minGreyLevels, im.greyLevels);
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** Size and grey levels of the decoded image, for the cheap checks of {@link checkInput} (see `describeImage`). */
export interface ImageFacts {
  width: number;
  height: number;
  /** Distinct grey values of the decoded image (at 8 bits). */
  greyLevels: number;
}

/** The answer of {@link checkInput}. */
export interface InputCheck {
  /** False: outside what the model was trained on, no decision. */
  inDistribution: boolean;
  /** Why it was refused, one phrase per failed check; empty when in distribution. */
  reasons: string[];
  /** k-NN cosine distance to the training images (NaN when no feature was given). */
  distance: number;
  threshold: number;
}

const banks = new WeakMap<InputDistribution, Float32Array>();

/** The decoded feature bank of a description, decoded once per description object. */
function bankOf(d: InputDistribution): Float32Array {
  let b = banks.get(d);
  if (!b) {
    b = fromFloat16Base64(d.features);
    if (b.length !== d.count * d.dims) throw new InputCheckError(`inputDistribution: features hold ${b.length} values, expected count x dims = ${d.count * d.dims}`);
    banks.set(d, b);
  }
  return b;
}

/** The k-NN cosine distance of a pooled feature vector to the described training images. */
export function inputDistance(d: InputDistribution, feature: ArrayLike<number>): number {
  if (feature.length !== d.dims) throw new InputCheckError(`checkInput: feature has ${feature.length} values, the model's training features ${d.dims}`);
  const bank = bankOf(d);
  const q = normalised(feature);
  const dist: number[] = new Array(d.count);
  for (let i = 0; i < d.count; i++) {
    let s = 0;
    const o = i * d.dims;
    for (let j = 0; j < d.dims; j++) s += q[j] * bank[o + j];
    dist[i] = 1 - s;
  }
  return kth(dist, d.k);
}

/**
 * Is this input like what the model was trained on? Cheap image checks first (size, aspect ratio, grey levels),
 * then the k-NN distance of its pooled backbone features. Pure math, browser-safe: Node and the browser give the
 * same answer for the same features. A refused input gets no decision ("outside what this model was trained on").
 *
 * @example
 * const c = checkInput(cxr.config.inputDistribution, { feature: pooled, image: describeImage(pixels) });
 * if (!c.inDistribution) console.log(`no decision: ${c.reasons.join('; ')}`);
 */
export function checkInput(d: InputDistribution, input: { feature?: ArrayLike<number>; image?: ImageFacts }): InputCheck {
  const reasons: string[] = [];
  const img = input.image;
  if (img) {
    const short = Math.min(img.width, img.height);
    const long = Math.max(img.width, img.height);
    if (short < d.image.minSide) reasons.push(`image is ${img.width}x${img.height}, smaller than ${d.image.minSide} px on a side`);
    if (long > d.image.maxAspectRatio * short) reasons.push(`aspect ratio ${(long / Math.max(short, 1)).toFixed(1)}:1 is beyond ${d.image.maxAspectRatio}:1`);
    if (img.greyLevels < d.image.minGreyLevels) reasons.push(`only ${img.greyLevels} grey levels (radiographs have hundreds)`);
  }
  const distance = input.feature ? inputDistance(d, input.feature) : NaN;
  if (distance > d.threshold) {
    reasons.push(`unlike the training images (feature distance ${distance.toFixed(3)} > ${d.threshold.toFixed(3)}, the limit that refuses ${(d.falseRefusalRate * 100).toFixed(1)}% of held-out training images)`);
  }
  return { inDistribution: reasons.length === 0, reasons, distance, threshold: d.threshold };
}

/**
 * The facts {@link checkInput} needs from a decoded grey image (8-bit, 16-bit or float grey, any `RawPixels`-like
 * object; with several channels the first is read): its size and its distinct grey levels when its own range
 * (min..max) is spread over 256 bins, so a 12-bit DICOM in 16-bit words and an 8-bit PNG are measured alike.
 */
export function describeImage(pixels: { data: ArrayLike<number>; width: number; height: number }): ImageFacts {
  const data = pixels.data;
  const channels = Math.max(1, Math.round(data.length / Math.max(1, pixels.width * pixels.height)));
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i += channels) {
    if (data[i] < min) min = data[i];
    if (data[i] > max) max = data[i];
  }
  const seen = new Uint8Array(256);
  let levels = 0;
  const scale = max > min ? 255 / (max - min) : 0;
  for (let i = 0; i < data.length; i += channels) {
    const v = Math.round((data[i] - min) * scale);
    if (!seen[v]) {
      seen[v] = 1;
      levels++;
    }
  }
  return { width: pixels.width, height: pixels.height, greyLevels: levels };
}

/** Validates a parsed `inputDistribution` (from `cxr.json`); returns the problem in words, or null when valid. */
export function inputDistributionProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return 'must be an object';
  const o = v as Record<string, unknown>;
  if (o.method !== 'knn-cosine') return `method ${JSON.stringify(o.method)} is unknown`;
  for (const f of ['k', 'dims', 'count'] as const) if (!Number.isInteger(o[f]) || (o[f] as number) < 1) return `${f} must be a positive integer`;
  if (typeof o.features !== 'string') return 'features must be a base64 string';
  if (Math.floor((o.features.length * 3) / 4 / 2) < (o.count as number) * (o.dims as number)) return 'features hold fewer values than count x dims';
  if (typeof o.threshold !== 'number' || !Number.isFinite(o.threshold)) return 'threshold must be a number';
  if (!(typeof o.falseRefusalRate === 'number' && o.falseRefusalRate > 0 && o.falseRefusalRate < 1)) return 'falseRefusalRate must be in (0, 1)';
  const img = o.image as Record<string, unknown> | undefined;
  if (!img || !['minSide', 'maxAspectRatio', 'minGreyLevels'].every((f) => typeof img[f] === 'number')) return 'image must be { minSide, maxAspectRatio, minGreyLevels }';
  return null;
}
