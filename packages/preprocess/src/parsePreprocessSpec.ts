import { PreprocessSpecError } from './errors';
import type { FractionRect } from './cropFraction';
import type { NormalizationPreset, PreprocessSpec, ResizeMode } from './preprocessSpec';

const RESIZE_MODES: readonly ResizeMode[] = ['stretch', 'letterbox', 'crop'];
const NORMALIZATIONS: readonly NormalizationPreset[] = ['unit', 'mobilenet', 'vgg16-caffe'];
const KEYS = ['version', 'height', 'width', 'channels', 'resizeMode', 'normalization', 'clahe', 'cropBorder'];
/** Optional keys: specs saved before they existed lack them (missing = off). */
const OPTIONAL_KEYS = ['lungCrop'];
const RECT_KEYS = ['x', 'y', 'width', 'height'] as const;

/**
 * Validates a preprocessing spec read from JSON (a string or an already parsed value), as saved
 * with a model, and returns a clean frozen copy. Unknown keys, missing keys and bad values throw
 * {@link PreprocessSpecError} naming the field, the value and `source` (e.g. the model file).
 *
 * @example
 * const spec = parsePreprocessSpec(fs.readFileSync('model/cxr.json', 'utf8'), 'model/cxr.json');
 */
export function parsePreprocessSpec(json: unknown, source = '<spec>'): PreprocessSpec {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new PreprocessSpecError(`Preprocess spec in ${source} is not valid JSON`, { cause });
    }
  }
  const fail = (msg: string): never => {
    throw new PreprocessSpecError(`Invalid preprocess spec in ${source}: ${msg}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`expected an object, got ${JSON.stringify(value)}`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k) && !OPTIONAL_KEYS.includes(k)) fail(`unknown field ${JSON.stringify(k)}`);
  for (const k of KEYS) if (!(k in o)) fail(`missing field ${JSON.stringify(k)}`);
  if (o.version !== 1) fail(`unsupported version ${JSON.stringify(o.version)} (this library reads version 1)`);
  for (const k of ['height', 'width'] as const) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 8192) fail(`${k} must be an integer in [1, 8192], got ${JSON.stringify(v)}`);
  }
  if (o.channels !== 1 && o.channels !== 3) fail(`channels must be 1 or 3, got ${JSON.stringify(o.channels)}`);
  if (!RESIZE_MODES.includes(o.resizeMode as ResizeMode)) fail(`resizeMode must be one of ${RESIZE_MODES.join(', ')}, got ${JSON.stringify(o.resizeMode)}`);
  if (!NORMALIZATIONS.includes(o.normalization as NormalizationPreset)) {
    fail(`normalization must be one of ${NORMALIZATIONS.join(', ')}, got ${JSON.stringify(o.normalization)}`);
  }
  if (o.normalization === 'vgg16-caffe' && o.channels !== 3) fail(`normalization vgg16-caffe needs channels 3 (BGR), got ${JSON.stringify(o.channels)}`);
  let clahe: PreprocessSpec['clahe'] = null;
  if (o.clahe !== null) {
    const c = o.clahe as Record<string, unknown>;
    if (typeof c !== 'object' || Array.isArray(c)) fail(`clahe must be null or { tileGridSize, clipLimit }, got ${JSON.stringify(o.clahe)}`);
    for (const k of Object.keys(c)) if (k !== 'tileGridSize' && k !== 'clipLimit') fail(`unknown field clahe.${k}`);
    const t = c.tileGridSize;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 64) fail(`clahe.tileGridSize must be an integer in [1, 64], got ${JSON.stringify(t)}`);
    const l = c.clipLimit;
    if (typeof l !== 'number' || !Number.isFinite(l) || l < 1) fail(`clahe.clipLimit must be a number >= 1, got ${JSON.stringify(l)}`);
    clahe = Object.freeze({ tileGridSize: t as number, clipLimit: l as number });
  }
  if (typeof o.cropBorder !== 'boolean') fail(`cropBorder must be true or false, got ${JSON.stringify(o.cropBorder)}`);
  let lungCrop: FractionRect | null = null;
  if (o.lungCrop !== undefined && o.lungCrop !== null) {
    const c = o.lungCrop as Record<string, unknown>;
    if (typeof c !== 'object' || Array.isArray(c)) fail(`lungCrop must be null or { x, y, width, height } (fractions of the image), got ${JSON.stringify(o.lungCrop)}`);
    for (const k of Object.keys(c)) if (!(RECT_KEYS as readonly string[]).includes(k)) fail(`unknown field lungCrop.${k}`);
    for (const k of RECT_KEYS) {
      const v = c[k];
      const size = k === 'width' || k === 'height';
      const ok = typeof v === 'number' && Number.isFinite(v) && (size ? v > 0 && v <= 1 : v >= 0 && v < 1);
      if (!ok) fail(`lungCrop.${k} must be a fraction of the image in ${size ? '(0, 1]' : '[0, 1)'}, got ${JSON.stringify(v)}`);
    }
    lungCrop = { x: c.x as number, y: c.y as number, width: c.width as number, height: c.height as number };
    if (lungCrop.x + lungCrop.width > 1 + 1e-9) fail(`lungCrop.x + lungCrop.width must be at most 1, got ${lungCrop.x} + ${lungCrop.width}`);
    if (lungCrop.y + lungCrop.height > 1 + 1e-9) fail(`lungCrop.y + lungCrop.height must be at most 1, got ${lungCrop.y} + ${lungCrop.height}`);
  }
  return Object.freeze({
    version: 1,
    height: o.height as number,
    width: o.width as number,
    channels: o.channels as 1 | 3,
    resizeMode: o.resizeMode as ResizeMode,
    normalization: o.normalization as NormalizationPreset,
    clahe,
    cropBorder: o.cropBorder as boolean,
    // Only present when on, so a spec without a crop is the same object (and the same cache key) as before the field.
    ...(lungCrop ? { lungCrop: Object.freeze(lungCrop) } : {}),
  });
}
