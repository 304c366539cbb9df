import { headPool, sourceBalancedIndices } from './trainArm';

describe('headPool', () => {
  it("is Keras' AveragePooling2D(4x4, valid) on a 7x7 map: the mean of the top-left 4x4 cells per channel", () => {
    // channel 0 = row index, channel 1 = column index: the top-left 4x4 block averages 1.5 in both.
    const f = new Float32Array(7 * 7 * 2);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) f.set([y, x], (y * 7 + x) * 2);
    const { data, shape } = headPool(f, [7, 7, 2], 4);
    expect(shape).toEqual([1, 1, 2]);
    expect(Array.from(data)).toEqual([1.5, 1.5]);
    // 8x8 with pool 4: 2x2 outputs; the bottom-right one averages rows/cols 4..7 = 5.5.
    const g = new Float32Array(8 * 8);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) g[y * 8 + x] = y;
    expect(Array.from(headPool(g, [8, 8, 1], 4).data)).toEqual([1.5, 1.5, 5.5, 5.5]);
  });
});

describe('sourceBalancedIndices', () => {
  it('brings every source x label cell up to the largest, keeping every original sample', () => {
    const cells = ['cc|covid', 'cc|covid', 'cc|covid', 'cc|covid', 'cc|normal', 'nih|normal', 'nih|normal'];
    const idx = sourceBalancedIndices(cells, 1);
    const count = (c: string) => idx.filter((i) => cells[i] === c).length;
    expect([count('cc|covid'), count('cc|normal'), count('nih|normal')]).toEqual([4, 4, 4]);
    for (let i = 0; i < cells.length; i++) expect(idx).toContain(i);
    expect(idx.filter((i) => i === 4)).toHaveLength(4); // the lone cc normal is repeated 4 times
  });
});
