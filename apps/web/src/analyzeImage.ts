import { describeImage, gradCam, overlayHeatmap, predict, type CxrModel, type GradCamResult, type GreyImage, type ImageFacts, type Prediction } from '@cxr/model';
import { fitToSpec, preprocessPixels, previewImage, toGrey, type RawPixels } from '@cxr/preprocess';
import { greyToRgba } from './greyToRgba';

/** An image made ready for the model, and the grey view the heatmap is drawn over. NOT FOR CLINICAL USE. */
export interface PreparedImage {
  /** The model input (the `preprocessing` spec of `cxr.json`, as in training). */
  input: Float32Array;
  /** The decoded image in grey, in [0, 1] (or 8-bit for DICOM): what the view is made from. */
  grey: RawPixels;
  /**
   * The grey image the heatmap is drawn over, in [0, 1]; null until {@link addView} (the page shows the
   * probabilities first and makes the view after).
   */
  view: GreyImage | null;
  /** True when `view` is the model's own input grid (crop/letterbox/border crop) rather than the whole image. */
  viewIsModelInput: boolean;
  /** Size and grey levels, for `predict`'s out-of-distribution check (measured as Node measures them). */
  facts: ImageFacts;
  /** Milliseconds of the model input and image facts, and of the view apart. */
  preprocessMs: number;
  viewMs: number;
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
 * `cxr.json`), with the image facts `predict` checks. The view comes apart, from {@link addView}.
 */
export function prepareImage(cxr: CxrModel, pixels: RawPixels): PreparedImage {
  const spec = cxr.config.preprocessing;
  const t0 = performance.now();
  // One grey conversion for the model input, the facts and the view.
  const grey = pixels.channels === 1 ? pixels : toGrey(pixels);
  const input = preprocessPixels(grey, spec);
  const wholeImage = spec.resizeMode === 'stretch' && !spec.cropBorder && !spec.lungCrop;
  return { input, grey, view: null, viewIsModelInput: !wholeImage, facts: describeImage(grey), preprocessMs: performance.now() - t0, viewMs: 0 };
}

/**
 * Adds the grey view for the overlay. When the spec stretches the whole image onto the model grid, the heatmap
 * maps onto the whole image and the view keeps the image's aspect ratio (`previewImage`); otherwise the view is
 * what the model saw (`fitToSpec`).
 */
export function addView<T extends PreparedImage>(cxr: CxrModel, prepared: T): T {
  const t0 = performance.now();
  const spec = cxr.config.preprocessing;
  const { grey } = prepared;
  const view = prepared.viewIsModelInput ? fitToSpec(grey, { ...spec, clahe: null }).image : previewImage(grey, { maxSide: VIEW_MAX_SIDE });
  return { ...prepared, view, viewMs: performance.now() - t0 };
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
 * Runs once, on a synthetic grey radiograph of a typical size (1024x1024 RGBA, as a PNG decodes), what a chosen
 * file goes through: `prepareImage`, `predict` and `gradCam`, and the two ways the page draws the view. The
 * backend compiles and caches its kernels (WebGL shaders, XNNPACK operators) and the JavaScript engine optimises
 * the pixel loops (resize, grey conversion, drawing) while the user is still choosing a file: in the bench the
 * first file's preprocessing took several times its later cost without this. Leaves no tensors behind. Returns
 * its duration in milliseconds, and false in `complete` where a waiting file stopped it.
 */
export async function warmUp(cxr: CxrModel, options: WarmUpOptions = {}): Promise<{ ms: number; complete: boolean }> {
  const t0 = performance.now();
  // Between steps the page handles its events; a file chosen meanwhile stops the warm-up (it warms what it runs).
  const go = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    return !options.stop?.();
  };
  if (!(await go())) return { ms: performance.now() - t0, complete: false };
  const side = 1024;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0, i = 0; y < side; y++) {
    for (let x = 0; x < side; x++, i += 4) {
      const v = (x ^ y) & 255;
      data[i] = v;
      data[i + 1] = v;
      data[i + 2] = v;
      data[i + 3] = 255;
    }
  }
  const prepared = addView(cxr, prepareImage(cxr, { data, width: side, height: side, channels: 4 }));
  if (prepared.view) greyToRgba(prepared.view);
  if (!(await go())) return { ms: performance.now() - t0, complete: false };
  const classified = await classifyImage(cxr, prepared);
  if (!(await go())) return { ms: performance.now() - t0, complete: false };
  const explained = await explainImage(cxr, classified);
  if (explained.cam && prepared.view) overlayHeatmap(prepared.view, explained.cam, { alpha: 0.4 });
  return { ms: performance.now() - t0, complete: true };
}

/** Options of {@link warmUp}. */
export interface WarmUpOptions {
  /** Asked between steps: true stops the warm-up there (a file is waiting). */
  stop?: () => boolean;
}
