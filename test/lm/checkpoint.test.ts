import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../../src/lm/checkpoint.js';
import { CharTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend } from '../../src/nn/index.js';

const dir = mkdtempSync(join(tmpdir(), 'alignlab-ckpt-'));
const tokenizer = CharTokenizer.train(['0123456789+-= suremaybguess']);

beforeAll(async () => {
  await initBackend();
  const model = createTransformer(
    {
      vocabSize: tokenizer.vocabSize,
      contextLength: 12,
      layers: 1,
      heads: 2,
      width: 8,
      scalarHeads: ['value'],
    },
    { seed: 5 },
  );
  saveCheckpoint(dir, {
    model,
    tokenizer,
    config: { format: 'alignlab-lm', version: 1, model: model.config },
  });
  model.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('load back every weight bit for bit', () => {
    const original = createTransformer(
      {
        vocabSize: tokenizer.vocabSize,
        contextLength: 12,
        layers: 1,
        heads: 2,
        width: 8,
        scalarHeads: ['value'],
      },
      { seed: 5 },
    );
    const { model, tokenizer: loaded } = loadCheckpoint(dir);
    const want = original.namedWeights();
    expect([...model.namedWeights().keys()]).toEqual([...want.keys()]);
    for (const [name, v] of model.namedWeights()) expect(v.dataSync()).toEqual(want.get(name)?.dataSync());
    expect(loaded.toJSON()).toEqual(tokenizer.toJSON());
    const ids = [[1, 5, 6, 7]];
    const a = tf.tidy(() => original.forward(ids).dataSync());
    const b = tf.tidy(() => model.forward(ids).dataSync());
    expect(b).toEqual(a);
    original.dispose();
    model.dispose();
  });

  it('reports a truncated weights file by name', () => {
    const copy = mkdtempSync(join(tmpdir(), 'alignlab-ckpt-bad-'));
    for (const f of ['config.json', 'tokenizer.json'])
      writeFileSync(join(copy, f), readFileSync(join(dir, f)));
    const weights = readFileSync(join(dir, 'model.safetensors'));
    writeFileSync(join(copy, 'model.safetensors'), weights.subarray(0, weights.length - 10));
    expect(() => loadCheckpoint(copy)).toThrow(/model.safetensors: corrupt safetensors file: truncated/);
    writeFileSync(
      join(copy, 'config.json'),
      '{"format": "alignlab-lm", "version": 1, "model": {"vocabSize": 1}}',
    );
    expect(() => loadCheckpoint(copy)).toThrow(/config.json: not an alignlab-lm config: model.vocabSize/);
    writeFileSync(join(copy, 'config.json'), '{ nope');
    expect(() => loadCheckpoint(copy)).toThrow(/config.json: not valid JSON/);
    rmSync(copy, { recursive: true, force: true });
    expect(() => loadCheckpoint(join(dir, 'missing'))).toThrow(/config.json: missing/);
  });
});
