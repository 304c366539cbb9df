/** The VOI LUT functions of DICOM PS3.3 C.11.2.1.2 and C.11.2.1.3. */
export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** A window to apply: center and width in modality (rescaled) units. */
export interface VoiWindow {
  center: number;
  width: number;
}

/**
 * Applies a VOI window to one modality value, giving a value in `[yMin, yMax]` (not rounded), exactly as
 * PS3.3 C.11.2.1.2.1 (LINEAR), C.11.2.1.3.2 (LINEAR_EXACT) and C.11.2.1.3.1 (SIGMOID) define it.
 * LINEAR needs `width >= 1`, the others `width > 0`.
 *
 * @example voiWindowValue(40, { center: 40, width: 400 }, 'LINEAR', 0, 255) // 127.82 (= ((40-39.5)/399 + 0.5) * 255)
 */
export function voiWindowValue(x: number, window: VoiWindow, fn: VoiLutFunction, yMin: number, yMax: number): number {
  const { center: c, width: w } = window;
  const range = yMax - yMin;
  switch (fn) {
    case 'LINEAR':
      if (x <= c - 0.5 - (w - 1) / 2) return yMin;
      if (x > c - 0.5 + (w - 1) / 2) return yMax;
      return ((x - (c - 0.5)) / (w - 1) + 0.5) * range + yMin;
    case 'LINEAR_EXACT':
      if (x <= c - w / 2) return yMin;
      if (x > c + w / 2) return yMax;
      return ((x - c) / w + 0.5) * range + yMin;
    case 'SIGMOID':
      return range / (1 + Math.exp((-4 * (x - c)) / w)) + yMin;
  }
}

/** Whether a window is usable with a function: LINEAR needs a width of at least 1, the others a positive one. */
export function isValidWindow(window: VoiWindow, fn: VoiLutFunction): boolean {
  if (!Number.isFinite(window.center) || !Number.isFinite(window.width)) return false;
  return fn === 'LINEAR' ? window.width >= 1 : window.width > 0;
}

/**
 * The window that stretches the range `[min, max]` of modality values over the whole output, as dcmtk's
 * min-max window (`dcm2pnm +Wm`) computes it: with LINEAR, `min` maps to the lowest and `max` to the highest
 * output value.
 */
export function minMaxWindow(min: number, max: number): VoiWindow {
  return { center: (min + max + 1) / 2, width: max - min + 1 };
}
