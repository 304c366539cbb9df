import { createRequire } from 'node:module';

/** Versions of the cxr packages in use (from their package.json), for `cxr.json`. Unknown ones are left out. */
export function packageVersions(): Record<string, string> {
  // Resolved from this package (ESM and CJS alike: tsup shims import.meta.url in the CJS build).
  const requireHere = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of ['@cxr/dataset', '@cxr/preprocess', '@cxr/model', '@cxr/metrics']) {
    try {
      out[name] = String((requireHere(`${name}/package.json`) as { version: string }).version);
    } catch {
      // not resolvable from here (e.g. bundled differently): leave it out rather than guess
    }
  }
  return out;
}
