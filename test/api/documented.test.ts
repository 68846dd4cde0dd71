/**
 * Every symbol the package exports (from 'alignlab', 'alignlab/envs' and 'alignlab/agents')
 * carries a doc comment, which TypeDoc's reference (`npm run docs`) shows as its summary.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENTRIES = ['src/index.ts', 'src/envs/public.ts', 'src/agents/index.ts'];
const root = new URL('../..', import.meta.url);
const program = ts.createProgram(
  ENTRIES.map((e) => new URL(e, root).pathname),
  { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true },
);
const checker = program.getTypeChecker();

function undocumentedExports(entry: string): string[] {
  const source = program.getSourceFile(new URL(entry, root).pathname);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${entry}: not a module`);
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const documented =
      symbol.getDocumentationComment(checker).length > 0 ||
      (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
    if (!documented) {
      const file = symbol.declarations?.[0]?.getSourceFile().fileName.replace(root.pathname, '') ?? '?';
      missing.push(`${exported.name} (${file})`);
    }
  }
  return missing.sort();
}

describe.each(ENTRIES)('exports of %s', (entry) => {
  it('each has a doc comment', () => {
    expect(undocumentedExports(entry)).toEqual([]);
  });
});
