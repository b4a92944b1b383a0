// No import cycles in src/ (issue #17): between files (type-only imports included: they still tie two
// modules' meanings together) and between stage folders. Reads the sources; no build needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const SRC = 'src';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.ts$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Relative module specifiers a file imports or re-exports (static and dynamic), resolved to src paths. */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|(?:^|[\s;])import\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.endsWith('.ts')) out.push(normalize(join(dirname(file), spec)));
  }
  return out;
}

/** Strongly connected components with more than one node (or a self-loop): the cycles. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

const fileGraph = new Map<string, string[]>();
for (const f of sources(SRC)) fileGraph.set(f, importsOf(f, readFileSync(f, 'utf8')));

/** The stage (top folder under src/) of a file; root files are their own stage. */
const stageOf = (f: string) => relative(SRC, f).split(/[\\/]/)[0];

test('findCycles finds a two-file cycle and a self-import, and nothing in a chain', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['a', 'c']],
    ['c', ['d']],
    ['d', []],
    ['e', ['e']],
  ]);
  assert.deepEqual(findCycles(g), [['a', 'b'], ['e']]);
  assert.deepEqual(
    findCycles(
      new Map([
        ['x', ['y']],
        ['y', []],
      ]),
    ),
    [],
  );
});

test('the import reader sees import, import type, export … from, side-effect and dynamic imports', () => {
  const text = [
    "import { a } from './a.ts';",
    "import type { B } from '../rig/b.ts';",
    "export { c } from './c.ts';",
    "import './d.ts';",
    "const e = await import('./e.ts');",
    "import lips from '../../spec/lips-v1.json' with { type: 'json' };",
  ].join('\n');
  assert.deepEqual(importsOf('src/models/x.ts', text), [
    'src/models/a.ts',
    'src/rig/b.ts',
    'src/models/c.ts',
    'src/models/d.ts',
    'src/models/e.ts',
  ]);
});

test('src/ has no import cycle between files', () => {
  assert.ok(fileGraph.size > 100, `read ${fileGraph.size} files`);
  for (const [f, deps] of fileGraph)
    for (const d of deps) assert.ok(fileGraph.has(d), `${f} imports missing ${d}`);
  assert.deepEqual(findCycles(fileGraph), []);
});

test('src/ has no import cycle between stage folders', () => {
  const stages = new Map<string, Set<string>>();
  for (const [f, deps] of fileGraph) {
    const s = stageOf(f);
    if (!stages.has(s)) stages.set(s, new Set());
    for (const d of deps) if (stageOf(d) !== s) stages.get(s)!.add(stageOf(d));
  }
  const graph = new Map([...stages].map(([s, deps]) => [s, [...deps]]));
  assert.deepEqual(findCycles(graph), []);
});
