import { PredictInputError } from '../errors';
import { jetColormap } from './jetColormap';
import { overlayHeatmap, resizeBilinear } from './overlayHeatmap';

describe('jetColormap', () => {
  it("matches matplotlib's cm.jet", () => {
    // matplotlib 3.x: cm.jet(0.0), cm.jet(0.5), cm.jet(1.0) (RGB of the 256-entry table)
    expect(jetColormap(0)).toEqual([0, 0, 0.5]);
    const [r, g, b] = jetColormap(0.5);
    expect(r).toBeCloseTo(0.49019607843137253, 12);
    expect(g).toBe(1);
    expect(b).toBeCloseTo(0.4775458570524984, 12);
    expect(jetColormap(1)).toEqual([0.5, 0, 0]);
    expect(jetColormap(-3)).toEqual([0, 0, 0.5]);
  });
});

describe('resizeBilinear', () => {
  it('aligns pixel centres like OpenCV INTER_LINEAR (2 -> 4: 0, 0.25, 0.75, 1)', () => {
    const out = resizeBilinear(Float32Array.of(0, 1, 0, 1), 2, 2, 4, 4);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(out.subarray(12, 16))).toEqual([0, 0.25, 0.75, 1]);
  });
});

describe('overlayHeatmap', () => {
  it('blends (1 - alpha) grey + alpha jet(heat), opaque RGBA (hand values)', () => {
    const grey = Uint8Array.of(100, 200);
    const out = overlayHeatmap({ data: grey, width: 2, height: 1 }, { heatmap: Float32Array.of(0, 1), width: 2, height: 1 }, { alpha: 0.5 });
    // pixel 0: heat 0 -> jet (0, 0, 0.5): (50, 50, 50 + 63.75); pixel 1: heat 1 -> (0.5, 0, 0): (100 + 63.75, 100, 100)
    expect(Array.from(out.data)).toEqual([50, 50, 114, 255, 164, 100, 100, 255]);
    const float = overlayHeatmap({ data: Float32Array.of(100 / 255, 200 / 255), width: 2, height: 1 }, { heatmap: Float32Array.of(0, 1), width: 2, height: 1 }, { alpha: 0.5 });
    expect(Array.from(float.data)).toEqual(Array.from(out.data));
  });

  it('upsamples the conv-resolution heatmap to the image size', () => {
    const out = overlayHeatmap({ data: new Uint8Array(16), width: 4, height: 4 }, { heatmap: Float32Array.of(0, 1, 0, 1), width: 2, height: 2 }, { alpha: 1 });
    // column 1 has heat 0.25 -> jet(0.25): index 64 of 256 -> x = 64/255
    const x = 64 / 255;
    const expectedG = Math.round(255 * ((x - 0.125) / 0.25));
    expect(out.data[4 * 1 + 1]).toBe(expectedG);
    expect(out.data[4 * 3]).toBe(128); // heat 1 -> red 0.5 -> 127.5 rounds to 128
  });

  it('rejects mismatched sizes and bad alpha', () => {
    expect(() => overlayHeatmap({ data: new Uint8Array(3), width: 2, height: 2 }, { heatmap: new Float32Array(1), width: 1, height: 1 })).toThrow(PredictInputError);
    expect(() => overlayHeatmap({ data: new Uint8Array(4), width: 2, height: 2 }, { heatmap: new Float32Array(1), width: 1, height: 1 }, { alpha: 2 })).toThrow(/alpha must be in \[0, 1\], got 2/);
  });
});
