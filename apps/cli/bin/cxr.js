#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` through the root `prepare`).
let cli;
try {
  cli = require('../dist/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('cxr: the CLI is not built yet; run `npm run build` at the repository root.\n');
    process.exit(2);
  }
  throw error;
}
cli.main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 70;
  },
);
