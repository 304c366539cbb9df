import { defineConfig } from 'vite';

// Cross-origin isolation (the page loads nothing from other origins); scripts/serve.mjs sends the same headers.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
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
