import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helper.js';

const dir = () => mkdtempSync(join(tmpdir(), 'alignlab-prefs-'));

describe('alignlab prefs', () => {
  it('generate → stats → export → import round trip', async () => {
    const d = dir();
    const file = join(d, 'prefs.jsonl');
    const gen = await cli(
      'prefs',
      'generate',
      '--count',
      '40',
      '--seed',
      '3',
      '--confidence-bias',
      '2',
      '--out',
      file,
    );
    expect(gen.code).toBe(0);
    expect(gen.out).toMatch(
      /^wrote .*prefs\.jsonl: 40 pairs from 'arithmetic' \(0 ties skipped, \d+ repeats skipped\); rater agreement with the truth \d+\.\d%\n$/,
    );
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(40);

    const stats = await cli('prefs', 'stats', file, '--json');
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.out)).toMatchObject({ count: 40, duplicates: 0, withTruth: 40 });

    const conv = join(d, 'conv.jsonl');
    expect(
      (await cli('prefs', 'export', file, '--format', 'conversational', '--training-view', '--out', conv))
        .code,
    ).toBe(0);
    const first = JSON.parse(readFileSync(conv, 'utf8').split('\n')[0]);
    expect(Object.keys(first)).toEqual(['prompt', 'chosen', 'rejected']);
    expect(first.chosen[0].role).toBe('assistant');

    const imported = await cli('prefs', 'import', conv);
    expect(imported.out).toBe(`${conv}: 40 pairs, conversational format, 0 with truth\n`);
  });

  it('generate to stdout is the same for the same seed; the summary goes to stderr', async () => {
    const a = await cli('prefs', 'generate', '--count', '5', '--seed', '9', '--no-truth');
    const b = await cli('prefs', 'generate', '--count', '5', '--seed', '9', '--no-truth');
    expect(a.out).toBe(b.out);
    expect(a.out.split('\n')[0]).not.toContain('truth');
    expect(a.err).toContain('5 pairs');
  });

  it('reads a rater panel from YAML', async () => {
    const d = dir();
    const config = join(d, 'panel.yaml');
    writeFileSync(config, 'panel:\n  - beta: inf\n  - beta: 2\n    confidenceBias: 1\n  - beta: .inf\n');
    const r = await cli('prefs', 'generate', '--count', '20', '--rater-config', config);
    expect(r.code).toBe(0);
    expect(r.err).toContain('20 pairs');
  });

  it('bad input: one line naming the file, line and field, exit code 2', async () => {
    const d = dir();
    const bad = join(d, 'bad.jsonl');
    writeFileSync(bad, '{"prompt":"p","chosen":"a","rejected":"b"}\n{"prompt":"p","chosen":"a"}\n');
    const r = await cli('prefs', 'stats', bad);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`alignlab: ${bad}:2: missing field 'rejected'\n`);

    const missing = await cli('prefs', 'import', join(d, 'nope.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read file (ENOENT)');

    const format = await cli('prefs', 'export', bad, '--format', 'chatml');
    expect(format.err).toBe(
      "alignlab: --format: unknown format 'chatml' (choose one of: standard, conversational)\n",
    );

    const source = await cli('prefs', 'generate', '--source', 'poetry');
    expect(source.err).toBe(
      "alignlab: --source: unknown pair source 'poetry' (choose one of: arithmetic, lm-arithmetic)\n",
    );

    const beta = await cli('prefs', 'generate', '--beta', '-1');
    expect(beta.err).toBe("alignlab: --beta: '-1' is not a number in [0, ∞)\n");

    const config = join(d, 'rater.yaml');
    writeFileSync(config, 'beta: 2\nconfidence: 1\n');
    const cfg = await cli('prefs', 'generate', '--rater-config', config);
    expect(cfg.code).toBe(2);
    expect(cfg.err).toMatch(
      /rater\.yaml: top level: Unrecognized key: "confidence" \(a rater has beta, confidenceBias/,
    );
    writeFileSync(config, 'panel:\n  - beta: x\n');
    const panel = await cli('prefs', 'generate', '--rater-config', config);
    expect(panel.err).toMatch(/rater\.yaml: panel\.0\.beta: /);
  });
});
