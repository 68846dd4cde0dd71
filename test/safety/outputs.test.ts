// `--out` never destroys (issue 12, findings 2 and 4): a foreign file in the output folder, a
// file in the way, trailing slashes and `.`, and file outputs that land on a folder.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/lm/checkpoint.js';
import { cli } from '../cli/helper.js';
import { saveFixture, tinyModel } from './fixtures.js';

/** Every file under `dir` with its bytes, for byte-identical comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    out[name] = statSync(path).isDirectory() ? '<dir>' : readFileSync(path).toString('base64');
  }
  return out;
}

const root = mkdtempSync(join(tmpdir(), 'alignlab-out-'));
let policy: string;
const pairs = join(root, 'pairs.jsonl');
const dpo = (out: string, ...more: string[]) =>
  cli('dpo', '--model', policy, '--data', pairs, '--out', out, '--steps', '1', '--batch-size', '2', ...more);

beforeAll(async () => {
  const lm = await tinyModel();
  policy = saveFixture(lm, 'policy');
  lm.model.dispose();
  writeFileSync(
    pairs,
    [
      { prompt: '1+1=', chosen: '2', rejected: '3' },
      { prompt: '2+2=', chosen: '4', rejected: '5' },
    ]
      .map((p) => JSON.stringify(p))
      .join('\n'),
  );
});

describe('--out never deletes what it did not write', () => {
  it('dpo --out D with a foreign file in D exits 2 and D is byte-identical afterwards', async () => {
    const d = join(root, 'foreign');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'notes.txt'), 'my thesis\n');
    writeFileSync(join(d, 'sub', 'data.bin'), Buffer.from([0, 1, 2, 255]));
    const before = snapshot(d);
    const r = await dpo(d);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/--out: .* holds files alignlab did not write \(notes\.txt, sub\).*--force/);
    expect(snapshot(d)).toEqual(before);
  });

  it('--force writes into that folder and keeps the foreign files byte for byte', async () => {
    const d = join(root, 'forced');
    mkdirSync(d);
    writeFileSync(join(d, 'notes.txt'), 'keep me\n');
    const r = await dpo(d, '--force');
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, 'notes.txt'), 'utf8')).toBe('keep me\n');
    loadCheckpoint(d).model.dispose();
  });

  it('a file in the way of --out is exit 2 and the file is untouched', async () => {
    const f = join(root, 'a-file');
    writeFileSync(f, 'precious');
    const r = await dpo(f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out: .*a-file is a file; choose a folder/);
    expect(readFileSync(f, 'utf8')).toBe('precious');
  });

  it('a trailing slash works, the same command may write there again, another command may not', async () => {
    const d = join(root, 'slash');
    expect((await dpo(`${d}/`)).code).toBe(0);
    expect((await dpo(`${d}/`)).code).toBe(0); // its own previous output
    expect(readdirSync(d).filter((n) => n.includes('tmp') || n.includes('old'))).toEqual([]);
    const other = await cli('lm', 'train', '--out', d, '--steps', '1');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/was written by `alignlab dpo`/);
    loadCheckpoint(d).model.dispose();
  });

  it('--out . writes into the current (empty) folder', async () => {
    const d = join(root, 'dot');
    mkdirSync(d);
    const cwd = process.cwd();
    process.chdir(d);
    try {
      expect((await dpo('.')).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(d).sort()).toEqual(
      ['.alignlab-output.json', 'config.json', 'metrics.jsonl', 'model.safetensors', 'tokenizer.json'].sort(),
    );
  });

  it('lm train --out <existing file> is exit 2 before any training (10M steps would not finish)', async () => {
    const f = join(root, 'ckpt-file');
    writeFileSync(f, 'x');
    const r = await cli('lm', 'train', '--out', f, '--steps', '10000000');
    expect(r.code).toBe(2);
    expect(readFileSync(f, 'utf8')).toBe('x');
  });
});

describe('data outputs that land on a folder of other files (--out is a folder: it must be new, empty or ours)', () => {
  it('prefs generate --out <folder of other files> is exit 2 in one line', async () => {
    const r = await cli('prefs', 'generate', '--count', '5', '--out', root);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^alignlab: --out: .* holds files alignlab did not write .*--force.*\n$/);
  });

  it('runs export --out <folder of other files> and report --out <file> are exit 2 in one line', async () => {
    const db = join(root, 'lab.db');
    const exported = await cli('runs', 'export', '--out', `${root}/`, '--db', db);
    expect(exported.code).toBe(2);
    expect(exported.err).toMatch(/holds files alignlab did not write/);
    const f = join(root, 'report-file');
    writeFileSync(f, 'r');
    const report = await cli('report', '1', '--out', f, '--db', db);
    expect(report.code).toBe(2);
    expect(report.err).toMatch(/report-file is a file; choose a folder/);
  });
});
