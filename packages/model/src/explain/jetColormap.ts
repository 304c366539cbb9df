// matplotlib's 'jet' segment data: (x, y0, y1) break points per channel (_cm.py, _jet_data).
const JET: Record<'r' | 'g' | 'b', [number, number][]> = {
  r: [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]],
  g: [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]],
  b: [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]],
};

function segment(points: [number, number][], x: number): number {
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i];
    if (x <= x1) {
      const [x0, y0] = points[i - 1];
      return y0 + ((x - x0) / (x1 - x0)) * (y1 - y0);
    }
  }
  return points[points.length - 1][1];
}

/** matplotlib's 256-entry jet lookup table, RGB floats in [0, 1]. */
const LUT: [number, number, number][] = Array.from({ length: 256 }, (_, i) => {
  const x = i / 255;
  return [segment(JET.r, x), segment(JET.g, x), segment(JET.b, x)];
});

/**
 * The 'jet' colour of `value` in [0, 1] as matplotlib's `cm.jet(value)` gives it (256-entry table,
 * index `floor(value * 256)` clipped to 255): RGB floats in [0, 1]. Blue (0) -> cyan -> yellow -> red (1).
 *
 * @example jetColormap(0.5) // [0.4902, 1, 0.4775]
 */
export function jetColormap(value: number): [number, number, number] {
  const v = Number.isNaN(value) ? 0 : value;
  const i = Math.min(255, Math.max(0, Math.floor(v * 256)));
  return LUT[i];
}
