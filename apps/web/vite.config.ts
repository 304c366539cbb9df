import { defineConfig } from 'vite';

export default defineConfig({
  resolve: { conditions: ['@cxr/source'] },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
