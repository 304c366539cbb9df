import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeDicom } from '@cxr/dataset';
import {
  checkRadiographGeometry,
  decodeImage,
  fitToSpec,
  toModelInput,
  type FloatImage,
  type PreprocessSpec,
  type RadiographGeometry,
} from '@cxr/preprocess/node';
import { describeImage, type ImageFacts } from '../ood/inputDistribution';

/** An image ready for the model, and its grey picture at the model's size (for Grad-CAM overlays). */
export interface ModelInputImage {
  /** `height x width x channels` floats, normalised with the spec. */
  input: Float32Array;
  /** Grey values in [0, 1] at the spec's size. */
  grey: FloatImage;
  format: 'dicom' | 'image';
  /** Size and grey levels of the decoded image, for the out-of-distribution checks (`checkInput`). */
  facts: ImageFacts;
}

/**
 * True when the file is DICOM: a `.dcm` name, or the `DICM` magic at byte 128. A file that cannot be opened is not
 * called DICOM here: the image decoder then reports it with its own typed error naming the file.
 */
export async function isDicomFile(file: string): Promise<boolean> {
  if (path.extname(file).toLowerCase() === '.dcm') return true;
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 128);
    return bytesRead === 4 && buf.toString('latin1') === 'DICM';
  } finally {
    await handle.close();
  }
}

/**
 * Reads one PNG, JPEG or DICOM file and preprocesses it with a model's spec: DICOM through `decodeDicom` (Modality
 * and VOI LUTs, MONOCHROME1 inverted) then the same pixel pipeline as the browser (`fitToSpec` + `toModelInput`),
 * other images through sharp (`preprocessGreyImage`). Errors are the packages' typed errors naming the file.
 * This is the one file -> model input function of the Node side: `predictFiles`, `extractFileFeatures`, the pipeline
 * (train, evaluate, predict, Grad-CAM) all read images through it, so a DICOM is read the same way everywhere.
 * With `geometry` (prediction passes `RADIOGRAPH_GEOMETRY`), a size that cannot be a chest radiograph is refused
 * (`ImageGeometryError`), never classified: from the header for PNG/JPEG, after decoding for DICOM.
 *
 * @example const { input } = await readModelInput('scan.dcm', cxr.config.preprocessing, { geometry: RADIOGRAPH_GEOMETRY });
 */
export async function readModelInput(
  file: string,
  spec: PreprocessSpec,
  options: { geometry?: Readonly<RadiographGeometry> } = {},
): Promise<ModelInputImage> {
  const { geometry } = options;
  if (await isDicomFile(file)) {
    const dicom = await decodeDicom(new Uint8Array(await readFile(file)), { fileName: file });
    if (geometry) checkRadiographGeometry(dicom.width, dicom.height, file, geometry);
    const pixels = { data: dicom.pixels, width: dicom.width, height: dicom.height, channels: 1 as const };
    const { image } = fitToSpec(pixels, spec);
    return { input: toModelInput(image, spec), grey: image, format: 'dicom', facts: describeImage(pixels) };
  }
  // decodeImage + fitToSpec is preprocessGreyImage's exact path, keeping the decoded pixels for describeImage;
  // with `geometry`, an implausible size is refused from the header, before decoding
  const { pixels } = await decodeImage(file, { geometry });
  const { image } = fitToSpec(pixels, spec);
  return { input: toModelInput(image, spec), grey: image, format: 'image', facts: describeImage(pixels) };
}
