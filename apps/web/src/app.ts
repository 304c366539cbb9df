import * as tf from '@tensorflow/tfjs-core';
import './registerFastZeros';
import { NO_DECISION, overlayHeatmap, type GreyImage } from '@cxr/model';
import { addView, classifyImage, explainImage, explainedClass, prepareImage, warmUp, type Analysis } from './analyzeImage';
import { greyToRgba } from './greyToRgba';
import { decodeImageFile } from './decodeImageFile';
import { errorMessage } from './errorMessage';
import { openLocalModel, openServedModel, type OpenedModel, type WeightsVariant } from './openModel';
import type { BackendChoice } from './selectBackend';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let backend: BackendChoice | null = null;
let current: OpenedModel | null = null;
let shown: { analysis: Analysis; fileName: string; description: string } | null = null;
/** Work on the model, one job at a time: the kernel warm-up, then each chosen file in turn. */
let queue: Promise<void> = Promise.resolve();
function enqueue(job: () => Promise<void>): Promise<void> {
  queue = queue.then(job, job);
  return queue;
}

function setState(state: 'loading' | 'ready' | 'busy' | 'done' | 'error' | 'no-model'): void {
  document.body.dataset.state = state;
}

function showError(error: unknown): void {
  const alert = $('error');
  alert.textContent = errorMessage(error);
  alert.hidden = false;
  setState('error');
}

function clearError(): void {
  $('error').hidden = true;
  $('error').textContent = '';
}

function fact(list: HTMLElement, name: string, value: string): void {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dd.dataset.fact = name;
  list.append(dt, dd);
}

/** The model's decision rule in words, as `cxr.json` states it. */
function decisionRule(config: OpenedModel['cxr']['config']): string {
  const { positiveClass, threshold } = config as { positiveClass?: string | null; threshold?: number | null };
  if (positiveClass && typeof threshold === 'number') {
    const others = config.classes.length > 2 ? ', else the most probable other class' : '';
    return `${positiveClass} if p ≥ ${threshold}${others}`;
  }
  return 'the most probable class (argmax)';
}

