import { describeImage, gradCam, predict, type CxrModel, type GradCamResult, type GreyImage, type ImageFacts, type Prediction } from '@cxr/model';
import { fitToSpec, preprocessPixels, previewImage, toGrey, type RawPixels } from '@cxr/preprocess';

/** An image made ready for the model, and the grey view the heatmap is drawn over. NOT FOR CLINICAL USE. */
export interface PreparedImage {
  /** The model input (the `preprocessing` spec of `cxr.json`, as in training). */
  input: Float32Array;
  /** The grey image the heatmap is drawn over, in [0, 1]. */
  view: GreyImage;
  /** True when `view` is the model's own input grid (crop/letterbox/border crop) rather than the whole image. */
  viewIsModelInput: boolean;
  /** Size and grey levels, for `predict`'s out-of-distribution check (measured as Node measures them). */
  facts: ImageFacts;
  preprocessMs: number;
}

/** Everything the page shows about one image. NOT FOR CLINICAL USE. */
export interface Analysis extends PreparedImage {
  prediction: Prediction;
  /** Milliseconds of `predict` (forward pass and read-back), and of Grad-CAM apart. */
  inferenceMs: number;
  /** Null until Grad-CAM has run (the probabilities are shown first). */
  cam: GradCamResult | null;
  gradCamMs: number;
}

/** Longest side of the displayed image: enough for a screen, small enough to blend at slider speed. */
export const VIEW_MAX_SIDE = 768;

/**
 * Prepares decoded pixels exactly as training prepared images (`preprocessPixels` with the spec saved in
 * `cxr.json`) and the grey view for the overlay. When the spec stretches the whole image onto the model grid,
 * the heatmap maps onto the whole image and the view keeps the image's aspect ratio (`previewImage`);
 * otherwise the view is what the model saw (`fitToSpec`).
 */
export function prepareImage(cxr: CxrModel, pixels: RawPixels): PreparedImage {
  const spec = cxr.config.preprocessing;
  const t0 = performance.now();
  // One grey conversion for both the model input and the view.
  const grey = pixels.channels === 1 ? pixels : toGrey(pixels);
  const input = preprocessPixels(grey, spec);
  const wholeImage = spec.resizeMode === 'stretch' && !spec.cropBorder;
  const view = wholeImage ? previewImage(grey, { maxSide: VIEW_MAX_SIDE }) : fitToSpec(grey, { ...spec, clahe: null }).image;
  return { input, view, viewIsModelInput: !wholeImage, facts: describeImage(grey), preprocessMs: performance.now() - t0 };
}

/** `predict` of `@cxr/model` on a prepared image (the same call as in Node). */
export async function classifyImage(cxr: CxrModel, prepared: PreparedImage): Promise<Analysis> {
  const t0 = performance.now();
  const [prediction] = await predict(cxr, prepared.input, { images: [prepared.facts] });
  return { ...prepared, prediction, inferenceMs: performance.now() - t0, cam: null, gradCamMs: 0 };
}

/** `gradCam` of `@cxr/model` for the decided class (a refused image: its most probable class); fills `analysis.cam`. */
export async function explainImage(cxr: CxrModel, analysis: Analysis): Promise<Analysis> {
  const t0 = performance.now();
  const cam = await gradCam(cxr, analysis.input, { classIndex: cxr.config.classes.indexOf(explainedClass(cxr, analysis.prediction)) });
  return { ...analysis, cam, gradCamMs: performance.now() - t0 };
}

/** The class Grad-CAM explains: the decision, or for a refused image (decision null) the most probable class. */
export function explainedClass(cxr: CxrModel, prediction: Prediction): string {
  return prediction.decision ?? cxr.config.classes.reduce((a, b) => (prediction.probabilities[b] > prediction.probabilities[a] ? b : a));
}

/**
 * Runs `predict` and `gradCam` once on a blank input of the model's size, so that the backend compiles and
 * caches its kernels (WebGL shaders, XNNPACK operators) while the user is still choosing a file.
 * Leaves no tensors behind. Returns its duration in milliseconds.
 */
export async function warmUp(cxr: CxrModel): Promise<number> {
  const spec = cxr.config.preprocessing;
  const t0 = performance.now();
  const blank = new Float32Array(spec.width * spec.height * spec.channels);
  const [prediction] = await predict(cxr, blank);
  await gradCam(cxr, blank, { classIndex: cxr.config.classes.indexOf(explainedClass(cxr, prediction)) });
  return performance.now() - t0;
}
