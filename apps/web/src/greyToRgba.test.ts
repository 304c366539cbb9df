import { overlayHeatmap } from '@cxr/model';
import { greyToRgba } from './greyToRgba';

describe('greyToRgba', () => {
  test('float and 8-bit grey become opaque RGBA, rounded to the nearest level', () => {
    // 0.5 * 255 = 127.5 -> 128; 0.2 * 255 = 51; 1/255 -> 1
    const float = greyToRgba({ data: new Float32Array([0, 0.5, 0.2, 1 / 255, 1, 0.999]), width: 3, height: 2 });
    expect(Array.from(float.data)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 51, 51, 51, 255, 1, 1, 1, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
    expect([float.width, float.height]).toEqual([3, 2]);
    const bytes = greyToRgba({ data: new Uint8Array([7, 200]), width: 2, height: 1 });
    expect(Array.from(bytes.data)).toEqual([7, 7, 7, 255, 200, 200, 200, 255]);
  });

  test('is what overlayHeatmap draws with a blank heatmap at alpha 0 (the page drew that before Grad-CAM)', () => {
    const data = new Float32Array(40 * 30).map((_, i) => ((i * 7919) % 1000) / 999);
    const image = { data, width: 40, height: 30 };
    const blank = overlayHeatmap(image, { heatmap: new Float32Array(1), width: 1, height: 1 }, { alpha: 0 });
    expect(Array.from(greyToRgba(image).data)).toEqual(Array.from(blank.data));
  });
});
