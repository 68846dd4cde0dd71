/**
 * `alignlab/envs` and `alignlab/agents` are for browser bundles too: walking every import from
 * their entry files must reach no Node built-in (`node:*`, `fs`, …), no native or server package
 * (better-sqlite3, tfjs-node, piscina, …) and no `process` global; only pure-JS packages.
 */

import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Packages that run in a browser unchanged. */
const BROWSER_SAFE_PACKAGES = new Set(['zod', 'pure-rand']);

interface ImportGraph {
  files: string[];
  packages: { name: string; from: string }[];
  usesProcess: string[];
}

function walk(entry: string): ImportGraph {
  const files = new Set<string>();
  const packages: ImportGraph['packages'] = [];
  const usesProcess: string[] = [];
  const stack = [resolve(ROOT, entry)];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g),
      ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
      ...text.matchAll(/^import\s+['"]([^'"]+)['"]/gm),
    ].map((m) => m[1]);
    for (const spec of specifiers) {
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
      else packages.push({ name: spec, from: relative(ROOT, file) });
    }
    // Code only: a comment may mention process.env.
    const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    if (/\bprocess\s*\./.test(code)) usesProcess.push(relative(ROOT, file));
  }
  return { files: [...files], packages, usesProcess };
}

const isNodeBuiltin = (name: string) =>
  name.startsWith('node:') || builtinModules.includes(name.split('/')[0]);

describe.each(['src/envs/public.ts', 'src/agents/index.ts'])('%s', (entry) => {
  const graph = walk(entry);

  it('imports no Node built-in', () => {
    expect(graph.packages.filter((p) => isNodeBuiltin(p.name))).toEqual([]);
  });

  it('imports only browser-safe packages', () => {
    expect(graph.packages.filter((p) => !BROWSER_SAFE_PACKAGES.has(p.name))).toEqual([]);
  });

  it('does not touch the process global', () => {
    expect(graph.usesProcess).toEqual([]);
  });

  it('reaches the worlds or the agents, not the Node parts (walked more than its entry)', () => {
    // A walk that stopped at the entry file would pass the checks above vacuously.
    expect(graph.files.length).toBeGreaterThan(5);
    expect(graph.files.some((f) => /\/(lab|lm|nn|align|cli)\//.test(f))).toBe(false);
  });
});
