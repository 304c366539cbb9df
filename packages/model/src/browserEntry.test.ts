import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * The web app bundles `@cxr/model` for the browser: nothing reachable from `src/index.ts` may import a Node
 * built-in, sharp, h5wasm's Node build or onnxruntime-node. Follows every relative import (static,
 * `export ... from`, dynamic) from the entry. The built bundle is checked too when `dist/` exists (tsup's
 * `shims` once put `import { fileURLToPath } from "url"` into a chunk shared with the browser entry).
 */
const NODE_ONLY = new Set([...builtinModules, 'sharp', 'onnxruntime-node', 'h5wasm']);
const isNodeOnly = (s: string): boolean => s.startsWith('node:') || NODE_ONLY.has(s.split('/')[0] ?? s);
const SPECIFIERS = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function reachableImports(entry: string, resolve: (base: string) => string | undefined): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(SPECIFIERS)].map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter((s) => s !== '');
    seen.set(file, specifiers);
    for (const s of specifiers) {
      if (!s.startsWith('.')) continue;
      const next = resolve(path.resolve(path.dirname(file), s));
      if (next === undefined) throw new Error(`cannot resolve ${s} from ${file}`);
      queue.push(next);
    }
  }
  return seen;
}

const resolveTs = (base: string): string | undefined => [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));
const offending = (graph: Map<string, string[]>): string[] =>
  [...graph].flatMap(([file, specifiers]) => specifiers.filter(isNodeOnly).map((s) => `${path.basename(file)} -> ${s}`));

describe('the browser entry (src/index.ts)', () => {
  it('reaches no Node built-in, sharp, h5wasm or onnxruntime-node, directly or transitively', () => {
    const graph = reachableImports(path.join(__dirname, 'index.ts'), resolveTs);
    expect(offending(graph)).toEqual([]);
    expect(graph.size).toBeGreaterThan(20); // the walk did follow the entry's imports
  });

  it('the Node entry does reach them (the check can fail)', () => {
    const graph = reachableImports(path.join(__dirname, 'node.ts'), resolveTs);
    expect(offending(graph)).toEqual(expect.arrayContaining([expect.stringContaining('-> node:fs/promises'), expect.stringContaining('-> node:worker_threads')]));
  });

  const built = path.join(__dirname, '..', 'dist', 'index.mjs');
  (existsSync(built) ? it : it.skip)('the built dist/index.mjs and the chunks it imports name no Node-only module', () => {
    const graph = reachableImports(built, (base) => (existsSync(base) ? base : undefined));
    expect(offending(graph)).toEqual([]);
    // and dist/node.mjs does (the regex reads tsup's output)
    expect(offending(reachableImports(path.join(path.dirname(built), 'node.mjs'), (b) => (existsSync(b) ? b : undefined))).length).toBeGreaterThan(0);
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
