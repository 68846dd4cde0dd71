import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparisonFromCritique, loadConstitution, parseConstitution } from '../../src/cai/constitution.js';
import { renderExamples } from '../../src/cai/prompts.js';
import { UserInputError } from '../../src/core/errors.js';

const error = (f: () => unknown): UserInputError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserInputError);
    return e as UserInputError;
  }
  throw new Error('no error');
};

describe('constitutions as data', () => {
  it('reads the shipped default (alignlab layout, YAML): four principles with all three prompts', () => {
    const c = loadConstitution('data/constitutions/default.yaml');
    expect(c.format).toBe('alignlab');
    expect(c.principles.map((p) => p.name)).toEqual([
      'harmlessness',
      'honesty',
      'helpfulness',
      'non-evasiveness',
    ]);
    for (const p of c.principles) {
      expect(p.critique.length).toBeGreaterThan(20);
      expect(p.revision.length).toBeGreaterThan(20);
      expect(p.comparison).toMatch(/\?$/);
    }
  });

  it('reads the Hugging Face CAI recipe layout (JSON): critic → critique, a comparison written from it, system_chat as examples', () => {
    const c = loadConstitution('data/constitutions/hf-example.json');
    expect(c.format).toBe('hf');
    expect(c.principles).toHaveLength(2);
    expect(c.principles[0].comparison).toBe(comparisonFromCritique(c.principles[0].critique));
    expect(c.examples).toHaveLength(1);
    const text = renderExamples(c.examples);
    expect(text).toMatch(
      /^Human: .*\n\nAssistant: .*\n\nCritiqueRequest: .*\n\nCritique: .*\n\nRevisionRequest: .*\n\nRevision: /s,
    );
  });

  it('names file and line of a YAML syntax error', () => {
    const e = error(() => parseConstitution('c.yaml', 'principles:\n  - name: a\n    critique: [unclosed\n'));
    expect(e.message).toMatch(/^c\.yaml:\d+:\d+: /);
  });

  it('names file, line and field of a schema error', () => {
    const e = error(() =>
      parseConstitution(
        'c.yaml',
        'principles:\n  - name: a\n    critique: x\n    revision: y\n    comparison: 3\n',
      ),
    );
    expect(e.message).toMatch(/^c\.yaml:5: field 'principles\.0\.comparison' must be a string, got number/);
    const missing = error(() =>
      parseConstitution('c.json', '{\n  "constitutions": [\n    {"critic": "x"}\n  ]\n}'),
    );
    expect(missing.message).toMatch(/^c\.json:3: missing field 'constitutions\.0\.revision'/);
    const unknown = error(() =>
      parseConstitution(
        'c.yaml',
        'principles:\n  - name: a\n    critique: x\n    revision: y\n    comparison: z\n    critic: w\n',
      ),
    );
    expect(unknown.message).toMatch(/^c\.yaml:2: unknown field 'critic'/);
  });

  it('rejects a file of neither layout, a repeated principle name, and a missing file', () => {
    expect(error(() => parseConstitution('c.json', '{"rules": []}')).message).toMatch(
      /principles.*constitutions/,
    );
    const twice =
      'principles:\n  - {name: a, critique: x, revision: y, comparison: z}\n  - {name: a, critique: x, revision: y, comparison: z}\n';
    expect(error(() => parseConstitution('c.yaml', twice)).message).toMatch(
      /^c\.yaml:3: principle name 'a' appears twice/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'cai-'));
    expect(error(() => loadConstitution(join(dir, 'none.yaml'))).message).toMatch(/none\.yaml: cannot read/);
    writeFileSync(join(dir, 'list.json'), '[1, 2]');
    expect(error(() => loadConstitution(join(dir, 'list.json'))).exitCode).toBe(2);
  });
});
