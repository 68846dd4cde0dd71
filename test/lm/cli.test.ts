import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLmServer, loadLocalModel } from '../../src/lm/index.js';
import { cli } from '../cli/helper.js';

const dir = mkdtempSync(join(tmpdir(), 'alignlab-lm-cli-'));
const out = join(dir, 'ckpt');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('alignlab lm', () => {
  it('trains a tiny model with plain progress lines, then samples and evaluates it', async () => {
    const train = await cli(
      'lm',
      'train',
      '--corpus',
      'arithmetic',
      '--out',
      out,
      '--steps',
      '4',
      '--width',
      '16',
      '--heads',
      '2',
      '--layers',
      '1',
      '--batch-size',
      '4',
    );
    expect(train.code).toBe(0);
    expect(train.err).toMatch(/step 4\/4 {2}loss \d+\.\d{4} {2}\d+ tokens\/s/);
    expect(train.out).toMatch(/on arithmetic for 4 steps .* saved/);
    const sample = await cli('lm', 'sample', out, '--prompt', '12+3=', '4+4=', '--max-tokens', '3');
    expect(sample.code).toBe(0);
    const lines = sample.out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0].startsWith('12+3=') && lines[1].startsWith('4+4=')).toBe(true);
    const evaluated = await cli('lm', 'eval', out, '--limit', '20', '--json');
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.out);
    expect(report).toMatchObject({ corpus: 'arithmetic', items: 20 });
    expect(report.calibration.map((b: { word: string }) => b.word)).toEqual(['sure', 'maybe', 'guess']);
  });

  it('samples from an OpenAI-compatible endpoint when given --base-url instead of a checkpoint', async () => {
    const { lm } = await loadLocalModel(out);
    const app = createLmServer(lm);
    const baseURL = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
    try {
      const remote = await cli(
        'lm',
        'sample',
        '--base-url',
        baseURL,
        '--model',
        'ckpt',
        '--prompt',
        '12+3=',
        '--max-tokens',
        '3',
      );
      expect(remote.code).toBe(0);
      const [local] = await lm.generate(['12+3='], { temperature: 0, maxTokens: 3 });
      expect(remote.out).toBe(`12+3=${local}\n`);
    } finally {
      await app.close();
      lm.model.dispose();
    }
  });

  it('prints corpus items with their ground truth', async () => {
    const r = await cli('lm', 'corpus', 'instructions', '--limit', '2', '--split', 'test');
    expect(
      r.out
        .trim()
        .split('\n')
        .map((l) => Object.keys(JSON.parse(l))),
    ).toEqual([
      ['prompt', 'completion', 'truth'],
      ['prompt', 'completion', 'truth'],
    ]);
  });

  it('exits 2 with one line for a bad corpus or a corrupt checkpoint', async () => {
    const bad = await cli('lm', 'train', '--corpus', 'poetry', '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(
      /--corpus: unknown corpus 'poetry' \(choose one of: arithmetic, instructions, sentiment\)/,
    );
    writeFileSync(join(out, 'model.safetensors'), 'garbage');
    const corrupt = await cli('lm', 'eval', out);
    expect(corrupt.code).toBe(2);
    expect(corrupt.err).toMatch(/model.safetensors: corrupt safetensors file: truncated/);
    expect(corrupt.err).not.toMatch(/at .*\.ts/);
  });
});

describe('alignlab lm cache', () => {
  it('shows the cache root from ALIGNLAB_CACHE, lists the seeded base model, and clears it', async () => {
    const root = join(dir, 'cache');
    const previous = process.env.ALIGNLAB_CACHE;
    process.env.ALIGNLAB_CACHE = root;
    try {
      expect((await cli('lm', 'cache')).out).toContain(`cache ${root}\n(empty`);
      const base = await cli('lm', 'base');
      expect(base.code).toBe(0);
      expect(JSON.parse(base.out).stats.addSubAccuracy).toBeGreaterThan(0.95);
      expect((await cli('lm', 'cache')).out).toMatch(
        /arithmetic-base-[0-9a-f]{16} {2}\d+ KiB {2}\(current base model\)/,
      );
      expect((await cli('lm', 'cache', '--clear')).out).toBe(`cleared 1 cached model(s) from ${root}\n`);
      expect((await cli('lm', 'cache')).out).toContain('(empty');
    } finally {
      if (previous === undefined) delete process.env.ALIGNLAB_CACHE;
      else process.env.ALIGNLAB_CACHE = previous;
    }
  });
});
