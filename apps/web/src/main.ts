import './style.css';
import { prefetchModel, type WeightsVariant } from './prefetchModel';
import { prefetchTfjsWasm } from './wasmThreads';

// The page's first script is small: the downloads the model needs (its weights, the WebAssembly binary) start at
// once, while the browser fetches and compiles the rest of the page's code (TensorFlow.js, about 1 MB minified),
// instead of after it.
performance.mark('cxr:entry');
const params = new URLSearchParams(location.search);
const weights = params.get('weights');
// float32 unless asked: float16 halves the download but moved probabilities by up to 1e-3 in the bench
// (tools/bench/src/web.bench.mjs), as much as the page may differ from the Node API.
const variant: WeightsVariant | 'auto' = weights === 'float16' || weights === 'auto' ? weights : 'float32';
const modelUrl = params.get('model') ?? 'model/';
const files = variant === 'auto' ? fetch.bind(globalThis) : prefetchModel(modelUrl, variant);
const forced = params.get('backend');
if (forced !== 'webgl' && forced !== 'cpu') prefetchTfjsWasm();

// The backend starts as soon as TensorFlow.js core and its WebAssembly backend have loaded: its binary compiles
// while the rest of the page's code (tfjs-layers, the model code, the page) is still being evaluated.
const backend = import('./selectBackend').then(async ({ selectBackendFor }) => {
  performance.mark('cxr:backend-start');
  const choice = await selectBackendFor(forced);
  performance.mark('cxr:backend-end');
  return choice;
});
backend.catch(() => undefined); // reported on the page by the app, which awaits it

import('./app').then(
  (app) => app.startApp({ modelUrl, variant, files, backend }),
  (error: unknown) => {
    // The page's code did not load (a network error, a host that lost a file): say so on the page.
    const alert = document.getElementById('error');
    if (alert) {
      alert.textContent = `The page's code did not load: ${(error as Error)?.message ?? String(error)}. Reload the page.`;
      alert.hidden = false;
    }
    document.body.dataset.state = 'error';
  },
);
