import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * Test helper shared by the packages' browser-entry tests: the web app bundles the browser entries, so nothing
 * reachable from a package's `src/index.ts` (or its built `dist/index.mjs`) may import a Node-only module.
 */

const SPECIFIERS = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Resolves a relative import of TypeScript sources (`./x` -> `./x.ts` or `./x/index.ts`). */
export const resolveTs = (base: string): string | undefined => [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));

/** Resolves a relative import of built files, which name their targets exactly. */
export const resolveExisting = (base: string): string | undefined => (existsSync(base) ? base : undefined);

/**
 * Every file reachable from `entry` through relative imports (static, `export ... from`, side-effect and dynamic),
 * with the specifiers each file imports.
 */
export function reachableImports(entry: string, resolve: (base: string) => string | undefined = resolveTs): Map<string, string[]> {
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

/** `file -> specifier` for each import of a Node built-in or of one of `nodeOnlyPackages` in the graph. */
export function nodeOnlyImports(graph: Map<string, string[]>, nodeOnlyPackages: readonly string[] = ['sharp']): string[] {
  const nodeOnly = new Set([...builtinModules, ...nodeOnlyPackages]);
  const isNodeOnly = (s: string): boolean => s.startsWith('node:') || nodeOnly.has(s.split('/')[0] ?? s);
  return [...graph].flatMap(([file, specifiers]) => specifiers.filter(isNodeOnly).map((s) => `${path.basename(file)} -> ${s}`));
}