/** Resolves after the browser has painted what the page changed (so the numbers show before Grad-CAM runs). */
function painted(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Warms the backend's kernels on the loaded model while the user chooses a file (body `data-warm`: running, done, stopped by a file, failed; `data-warm-ms`). */
function startWarmUp(): void {
  const opened = current;
  if (!opened) return;
  document.body.dataset.warm = 'running';
  // After the page has painted "ready": the warm-up's first steps run without a break.
  void enqueue(() =>
    painted().then(() => warmUp(opened.cxr, { stop: () => waitingFiles > 0 })).then(
      ({ ms, complete }) => {
        document.body.dataset.warmMs = String(ms);
        document.body.dataset.warm = complete ? 'done' : 'stopped';
      },
      (error: unknown) => {
        // A failed warm-up is not the user's problem: the first image then pays the compile time.
        console.warn('warm-up failed', error);
        document.body.dataset.warm = 'failed';
      },
    ),
  );
}

function showModel(): void {
  const list = $('model-info');
  list.replaceChildren();
  if (!current) {
    fact(list, 'model', 'none loaded: choose a model folder');
    return;
  }
  const { config } = current.cxr;
  const spec = config.preprocessing;
  fact(list, 'source', current.source);
  fact(list, 'backbone', config.backbone.name);
  fact(list, 'classes', config.classes.join(', '));
  fact(list, 'decision', decisionRule(config));
  fact(list, 'input', `${spec.width}x${spec.height}x${spec.channels}, ${spec.resizeMode}, ${spec.normalization}${spec.lungCrop ? ', lung-field crop' : ''}${spec.clahe ? ', CLAHE' : ''}${spec.cropBorder ? ', border crop' : ''}`);
  fact(list, 'weights', `${current.variant}, ${(current.bytes / 1024 / 1024).toFixed(1)} MiB`);
  fact(list, 'backend', backend?.label ?? '?');
  if (backend) fact(list, 'why', backend.reason);
  const warning = dataWarning(config);
  if (warning) fact(list, 'warning', warning);
  $('model-status').textContent = `Model ready on ${backend?.label ?? '?'}`;
}

function draw(): void {
  if (!shown) return;
  const { analysis } = shown;
  const canvas = $<HTMLCanvasElement>('view');
  const { view, cam } = analysis;
  if (!view) {
    // The view is made just after the probabilities are shown: no picture of another file meanwhile.
    canvas.width = 0;
    canvas.height = 0;
    canvas.dataset.cam = 'pending';
    return;
  }
  canvas.width = view.width;
  canvas.height = view.height;
  const on = $<HTMLInputElement>('overlay-toggle').checked;
  const alpha = on ? Number($<HTMLInputElement>('alpha').value) / 100 : 0;
  // Until Grad-CAM is ready the image is drawn alone (the same pixels as overlayHeatmap at alpha 0, without
  // resizing and colouring a blank heatmap: this draw is on the way to the probabilities).
  const rgba = cam ? overlayHeatmap(view as GreyImage, cam, { alpha }) : greyToRgba(view as GreyImage);
  canvas.getContext('2d')?.putImageData(new ImageData(rgba.data as Uint8ClampedArray<ArrayBuffer>, rgba.width, rgba.height), 0, 0);
  canvas.dataset.overlay = on && cam ? 'on' : 'off';
  canvas.dataset.cam = cam ? 'shown' : 'pending';
  $('alpha-value').textContent = `${Math.round(alpha * 100)}%`;
}

/** `cxr.json`'s data-design warning (a model trained on a confounded design), or null. */
function dataWarning(config: OpenedModel['cxr']['config']): string | null {
  return config.dataDesign?.warning ?? null;
}

/** How the decision was reached, in one sentence. */
function decisionSentence(config: OpenedModel['cxr']['config'], prediction: Analysis['prediction']): string {
  const { positiveClass } = config as { positiveClass?: string | null };
  const { threshold } = prediction as { threshold?: number | null };
  if (positiveClass && typeof threshold === 'number') return `Decision at threshold ${threshold} on p(${positiveClass}).`;
  return 'Decision: the most probable class.';
}

function showAnalysis(): void {
  if (!shown || !current) return;
  const { analysis, description } = shown;
  const { config } = current.cxr;
  const { prediction } = analysis;
  $('result').hidden = false;
  $('placeholder').hidden = true;
  const { cam } = analysis;
  $('image-info').textContent =
    `${shown.fileName}: ${description}. ` +
    (cam
      ? `Grad-CAM of "${explainedClass(current.cxr, prediction)}" at layer ${cam.layerName} (${cam.width}x${cam.height})`
      : `Grad-CAM of "${explainedClass(current.cxr, prediction)}": computing…`) +
    (analysis.viewIsModelInput ? ', shown on the model’s input view.' : '.');

  // Wherever the model's results are shown, so is its data-design warning.
  const warning = dataWarning(config);
  $('data-warning').textContent = warning ?? '';
  $('data-warning').hidden = !warning;

  const decision = $('decision');
  decision.replaceChildren();
  decision.dataset.decision = prediction.decision ?? 'none';
  const strong = document.createElement('strong');
  strong.textContent = prediction.decision ?? NO_DECISION;
  const small = document.createElement('small');
  small.textContent =
    prediction.decision === null
      ? `Why: ${prediction.inputCheck?.reasons.join('; ')}. Not a diagnosis.`
      : `${decisionSentence(config, prediction)} Not a diagnosis.`;
  decision.append('Model output: ', strong, small);

  const list = $('probabilities');
  list.replaceChildren();
  for (const name of config.classes) {
    const p = prediction.probabilities[name];
    const row = document.createElement('div');
    row.className = `prob${name === config.positiveClass ? ' positive' : ''}`;
    row.dataset.class = name;
    row.dataset.probability = String(p);
    const label = document.createElement('div');
    label.className = 'label';
    const n = document.createElement('span');
    n.textContent = name;
    const v = document.createElement('span');
    v.className = 'value';
    v.textContent = `${(p * 100).toFixed(1)}%`;
    label.append(n, v);
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', `probability of ${name}`);
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '1');
    bar.setAttribute('aria-valuenow', String(p));
    const fill = document.createElement('div');
    fill.className = 'fill';
    fill.style.width = `${(p * 100).toFixed(2)}%`;
    bar.append(fill);
    if (name === config.positiveClass) {
      const mark = document.createElement('div');
      mark.className = 'threshold';
      mark.style.left = `${prediction.threshold * 100}%`;
      mark.title = `threshold ${prediction.threshold}`;
      bar.append(mark);
    }
    row.append(label, bar);
    list.append(row);
  }
  const timing = $('timing');
  timing.dataset.inferenceMs = String(analysis.inferenceMs);
  timing.dataset.backend = backend?.backend ?? '';
  timing.textContent =
    `Inference ${analysis.inferenceMs.toFixed(0)} ms on ${backend?.label ?? '?'} ` +
    `(preprocessing ${(analysis.preprocessMs + analysis.viewMs).toFixed(0)} ms, Grad-CAM ${cam ? `${analysis.gradCamMs.toFixed(0)} ms` : 'running'}).`;
  draw();
}

/** Files chosen and not yet being analysed: the warm-up gives way to them. */
let waitingFiles = 0;

function handleImage(file: File): Promise<void> {
  waitingFiles++;
  return enqueue(() => {
    waitingFiles--;
    return analyse(file);
  });
}

