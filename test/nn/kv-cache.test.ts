// Decoding with cached keys and values equals running the whole sequence: the logits to float
// tolerance, and greedy samples token for token (rollouts and LocalLanguageModel).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { LocalLanguageModel } from '../../src/lm/local-model.js';
import { sampleRollouts } from '../../src/lm/rollout.js';
import { CharTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend, type Transformer } from '../../src/nn/index.js';

const tokenizer = CharTokenizer.train(['0123456789+-= abcdefghijklmnopqrstuvwxyz']);
let model: Transformer;

beforeAll(async () => {
  await initBackend();
  model = createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 24, layers: 2, heads: 2, width: 16 },
    { seed: 5 },
  );
  // A sharper head than GPT-2's init (logit std ~8 instead of ~0.1), so greedy choices are
  // decided by margins far above float rounding, on any BLAS kernel.
  const head = model.namedWeights().get('lm_head.weight') as tf.Variable;
  head.assign(tf.mul(head, 100));
});

describe('KV cache', () => {
  it('gives the logits of a full forward pass at every decoded position (rows of different lengths)', () => {
    const sequences = [
      [1, 5, 6, 7, 8, 9, 10, 11],
      [1, 12, 13, 14, 15, 16],
      [1, 20, 21, 22, 23, 24, 25, 26, 27, 28],
    ];
    const prompts = [3, 2, 6].map((n, b) => sequences[b].slice(0, n));
    const { cache, logits } = model.prefill(prompts);
    const expected = (b: number, length: number) =>
      tf.tidy(() =>
        model
          .forward([sequences[b].slice(0, length)])
          .slice([0, length - 1, 0], [1, 1, -1])
          .dataSync(),
      );
    let worst = 0;
    const compare = (got: Float32Array[], lengths: number[]) =>
      cache.rows.forEach((b, k) => {
        const want = expected(b, lengths[k]);
        for (let v = 0; v < want.length; v++) worst = Math.max(worst, Math.abs(got[k][v] - want[v]));
      });
    compare(logits, [3, 2, 6]);
    for (let step = 0; step < 4; step++) {
      if (step === 2) cache.retain([0, 2]); // a row that stopped leaves the batch
      const fed = cache.rows.map((b, k) => sequences[b][cache.promptLengths[k] + step]);
      const next = model.decode(cache, fed);
      compare(
        next,
        cache.rows.map((_, k) => cache.promptLengths[k] + step + 1),
      );
    }
    cache.dispose();
    // Logits are O(10) here; float32 rounding in different matmul shapes stays near 1e-5.
    expect(worst).toBeLessThan(1e-3);
  });

  it('samples the same greedy rollouts as the uncached path', () => {
    const prompts = ['1+1=', '12+34=', 'a', '99-9=', 'hello world'];
    const run = (kvCache: boolean) =>
      sampleRollouts(model, tokenizer, prompts, {
        maxNewTokens: 10,
        temperature: 0,
        rng: new Rng(3),
        kvCache,
      });
    const cached = run(true);
    expect(cached.rows).toEqual(run(false).rows);
    expect(cached.completions.some((c) => c.length > 0)).toBe(true);
  });

  it('stops at the context length as the uncached path does', () => {
    const prompts = ['abcdefghijklmnopqrst', 'abcdefghijklmnopqrstuvw'];
    const run = (kvCache: boolean) =>
      sampleRollouts(model, tokenizer, prompts, {
        maxNewTokens: 10,
        temperature: 0,
        rng: new Rng(3),
        kvCache,
      });
    expect(run(true).rows).toEqual(run(false).rows);
  });

  it('gives LocalLanguageModel the same greedy completions as the uncached path', async () => {
    const prompts = ['1+1=', '12+34=', 'a', '99-9=', 'hello'];
    const options = { temperature: 0, maxTokens: 8 };
    const cached = await new LocalLanguageModel('kv', model, tokenizer).complete(prompts, options);
    const plain = await new LocalLanguageModel('plain', model, tokenizer, { kvCache: false }).complete(
      prompts,
      options,
    );
    expect(cached).toEqual(plain);
  });
});
