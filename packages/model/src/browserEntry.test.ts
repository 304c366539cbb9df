import { existsSync } from 'node:fs';
import path from 'node:path';
import { nodeOnlyImports, reachableImports, resolveExisting } from '@cxr/testing';

/**
 * The web app bundles `@cxr/model` for the browser: nothing reachable from `src/index.ts` may import a Node
 * built-in, sharp, h5wasm's Node build or onnxruntime-node. Follows every relative import (static,
 * `export ... from`, dynamic) from the entry. The built bundle is checked too when `dist/` exists (tsup's
 * `shims` once put `import { fileURLToPath } from "url"` into a chunk shared with the browser entry).
 */
const offending = (graph: Map<string, string[]>): string[] => nodeOnlyImports(graph, ['sharp', 'onnxruntime-node', 'h5wasm']);

describe('the browser entry (src/index.ts)', () => {
  it('reaches no Node built-in, sharp, h5wasm or onnxruntime-node, directly or transitively', () => {
    const graph = reachableImports(path.join(__dirname, 'index.ts'));
    expect(offending(graph)).toEqual([]);
    expect(graph.size).toBeGreaterThan(20); // the walk did follow the entry's imports
  });

  it('the Node entry does reach them (the check can fail)', () => {
    const graph = reachableImports(path.join(__dirname, 'node.ts'));
    expect(offending(graph)).toEqual(expect.arrayContaining([expect.stringContaining('-> node:fs/promises'), expect.stringContaining('-> node:worker_threads')]));
  });

  const built = path.join(__dirname, '..', 'dist', 'index.mjs');
  (existsSync(built) ? it : it.skip)('the built dist/index.mjs and the chunks it imports name no Node-only module', () => {
    const graph = reachableImports(built, resolveExisting);
    expect(offending(graph)).toEqual([]);
    // and dist/node.mjs does (the regex reads tsup's output)
    expect(offending(reachableImports(path.join(path.dirname(built), 'node.mjs'), resolveExisting)).length).toBeGreaterThan(0);
  });
});

describe('the Node entry (src/node.ts)', () => {
  // node.ts lists the browser entry's names explicitly rather than `export * from './index'`: Node's ESM loader
  // cannot see the names of a CJS `export *` (tsx runs these sources as CJS), so `import { gradCam } from
  // '@cxr/model/node'` failed under tsx. This keeps the two lists from drifting apart.
  it('re-exports every value of the browser entry', async () => {
    const browser = await import('./index');
    const node = await import('./node');
    expect(Object.keys(browser).filter((name) => !(name in node))).toEqual([]);
    expect(Object.keys(node).length).toBeGreaterThan(Object.keys(browser).length);
  });
});
