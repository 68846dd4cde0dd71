import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  formatAnswer,
  confidenceProbability as p,
  scoreArithmeticCompletion,
} from '../../src/lm/corpora/arithmetic.js';
import { LocalLanguageModel } from '../../src/lm/local-model.js';
import { sampleRollouts, sequenceKl } from '../../src/lm/rollout.js';
import { completionMask, completionReadout, encodeRows, lastTokenScalar } from '../../src/lm/sequences.js';
import { trainTokenizer } from '../../src/lm/tokenizer.js';
import { cloneTransformer, createTransformer, initBackend } from '../../src/nn/index.js';

beforeAll(async () => {
  await initBackend();
});

const tokenizer = trainTokenizer('char', ['0123456789+-= suremaybeguess']);
const items = [
  { prompt: '12+3=', completion: '15 sure' },
  { prompt: '9-9=', completion: '0 maybe' },
];

describe('sequences', () => {
  it('masks exactly the positions that predict completion tokens and <eos>', () => {
    const rows = encodeRows(tokenizer, items);
    const mask = completionMask(rows);
    const width = rows.time - 1;
    for (let b = 0; b < rows.batch; b++) {
      const ones = Array.from(mask.subarray(b * width, (b + 1) * width)).reduce((a, x) => a + x, 0);
      expect(ones).toBe(items[b].completion.length + 1);
    }
  });

  it('sums the same log-probabilities the language model reports', async () => {
    const model = createTransformer(
      { vocabSize: tokenizer.vocabSize, contextLength: 16, width: 16, heads: 2 },
      { seed: 3 },
    );
    const lm = new LocalLanguageModel('t', model, tokenizer);
    const rows = encodeRows(tokenizer, items, { eos: false });
    const readout = completionReadout(model, rows);
    const totals = readout.totalLogps.arraySync();
    for (const [b, item] of items.entries()) {
      const [expected] = await lm.logprobs(item.prompt, [item.completion]);
      expect(totals[b]).toBeCloseTo(expected.total, 4);
    }
    tf.dispose(Object.values(readout));
    model.dispose();
  });

  it('reads a scalar head at the last real token, unaffected by padding', () => {
    const base = createTransformer(
      { vocabSize: tokenizer.vocabSize, contextLength: 16, width: 16, heads: 2 },
      { seed: 1 },
    );
    const rm = cloneTransformer(base, { scalarHeads: ['reward'] });
    const one = lastTokenScalar(rm, encodeRows(tokenizer, [items[1]])).arraySync()[0];
    const padded = lastTokenScalar(rm, encodeRows(tokenizer, items, { minTime: 14 })).arraySync()[1];
    expect(padded).toBeCloseTo(one, 5);
    base.dispose();
    rm.dispose();
  });
});

describe('arithmetic utility', () => {
  it('is 1 − (1 − p)² for right answers and −p² for wrong ones', () => {
    // Completions in the corpus's own answer format (reversed digits since Lee et al. 2023's format).
    expect(scoreArithmeticCompletion('12+3=', formatAnswer(15, 'sure')).utility).toBeCloseTo(
      1 - (1 - p.sure) ** 2,
    );
    expect(scoreArithmeticCompletion('12+3=', formatAnswer(16, 'sure')).utility).toBeCloseTo(-(p.sure ** 2));
    expect(scoreArithmeticCompletion('12-3=', formatAnswer(9, 'guess')).utility).toBeCloseTo(
      1 - (1 - p.guess) ** 2,
    );
    expect(scoreArithmeticCompletion('12+3=', 'sure').utility).toBe(-1);
    expect(scoreArithmeticCompletion('12+3=', `${formatAnswer(15, 'sure')} sure`).utility).toBe(-1);
    expect(scoreArithmeticCompletion('12+3=', formatAnswer(15, 'sure')).wellFormed).toBe(true);
  });
});

describe('rollouts', () => {
  it('samples reproducibly and has zero KL against an identical reference', () => {
    const model = createTransformer(
      { vocabSize: tokenizer.vocabSize, contextLength: 16, width: 16, heads: 2 },
      { seed: 5 },
    );
    const ref = cloneTransformer(model);
    const prompts = ['1+2=', '3+4=', '1+2='];
    const a = sampleRollouts(model, tokenizer, prompts, { maxNewTokens: 6, rng: new Rng(9) });
    const b = sampleRollouts(model, tokenizer, prompts, { maxNewTokens: 6, rng: new Rng(9), batchSize: 2 });
    expect(a.completions).toEqual(b.completions);
    expect(Array.from(a.rows.ids)).toEqual(Array.from(b.rows.ids));
    for (const kl of sequenceKl(model, ref, a.rows)) expect(Math.abs(kl)).toBeLessThan(1e-5);
    model.dispose();
    ref.dispose();
  });
});
