import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ModelIoError } from '../errors';
import { overlayHeatmap } from './overlayHeatmap';
import { writeOverlayPng } from './writeOverlayPng';

describe('writeOverlayPng', () => {
  it('writes the overlay as a lossless RGBA PNG, atomically', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-overlay-'));
    try {
      const grey = { data: Uint8Array.from({ length: 64 }, (_, i) => i * 4), width: 8, height: 8 };
      const cam = { heatmap: Float32Array.of(0, 0.3, 0.6, 1), width: 2, height: 2 };
      const file = path.join(tmp, 'cam.png');
      await writeOverlayPng(file, grey, cam, { alpha: 0.4 });
      expect(await readdir(tmp)).toEqual(['cam.png']);
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels, info.format]).toEqual([8, 8, 4, 'raw']);
      expect(Array.from(data)).toEqual(Array.from(overlayHeatmap(grey, cam, { alpha: 0.4 }).data));
      await expect(writeOverlayPng(path.join(tmp, 'no', 'dir.png'), grey, cam)).rejects.toThrow(ModelIoError);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
