import { defineConfig, type Plugin } from 'vite';

// Cross-origin isolation (the page loads nothing from other origins); scripts/serve.mjs sends the same headers.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * The multi-threaded tfjs WebAssembly build starts each worker from the source text of its emscripten factory
 * (`factory.toString()`). That factory reads `_scriptDir`, a variable of the closure around it, as
 * `typeof _scriptDir !== "undefined" && _scriptDir`; the minifier, seeing the variable declared, folds that to
 * `_scriptDir` and renames it (`e`), and in the worker, where the closure is gone, it throws "e is not defined".
 * In a bundled ES module `_scriptDir` is always undefined (`document.currentScript` is null), so the line is
 * dropped here. Checked by the browser test, which runs the minified build with threads.
 */
function tfjsWasmThreadsMinifySafe(): Plugin {
  const line = 'if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}';
  return {
    name: 'cxr:tfjs-wasm-threads-minify-safe',
    transform(code, id) {
      if (!/tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/.test(id)) return null;
      if (!code.includes(line)) this.error(`${id}: the _scriptDir line this plugin removes is gone (tfjs-backend-wasm changed): check threads under minification`);
      return { code: code.replace(line, ''), map: null };
    },
  };
}

/**
 * The page's style sheet (3 KB) inlined into index.html: a module script runs only once the style sheets before it
 * have loaded, so the separate file held the page's first script back by one more request (the bench's page
 * load -> ready, tools/bench/src/web.bench.mjs).
 */
function inlineStyleSheet(): Plugin {
  return {
    name: 'cxr:inline-style-sheet',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = bundle['index.html'];
      if (html?.type !== 'asset') return;
      let text = String(html.source);
      for (const [file, asset] of Object.entries(bundle)) {
        if (asset.type !== 'asset' || !file.endsWith('.css')) continue;
        const link = new RegExp(`<link rel="stylesheet"[^>]*href="\\./${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`);
        const css = String(asset.source);
        if (!link.test(text) || /<\/style/i.test(css)) continue;
        text = text.replace(link, () => `<style>${css}</style>`);
        delete bundle[file];
      }
      html.source = text;
    },
  };
}

export default defineConfig({
  plugins: [tfjsWasmThreadsMinifySafe(), inlineStyleSheet()],
  // Relative asset URLs: the built dist/ works from any path (a static host's sub-folder too).
  base: './',
  resolve: { conditions: ['@cxr/source'] },
  server: { host: '127.0.0.1', headers: isolation },
  preview: { host: '127.0.0.1', headers: isolation },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      onwarn(warning, warn) {
        // The DICOM codecs (emscripten) require 'fs' and 'path' only in their Node branch: expected, not news.
        if (/externalized for browser compatibility/.test(warning.message) && /@cornerstonejs\/codec-/.test(warning.message)) return;
        warn(warning);
      },
    },
  },
});
