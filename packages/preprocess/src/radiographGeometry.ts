import { ImageGeometryError } from './errors';

/** Bounds on the size of an image that can be a chest radiograph. */
export interface RadiographGeometry {
  /** Shortest side, in pixels. */
  minSide: number;
  /** Longest side divided by shortest side. */
  maxAspectRatio: number;
}

/**
 * The bounds the toolkit applies before a prediction. Real chest radiographs, including the small figure crops of
 * covid-chestxray, are 156 px or more on their short side and at most 2.3:1 (shared data: 351 images, 1:1 to
 * 2.23:1); detectors are 1:1 to 1.25:1. 64 px and 3:1 leave room for those while refusing a damaged header
 * (440x1, 60000x1).
 */
export const RADIOGRAPH_GEOMETRY: Readonly<RadiographGeometry> = Object.freeze({ minSide: 64, maxAspectRatio: 3 });

/**
 * Throws when `width x height` cannot be a chest radiograph (see {@link RADIOGRAPH_GEOMETRY}). The one place this
 * rule lives: `decodeImage` applies it from the header (option `geometry`), DICOM readers call it after decoding.
 *
 * @throws {ImageGeometryError} naming the file, the size and the rule that failed
 * @example checkRadiographGeometry(dicom.width, dicom.height, 'scan.dcm');
 */
export function checkRadiographGeometry(
  width: number,
  height: number,
  file: string,
  limits: Readonly<RadiographGeometry> = RADIOGRAPH_GEOMETRY,
): void {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  if (!(short >= limits.minSide)) {
    throw new ImageGeometryError(file, width, height, 'minSide', `its shorter side is ${short} px, under the minimum of ${limits.minSide} px`);
  }
  const ratio = long / short;
  if (!(ratio <= limits.maxAspectRatio)) {
    throw new ImageGeometryError(
      file,
      width,
      height,
      'maxAspectRatio',
      `its aspect ratio ${ratio.toFixed(2)}:1 is over the maximum of ${limits.maxAspectRatio}:1`,
    );
  }
}
