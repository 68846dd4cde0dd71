import { beforeAll, describe, expect, it } from 'vitest';
import { LocalLanguageModel } from '../../src/lm/local-model.js';
import { completeStepwise } from '../../src/lm/stepwise.js';
import { CharTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend } from '../../src/nn/index.js';

let lm: LocalLanguageModel;

beforeAll(async () => {
  await initBackend();
  const tokenizer = CharTokenizer.train(['0123456789+-= abcdefghijklmnopqrstuvwxyz']);
  // An untrained model: arbitrary but fixed outputs, all these tests need.
  const model = createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 24, layers: 1, heads: 2, width: 16 },
    { seed: 1 },
  );
  lm = new LocalLanguageModel('tiny', model, tokenizer, { batchSize: 3 });
});

describe('completeStepwise', () => {
  const prompts = ['1+1=', '12+34=', 'a', '99-9=', 'hello'];

  it('samples the same tokens as complete, with the KV cache and with a sliding window, in any batch size', async () => {
    for (const maxTokens of [6, 30]) {
      // 30 new tokens do not fit the context of 24: every step runs the whole window.
      const options = { temperature: 1.2, maxTokens, seed: 7 };
      const expected = await lm.complete(prompts, options);
      expect(await completeStepwise(lm, prompts, { ...options, batchSize: 2 })).toEqual(expected);
      expect(await completeStepwise(lm, prompts, options)).toEqual(expected);
    }
  });

  it("streams each row's growing text, numbered across batches, and ends with its completion", async () => {
    const seen = new Map<number, string[]>();
    const done = new Map<number, unknown>();
    const out = await completeStepwise(lm, prompts, {
      temperature: 0,
      maxTokens: 4,
      batchSize: 2,
      onText: (row, text, completion) => {
        seen.set(row, [...(seen.get(row) ?? []), text]);
        if (completion) done.set(row, completion);
      },
    });
    for (const [row, completion] of out.entries()) {
      expect(done.get(row)).toEqual(completion);
      expect(seen.get(row)?.at(-1)).toBe(completion.text);
    }
  });

  it('stops with the abort reason once its signal aborts', async () => {
    const controller = new AbortController();
    const run = completeStepwise(lm, prompts, {
      maxTokens: 20,
      signal: controller.signal,
      onText: () => controller.abort(new Error('client left')),
    });
    await expect(run).rejects.toThrow('client left');
  });
});