async function analyse(file: File): Promise<void> {
  clearError();
  if (!current) {
    showError(new Error('No model is loaded: choose a model folder first.'));
    return;
  }
  setState('busy');
  // A result stays on screen only beside the file it belongs to.
  shown = null;
  $('result').hidden = true;
  $('placeholder').hidden = false;
  $('model-status').textContent = `Analysing ${file.name}…`;
  const { cxr } = current;
  try {
    performance.mark('cxr:file-start');
    const decoded = await decodeImageFile(file, file.name);
    performance.mark('cxr:decoded');
    const prepared = prepareImage(cxr, decoded.pixels);
    performance.mark('cxr:prepared');
    const classified = await classifyImage(cxr, prepared);
    performance.mark('cxr:classified');
    // The numbers first: they are the answer.
    shown = { analysis: classified, fileName: file.name, description: decoded.description };
    showAnalysis();
    performance.mark('cxr:shown');
    await painted();
    performance.mark('cxr:painted');
    // Then the picture, then Grad-CAM (it runs the backbone again, with gradients for the head).
    const viewed = addView(cxr, classified);
    shown = { ...shown, analysis: viewed };
    showAnalysis();
    await painted();
    const explained = await explainImage(cxr, viewed);
    shown = { ...shown, analysis: explained };
    document.body.dataset.analyses = String(Number(document.body.dataset.analyses ?? 0) + 1);
    showAnalysis();
    // Read by the browser test: the count must not grow from one image to the next (no tensor leaks).
    document.body.dataset.numTensors = String(tf.memory().numTensors);
    $('model-status').textContent = `Model ready on ${backend?.label ?? '?'}`;
    setState('done');
  } catch (error) {
    $('model-status').textContent = `Model ready on ${backend?.label ?? '?'}`;
    showError(error);
  }
}

async function handleModelFolder(files: File[]): Promise<void> {
  clearError();
  setState('loading');
  $('model-status').textContent = 'Loading the model…';
  try {
    const opened = await openLocalModel(files);
    await queue; // nothing may still run on the model it replaces
    current?.cxr.model.dispose();
    current = opened;
    shown = null;
    $('result').hidden = true;
    $('placeholder').hidden = false;
    showModel();
    setState('ready');
    startWarmUp();
  } catch (error) {
    showModel();
    showError(error);
  }
}

/** What the page's first script (main.ts) read from the URL and started downloading. */
export interface StartOptions {
  modelUrl: string;
  variant: WeightsVariant | 'auto';
  /** Answers the model's URLs from the download started by main.ts ({@link prefetchModel}). */
  files: typeof fetch;
  /** The backend main.ts started (`selectBackendFor` of `?backend=`). */
  backend: Promise<BackendChoice>;
}

async function start({ modelUrl, variant, files, backend: choice }: StartOptions): Promise<void> {
  try {
    performance.mark('cxr:app-start');
    backend = await choice;
    const [started] = performance.getEntriesByName('cxr:backend-start');
    document.body.dataset.backendMs = String(performance.now() - (started?.startTime ?? 0));
    $('model-status').textContent = `Loading the model on ${backend.label}…`;
    const t1 = performance.now();
    performance.mark('cxr:model-start');
    current = await openServedModel(modelUrl, variant, files);
    performance.mark('cxr:model-end');
    // Read by tools/bench (web.bench.mjs): load time (after the backend started) and bytes as the page saw them.
    document.body.dataset.modelLoadMs = String(performance.now() - t1);
    document.body.dataset.modelBytes = String(current?.bytes ?? 0);
    showModel();
    if (current) {
      setState('ready');
      startWarmUp();
    } else {
      $('model-status').textContent = 'No model served: choose a model folder';
      setState('no-model');
    }
  } catch (error) {
    showModel();
    showError(error);
  }
}

function wire(): void {
  const input = $<HTMLInputElement>('image-input');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) void handleImage(file);
  });
  const drop = $('drop');
  window.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  window.addEventListener('dragleave', () => drop.classList.remove('over'));
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void handleImage(file);
  });
  const modelInput = $<HTMLInputElement>('model-input');
  modelInput.addEventListener('change', () => {
    const files = Array.from(modelInput.files ?? []);
    modelInput.value = '';
    if (files.length) void handleModelFolder(files);
  });
  $('overlay-toggle').addEventListener('change', draw);
  $('alpha').addEventListener('input', draw);
}

// Anything that escapes a handler (a slider redraw, a lost promise) reaches the page too, not only the console.
window.addEventListener('error', (e) => showError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showError(e.reason));
/** Starts the page (called by main.ts once this module has loaded). */
export function startApp(options: StartOptions): void {
  wire();
  void start(options);
}
