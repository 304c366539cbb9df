import path from 'node:path';
import { nodeOnlyImports, reachableImports } from '@cxr/testing';

/**
 * The web app bundles `@cxr/preprocess` for the browser: nothing reachable from `src/index.ts` may import a Node
 * built-in or sharp. Follows every relative import (static, `export ... from`, dynamic) from the entry.
 */
describe('the browser entry (src/index.ts)', () => {
  it('reaches no Node built-in and no sharp, directly or transitively', () => {
    const graph = reachableImports(path.join(__dirname, 'index.ts'));
    expect(nodeOnlyImports(graph)).toEqual([]);
    expect(graph.size).toBeGreaterThan(10); // the walk did follow the entry's imports
  });

  it('the Node entry does reach them (the check can fail)', () => {
    const graph = reachableImports(path.join(__dirname, 'node.ts'));
    // sharp directly; the file system through @cxr/dataset/node (batches resolves record paths with resolveInside)
    expect([...graph.values()].flat()).toEqual(expect.arrayContaining(['sharp', '@cxr/dataset/node']));
  });
});
