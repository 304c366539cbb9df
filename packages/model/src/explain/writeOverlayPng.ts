import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import sharp from 'sharp';
import { ModelIoError } from '../errors';
import { overlayHeatmap, type GreyImage, type Heatmap, type OverlayOptions } from './overlayHeatmap';

/**
 * Node: writes {@link overlayHeatmap}'s RGBA blend as a PNG with sharp, atomically (temp file + rename).
 *
 * @example await writeOverlayPng('out/cam.png', { data: grey8, width: 224, height: 224 }, cam);
 */
export async function writeOverlayPng(file: string, image: GreyImage, heatmap: Heatmap, options: OverlayOptions = {}): Promise<void> {
  const rgba = overlayHeatmap(image, heatmap, options);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}.png`;
  try {
    await sharp(Buffer.from(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength), {
      raw: { width: rgba.width, height: rgba.height, channels: 4 },
    })
      .png()
      .toFile(tmp);
    await rename(tmp, file);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new ModelIoError(`Cannot write overlay PNG ${file}: ${(cause as Error).message}`, { cause });
  }
}
