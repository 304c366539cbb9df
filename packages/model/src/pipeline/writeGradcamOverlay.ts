import { RADIOGRAPH_GEOMETRY } from '@cxr/preprocess/node';
import { gradCam, type GradCamResult } from '../explain/gradCam';
import { writeOverlayPng } from '../explain/writeOverlayPng';
import { type CxrModel } from '../io/modelConfig';
import { readModelInput, type ModelInputImage } from '../predict/readModelInput';

/**
 * Grad-CAM of `classIndex` (default: the model's positive class; for an argmax model, the predicted class) on one image file (PNG, JPEG or DICOM), blended over the grey image at
 * the model's input size and written as a PNG. Returns the heatmap facts. Give the image already read with
 * `readModelInput` (the model's spec) to avoid decoding the file again.
 */
export async function writeGradcamOverlay(
  cxr: CxrModel,
  image: string | ModelInputImage,
  outPng: string,
  classIndex?: number,
): Promise<Pick<GradCamResult, 'layerName' | 'width' | 'height' | 'probabilities'>> {
  const { input, grey } = typeof image === 'string' ? await readModelInput(image, cxr.config.preprocessing, { geometry: RADIOGRAPH_GEOMETRY }) : image;
  const positive = cxr.config.positiveClass;
  const cam = await gradCam(cxr, input, { classIndex: classIndex ?? (positive === null ? undefined : cxr.config.classes.indexOf(positive)) });
  await writeOverlayPng(outPng, { data: grey.data, width: grey.width, height: grey.height }, cam);
  return { layerName: cam.layerName, width: cam.width, height: cam.height, probabilities: cam.probabilities };
}
