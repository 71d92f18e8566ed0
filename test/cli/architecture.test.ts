/**
 * The shape of src/ (issue 12): no import circles, counting `import type` and `await import()` too,
 * since a circle of either kind ties the modules together for a reader as much as for the bundler.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every module of src/ and the src/ modules it names in an import, an export-from or an import(). */
export function importGraph(root: string): Map<string, string[]> {
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)\.js'/g)].map((m) => m[1] as string);
    graph.set(
      file,
      specs.map((spec) => relative(root, resolve(dirname(join(root, file)), `${spec}.ts`))),
    );
  }
  return graph;
}

/** The circles of a graph, each as the path that closes it. */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      found.push([...path.slice(at), node]);
      return;
    }
    if (done.has(node)) {
      return;
    }
    for (const next of graph.get(node) ?? []) {
      visit(next, [...path, node]);
    }
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) {
    visit(node, []);
  }
  return found;
}

describe('src/ imports', () => {
  it('finds a circle when there is one (the check itself can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(circles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('reads every kind of import', () => {
    const graph = importGraph(SRC);
    expect(graph.get('index.ts')).toContain('cli/main.ts'); // await import()
    expect(graph.get('guide/guide.ts')).toContain('guide/methods.ts'); // import type
    expect(graph.get('cli/main.ts')).toContain('add/run.ts');
  });

  it('has no circle', () => {
    expect(circles(importGraph(SRC))).toEqual([]);
  });
});
