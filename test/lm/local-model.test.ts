import { beforeAll, describe, expect, it } from 'vitest';
import { firstStop, LocalLanguageModel } from '../../src/lm/local-model.js';
import { CharTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend } from '../../src/nn/index.js';

let lm: LocalLanguageModel;

beforeAll(async () => {
  await initBackend();
  const tokenizer = CharTokenizer.train(['0123456789+-= abcdefghijklmnopqrstuvwxyz']);
  // An untrained model: its outputs are arbitrary but fixed, which is all these tests need.
  const model = createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 24, layers: 1, heads: 2, width: 16 },
    { seed: 1 },
  );
  lm = new LocalLanguageModel('tiny', model, tokenizer, { batchSize: 3 });
});

describe('LocalLanguageModel.generate', () => {
  it('gives each prompt the same greedy completion alone as in a batch of different lengths', async () => {
    const prompts = ['1+1=', '12+34=', 'a', '99-9=', 'hello'];
    const batched = await lm.complete(prompts, { temperature: 0, maxTokens: 6 });
    for (const [i, p] of prompts.entries()) {
      expect((await lm.complete([p], { temperature: 0, maxTokens: 6 }))[0]).toEqual(batched[i]);
    }
  });

  it('stops at maxTokens (finish "length") unless <eos> comes first, and cuts at stop strings', async () => {
    const [long] = await lm.complete(['1+1='], { temperature: 0, maxTokens: 5 });
    if (long.finishReason === 'length') expect(long.tokenCount).toBe(5);
    const [cut] = await lm.complete(['1+1='], {
      temperature: 0,
      maxTokens: 5,
      stop: [long.text.slice(2, 3) || 'x'],
    });
    expect(cut.text.length).toBeLessThanOrEqual(2);
    expect(firstStop('abcabc', ['c', 'b'])).toBe(1);
  });

  it('samples reproducibly for a seed, and top-k 1 equals greedy', async () => {
    const opts = { temperature: 1.5, maxTokens: 8, seed: 42 };
    expect(await lm.generate(['3+4='], opts)).toEqual(await lm.generate(['3+4='], opts));
    expect(await lm.generate(['3+4='], { ...opts, topK: 1 })).toEqual(
      await lm.generate(['3+4='], { temperature: 0, maxTokens: 8 }),
    );
  });
});

describe('LocalLanguageModel.logprobs', () => {
  it('returns one log-probability per token, summing to the total, the same batched or alone', async () => {
    const completions = ['7', '42 sure', 'abc'];
    const batched = await lm.logprobs('3+4=', completions);
    for (const [i, c] of completions.entries()) {
      const alone = (await lm.logprobs('3+4=', [c]))[0];
      expect(batched[i].tokens).toEqual([...c]);
      expect(batched[i].logprobs.length).toBe(c.length);
      expect(batched[i].total).toBeCloseTo(
        batched[i].logprobs.reduce((a, b) => a + b, 0),
        5,
      );
      for (let k = 0; k < c.length; k++) expect(alone.logprobs[k]).toBeCloseTo(batched[i].logprobs[k], 5);
    }
  });

  it('gives a next-token distribution that sums to one', async () => {
    const digits = [...'0123456789+-= abcdefghijklmnopqrstuvwxyz'];
    const scores = await lm.logprobs('5', digits);
    // Specials (<pad>, <bos>, <eos>, <unk>) take the rest of the mass.
    const mass = scores.reduce((s, c) => s + Math.exp(c.total), 0);
    expect(mass).toBeLessThanOrEqual(1 + 1e-5);
    expect(mass).toBeGreaterThan(0.5);
  });
});
