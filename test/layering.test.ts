/**
 * The layers of src/ (../shared/DESIGN.md): a module imports only from its own folder and the
 * folders below it, and no files form an import cycle.
 *   core ← evals ← plots;  core ← envs ← agents;  core ← nn ← lm ← feedback ← align;
 *   all of those ← experiments ← lab ← cli, web
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** The top-level folders each folder may import from (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  evals: ['core'],
  plots: ['core', 'evals'],
  envs: ['core'],
  nn: ['core'],
  agents: ['core', 'evals', 'envs', 'nn'],
  lm: ['core', 'evals', 'nn'],
  interp: ['core', 'evals', 'nn', 'lm'],
  feedback: ['core', 'evals', 'envs', 'nn', 'lm'],
  align: ['core', 'evals', 'envs', 'agents', 'nn', 'lm', 'feedback'],
  harness: ['core', 'evals', 'envs', 'nn', 'lm', 'feedback'],
  cai: ['core', 'evals', 'nn', 'lm', 'feedback'],
  oversight: ['core', 'evals', 'nn', 'lm'],
  experiments: [
    'core',
    'evals',
    'plots',
    'envs',
    'agents',
    'nn',
    'lm',
    'interp',
    'feedback',
    'align',
    'oversight',
    'cai',
  ],
  lab: [
    'core',
    'evals',
    'plots',
    'envs',
    'agents',
    'nn',
    'lm',
    'feedback',
    'align',
    'experiments',
    'harness',
    'cai',
  ],
  cli: [
    'core',
    'evals',
    'plots',
    'envs',
    'agents',
    'nn',
    'lm',
    'interp',
    'feedback',
    'align',
    'experiments',
    'lab',
    'web',
    'harness',
    'oversight',
    'cai',
  ],
  web: [
    'core',
    'evals',
    'plots',
    'envs',
    'agents',
    'nn',
    'lm',
    'feedback',
    'align',
    'experiments',
    'lab',
    'harness',
    'cai',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static, dynamic and `export … from`), resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g),
    ...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g),
    ...text.matchAll(/^import\s+'(\.[^']+)'/gm),
  ].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0];

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => i.startsWith(SRC))]));

describe('layering', () => {
  it('knows every top-level folder of src/', () => {
    const folders = [...new Set(files.map(folderOf))].filter((f) => !f.endsWith('.ts'));
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  it('imports only from the same layer or below', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      if (from.endsWith('.ts')) continue; // src/index.ts: the public API may import anything
      for (const target of imports) {
        const to = folderOf(target);
        if (to !== from && !(ALLOWED[from] ?? []).includes(to)) {
          violations.push(
            `${relative(SRC, file)} imports ${relative(SRC, target)} (${from} may not use ${to})`,
          );
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycles between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
