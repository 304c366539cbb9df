import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One name, one meaning, across the whole workspace: a value exported by two packages must be the same object
 * (a re-export), and a type name may be declared by one package only. Each package's `node` entry is its browser
 * entry plus Node-only parts: it re-exports every browser name as the same object (the convention of all three
 * `node` entries; they list the names rather than `export *`, which tsx cannot see through in CJS).
 */
const PACKAGES_DIR = path.resolve(__dirname, '../../../packages');

/** Every entry of every package, loaded from its TypeScript sources (the `@cxr/source` condition). */
async function loadEntries(): Promise<Map<string, Record<string, unknown>>> {
  return new Map<string, Record<string, unknown>>([
    ['@cxr/metrics', await import('@cxr/metrics')],
    ['@cxr/dataset', await import('@cxr/dataset')],
    ['@cxr/dataset/node', await import('@cxr/dataset/node')],
    ['@cxr/dataset/synthetic', await import('@cxr/dataset/synthetic')],
    ['@cxr/preprocess', await import('@cxr/preprocess')],
    ['@cxr/preprocess/node', await import('@cxr/preprocess/node')],
    ['@cxr/model', await import('@cxr/model')],
    ['@cxr/model/node', await import('@cxr/model/node')],
    ['@cxr/report', await import('@cxr/report')],
  ]);
}

const packageOf = (entry: string): string => entry.replace(/\/(node|synthetic)$/, '');

/** The exported names of a module namespace, without the CommonJS interop keys jest's ESM loader adds. */
const namesOf = (exports: Record<string, unknown>): string[] =>
  Object.keys(exports).filter((n) => n !== 'default' && n !== '__esModule' && n !== 'module.exports');

/** Values exported by more than one package that are not the same object: `name: pkgA, pkgB`. */
function clashingValues(entries: Map<string, Record<string, unknown>>): string[] {
  const owners = new Map<string, { pkg: string; value: unknown }[]>();
  for (const [entry, exports] of entries) {
    for (const name of namesOf(exports)) {
      const value = exports[name];
      const list = owners.get(name) ?? [];
      if (!list.some((o) => o.pkg === packageOf(entry))) list.push({ pkg: packageOf(entry), value });
      owners.set(name, list);
    }
  }
  const out: string[] = [];
  for (const [name, list] of owners) {
    if (list.length > 1 && list.some((o) => o.value !== list[0].value)) out.push(`${name}: ${list.map((o) => o.pkg).join(', ')}`);
  }
  return out.sort();
}

/** Type names each package's entries export (`export type { A, B } from './x'`), except re-exports of another package. */
function exportedTypeNames(pkg: string): Set<string> {
  const names = new Set<string>();
  for (const file of ['index.ts', 'node.ts', 'synthetic.ts']) {
    let text: string;
    try {
      text = readFileSync(path.join(PACKAGES_DIR, pkg, 'src', file), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/export type \{([^}]*)\} from '([^']+)'/g)) {
      if (m[2].startsWith('@cxr/')) continue; // a re-export: the same type
      for (const n of m[1].split(',')) if (n.trim() !== '') names.add(n.trim().split(/\s+as\s+/).pop() as string);
    }
    for (const m of text.matchAll(/^export (?:interface|type) (\w+)/gm)) names.add(m[1]);
  }
  return names;
}

describe('exported names across the packages', () => {
  it('no value is exported by two packages unless it is the same object', async () => {
    const entries = await loadEntries();
    expect(clashingValues(entries)).toEqual([]);
    // the check sees the packages' whole faces (and can fail: see the next test)
    expect(namesOf(entries.get('@cxr/model/node') ?? {}).length).toBeGreaterThan(50);
  });

  it('the check fails on a name with two meanings and passes a re-export', () => {
    const shared = {};
    const entries = new Map<string, Record<string, unknown>>([
      ['@cxr/a', { createRng: () => 1, same: shared }],
      ['@cxr/b/node', { createRng: () => 2, same: shared }],
    ]);
    expect(clashingValues(entries)).toEqual(['createRng: @cxr/a, @cxr/b']);
  });

  it('no type name is declared by two packages', () => {
    const seen = new Map<string, string[]>();
    for (const pkg of ['metrics', 'dataset', 'preprocess', 'model', 'report']) {
      for (const name of exportedTypeNames(pkg)) seen.set(name, [...(seen.get(name) ?? []), pkg]);
    }
    const twice = [...seen].filter(([, pkgs]) => pkgs.length > 1).map(([name, pkgs]) => `${name}: ${pkgs.join(', ')}`);
    expect(twice).toEqual([]);
    expect(seen.size).toBeGreaterThan(100); // the source scan found the type exports
  });

  it.each(['@cxr/dataset', '@cxr/preprocess', '@cxr/model'])('%s/node re-exports every value of its browser entry, as the same object', async (pkg) => {
    const entries = await loadEntries();
    const browser = entries.get(pkg) ?? {};
    const node = entries.get(`${pkg}/node`) ?? {};
    expect(namesOf(browser).filter((name) => node[name] !== browser[name])).toEqual([]);
    expect(namesOf(node).length).toBeGreaterThan(namesOf(browser).length);
  });
});
