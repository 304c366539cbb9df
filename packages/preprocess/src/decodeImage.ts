import { readFile } from 'node:fs/promises';
import { checkJpegFrameSize, describeSharpError, JpegFrameSizeError } from '@cxr/dataset/node';
import sharp, { type Metadata } from 'sharp';
import { ImageDecodeError, ImageTooLargeError } from './errors';
import { checkRadiographGeometry, type RadiographGeometry } from './radiographGeometry';
import type { RawPixels } from './floatImage';
import type { ResizeMode } from './preprocessSpec';

/** Default bound on decoded pixels (50 megapixels, about 7000 x 7000): larger inputs are refused before decoding. */
export const DEFAULT_LIMIT_INPUT_PIXELS = 50_000_000;

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Refuse images with more pixels than this (sharp's `limitInputPixels`). Default {@link DEFAULT_LIMIT_INPUT_PIXELS}. */
  limitInputPixels?: number;
  /** Name used in errors and metadata for in-memory input. Default `'<buffer>'`. */
  name?: string;
  /**
   * Let libvips also resize (with JPEG shrink-on-load): `stretch` fills, `letterbox` pads black,
   * `crop` cuts centred. The returned pixels are then `width x height`; `meta` keeps the file's size.
   */
  resize?: { width: number; height: number; mode: ResizeMode };
  /**
   * Refuse, from the header and before decoding, a size that cannot be a chest radiograph (give
   * `RADIOGRAPH_GEOMETRY` at prediction time). Default: no check (training crops and tests use small images).
   */
  geometry?: Readonly<RadiographGeometry>;
}

/** What the decoder saw. Sizes are after EXIF auto-rotation. */
export interface DecodeMeta {
  /** File path, or the `name` given for a buffer. */
  file: string;
  /** `png`, `jpeg`, `webp`, `tiff`... as sharp reports it. */
  format: string;
  width: number;
  height: number;
  /** Channels in the file (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
  channels: number;
  /** 8 or 16 bits per sample of the decoded grey. */
  bitDepth: 8 | 16;
  /** EXIF orientation (1-8) that was applied; 1 when none. */
  orientation: number;
}

/**
 * Decodes PNG, JPEG (and the other formats libvips reads) to ONE grey channel with sharp:
 * EXIF orientation applied, alpha dropped, colour converted to luminance by libvips; 16-bit
 * inputs stay 16-bit (`Uint16Array`), others are 8-bit (`Uint8Array`). Node only.
 *
 * @throws {ImageTooLargeError} above `limitInputPixels` (checked from the header, before decoding)
 * @throws {ImageDecodeError} for a missing, corrupt, truncated or unsupported file, or a JPEG whose header declares a
 *   smaller size than its image data holds (@cxr/dataset's `checkJpegFrameSize`)
 * @throws {ImageGeometryError} with `geometry`, for a size that cannot be a chest radiograph
 */
export async function decodeImage(input: string | Uint8Array, options: DecodeOptions = {}): Promise<{ pixels: RawPixels; meta: DecodeMeta }> {
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  const file = typeof input === 'string' ? input : (options.name ?? '<buffer>');
  let src: string | Buffer = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let meta: Metadata;
  try {
    // header only, unbounded, so that an oversized image is reported with its size
    meta = await sharp(src, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new ImageDecodeError(file, describeSharpError(cause), { cause });
  }
  const { width = 0, height = 0 } = meta;
  if (width * height > limit) throw new ImageTooLargeError(file, width, height, limit);
  if (options.geometry) checkRadiographGeometry(oriented(meta).width, oriented(meta).height, file, options.geometry);
  // the check reads a JPEG's bytes: decode those, not the file a second time
  if (meta.format === 'jpeg') src = await checkJpegData(src, file);
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  try {
    let pipe = sharp(src, { limitInputPixels: limit, failOn: 'warning' }).autoOrient().removeAlpha();
    const rs = options.resize;
    if (rs) {
      const fit = rs.mode === 'stretch' ? 'fill' : rs.mode === 'letterbox' ? 'contain' : 'cover';
      pipe = pipe.resize(rs.width, rs.height, { fit, background: { r: 0, g: 0, b: 0 } });
    }
    pipe = sixteen ? pipe.toColourspace('grey16').raw({ depth: 'ushort' }) : pipe.greyscale().raw();
    const { data, info } = await pipe.toBuffer({ resolveWithObject: true });
    const arr = sixteen
      ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (info.channels !== 1) throw new Error(`expected 1 grey channel after conversion, got ${info.channels}`);
    return {
      pixels: { data: arr, width: info.width, height: info.height, channels: 1 },
      meta: {
        file,
        format: String(meta.format),
        width: rs ? oriented(meta).width : info.width,
        height: rs ? oriented(meta).height : info.height,
        channels: meta.channels ?? 0,
        bitDepth: sixteen ? 16 : 8,
        orientation: meta.orientation ?? 1,
      },
    };
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    if (/pixel limit/i.test(msg)) throw new ImageTooLargeError(file, width, height, limit, { cause });
    throw new ImageDecodeError(file, describeSharpError(cause), { cause });
  }
}

/**
 * A JPEG's data must end where its header's size says: libjpeg decodes a shrunk header's MCUs and drops the rest.
 * Returns the bytes checked.
 */
async function checkJpegData(src: string | Buffer, file: string): Promise<Buffer> {
  try {
    const bytes = typeof src === 'string' ? await readFile(src) : src;
    checkJpegFrameSize(bytes, file);
    return bytes;
  } catch (cause) {
    throw new ImageDecodeError(file, cause instanceof JpegFrameSizeError ? cause.problem : describeSharpError(cause), { cause });
  }
}

function oriented(meta: Metadata): { width: number; height: number } {
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  return (meta.orientation ?? 1) >= 5 ? { width: h, height: w } : { width: w, height: h };
}
