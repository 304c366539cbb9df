import { describeImage, gradCam, predict, type CxrModel, type GradCamResult, type GreyImage, type Prediction } from '@cxr/model';
import { fitToSpec, preprocessPixels, resizeImage, toGrey, type RawPixels } from '@cxr/preprocess';

/** Everything the page shows about one image. NOT FOR CLINICAL USE. */
export interface Analysis {
  prediction: Prediction;
  /** Milliseconds of `predict` (forward pass and read-back), and of preprocessing and Grad-CAM apart. */
  inferenceMs: number;
  preprocessMs: number;
  gradCamMs: number;
  cam: GradCamResult;
  /** The grey image the heatmap is drawn over, in [0, 1]. */
  view: GreyImage;
  /** True when `view` is the model's own input grid (crop/letterbox/border crop) rather than the whole image. */
  viewIsModelInput: boolean;
}

/** Longest side of the displayed image: enough for a screen, small enough to blend at slider speed. */
export const VIEW_MAX_SIDE = 768;

/**
 * Runs the model on decoded pixels exactly as training prepared images (the `preprocessing` spec saved in
 * `cxr.json`), explains the predicted class with Grad-CAM, and prepares the grey view for the overlay.
 * When the spec stretches the whole image onto the model grid, the heatmap maps onto the whole image and
 * the view keeps the image's aspect ratio; otherwise the view is what the model saw.
 */
export async function analyzeImage(cxr: CxrModel, pixels: RawPixels): Promise<Analysis> {
  const spec = cxr.config.preprocessing;
  const t0 = performance.now();
  const input = preprocessPixels(pixels, spec);
  const t1 = performance.now();
  // size and grey levels for the out-of-distribution check, from the grey image as Node measures it
  const facts = describeImage(pixels.channels === 1 ? pixels : toGrey(pixels));
  const [prediction] = await predict(cxr, input, { images: [facts] });
  const t2 = performance.now();
  // a refused image (decision null) is explained for its most probable class
  const explained = prediction.decision ?? cxr.config.classes.reduce((a, b) => (prediction.probabilities[b] > prediction.probabilities[a] ? b : a));
  const cam = await gradCam(cxr, input, { classIndex: cxr.config.classes.indexOf(explained) });
  const t3 = performance.now();

  const grey = pixels.channels === 1 ? pixels : toGrey(pixels);
  const wholeImage = spec.resizeMode === 'stretch' && !spec.cropBorder;
  let view: GreyImage;
  if (wholeImage) {
    const scale = Math.min(1, VIEW_MAX_SIDE / Math.max(pixels.width, pixels.height));
    const width = Math.max(1, Math.round(pixels.width * scale));
    const height = Math.max(1, Math.round(pixels.height * scale));
    const valueScale = grey.data instanceof Float32Array ? 1 : grey.data instanceof Uint16Array ? 1 / 65535 : 1 / 255;
    view = resizeImage(grey, { width, height, mode: 'stretch', valueScale }).image;
  } else {
    view = fitToSpec(grey, { ...spec, clahe: null }).image;
  }
  return { prediction, inferenceMs: t2 - t1, preprocessMs: t1 - t0, gradCamMs: t3 - t2, cam, view, viewIsModelInput: !wholeImage };
}
