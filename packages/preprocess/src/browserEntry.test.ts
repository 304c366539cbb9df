import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * The web app bundles `@cxr/preprocess` for the browser: nothing reachable from `src/index.ts` may import a Node
 * built-in or sharp. Follows every relative import (static, `export ... from`, dynamic) from the entry.
 */
const NODE_ONLY = new Set([...builtinModules, 'sharp']);

function reachableImports(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)]
      .map((m) => m[1] ?? m[2] ?? '')
      .filter((s) => s !== '');
    seen.set(file, specifiers);
    for (const s of specifiers) {
      if (!s.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), s);
      const next = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));
      if (next === undefined) throw new Error(`cannot resolve ${s} from ${file}`);
      queue.push(next);
    }
  }
  return seen;
}

describe('the browser entry (src/index.ts)', () => {
  it('reaches no Node built-in and no sharp, directly or transitively', () => {
    const graph = reachableImports(path.join(__dirname, 'index.ts'));
    const offending = [...graph].flatMap(([file, specifiers]) =>
      specifiers.filter((s) => s.startsWith('node:') || NODE_ONLY.has(s.split('/')[0] ?? s)).map((s) => `${path.relative(__dirname, file)} -> ${s}`),
    );
    expect(offending).toEqual([]);
    expect(graph.size).toBeGreaterThan(10); // the walk did follow the entry's imports
  });

  it('the Node entry does reach them (the check can fail)', () => {
    const graph = reachableImports(path.join(__dirname, 'node.ts'));
    expect([...graph.values()].flat()).toEqual(expect.arrayContaining(['sharp', 'node:fs']));
  });
});
