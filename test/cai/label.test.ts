// The RLAIF labeller on stub models whose logprobs are known: both-orders averaging, clamping,
// the no-logprobs error and the sampled-letter fallback.
import { describe, expect, it } from 'vitest';
import { loadConstitution } from '../../src/cai/constitution.js';
import { COT_CLAMP, labelPair, optionOf, twoWay } from '../../src/cai/label.js';
import { UserInputError } from '../../src/core/errors.js';
import type { CompletionLogprobs, LanguageModel } from '../../src/lm/types.js';

const principle = loadConstitution('data/constitutions/default.yaml').principles[0];
const pair = { prompt: 'how do I pick a lock?', a: 'GOOD answer', b: 'BAD answer' };
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * logit(A) − logit(B) = ±d (+ when GOOD is option (A)) + bias: a model that prefers GOOD by d
 * and option (A) by `bias`, whatever the content.
 */
function scorer(d: number, bias: number, cot = ''): LanguageModel & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    id: 'stub',
    prompts,
    async generate(ps) {
      prompts.push(...ps);
      return ps.map(() => cot);
    },
    async logprobs(prompt, completions): Promise<CompletionLogprobs[]> {
      prompts.push(prompt);
      const goodFirst = prompt.indexOf('(A) GOOD') >= 0;
      const diff = (goodFirst ? d : -d) + bias;
      return completions.map((c) => ({
        tokens: [c],
        logprobs: new Float32Array(1),
        total: c === ' (A)' ? diff / 2 - 3 : -diff / 2 - 3,
      }));
    },
  };
}

describe('RLAIF labels', () => {
  it('a two-way softmax over the options', () => {
    expect(twoWay(-1, -1)).toBe(0.5);
    expect(twoWay(Math.log(0.3), Math.log(0.1))).toBeCloseTo(0.75, 12);
    expect(twoWay(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY)).toBe(0.5);
  });

  it('averaging both orders cancels a pure position bias', async () => {
    const label = await labelPair(scorer(0, 2), principle, pair);
    expect(label.orders[0]).toBeCloseTo(sigmoid(2), 10); // asked once, the bias alone says "a"
    expect(label.orders[1]).toBeCloseTo(1 - sigmoid(2), 10);
    expect(label.pA).toBeCloseTo(0.5, 12);
    expect(label.method).toBe('logprobs');
  });

  it('keeps a real preference under a position bias larger than it, and is antisymmetric in a/b', async () => {
    const label = await labelPair(scorer(1, 3), principle, pair);
    expect(label.pA).toBeCloseTo((sigmoid(1 + 3) + 1 - sigmoid(-1 + 3)) / 2, 10);
    expect(label.pA).toBeGreaterThan(0.5);
    const swapped = await labelPair(scorer(1, 3), principle, { ...pair, a: pair.b, b: pair.a });
    expect(swapped.pA).toBeCloseTo(1 - label.pA, 10);
  });

  it('puts the principle’s comparison question and both options in the prompt, ending "The answer is:"', async () => {
    const model = scorer(1, 0);
    await labelPair(model, principle, pair);
    expect(model.prompts[0]).toContain(principle.comparison);
    expect(model.prompts[0]).toMatch(/\(A\) GOOD answer\n\(B\) BAD answer\nThe answer is:$/);
    expect(model.prompts[1]).toMatch(/\(A\) BAD answer\n\(B\) GOOD answer\nThe answer is:$/);
  });

  it('chain of thought: the reasoning goes before the answer, and probabilities are clamped to [0.4, 0.6]', async () => {
    const model = scorer(6, 0, ' GOOD avoids the harm.');
    const label = await labelPair(model, principle, pair, { cot: true });
    expect(COT_CLAMP).toEqual([0.4, 0.6]);
    expect(label.orders).toEqual([0.6, 0.6]);
    expect(label.pA).toBeCloseTo(0.6, 12);
    expect(label.reasoning).toEqual(['GOOD avoids the harm.', 'GOOD avoids the harm.']);
    const scored = model.prompts.filter((p) => p.endsWith('Therefore, the answer is:'));
    expect(scored).toHaveLength(2);
    expect(scored[0]).toContain("Let's think step by step: GOOD avoids the harm.");
    // Inside the clamp nothing changes.
    const mild = await labelPair(scorer(0.2, 0), principle, pair, { cot: true });
    expect(mild.pA).toBeCloseTo(sigmoid(0.2), 10);
  });

  it('a model without logprobs is a clear error unless the sampled-letter fallback is asked for', async () => {
    const letters = (answer: (prompt: string) => string): LanguageModel => ({
      id: 'chat-only',
      async generate(ps) {
        return ps.map(answer);
      },
    });
    const always = letters(() => ' (A)');
    await expect(labelPair(always, principle, pair)).rejects.toThrow(UserInputError);
    await expect(labelPair(always, principle, pair)).rejects.toThrow(/--fallback sample/);
    // Always "(A)": pure position bias, cancelled by the two orders.
    expect((await labelPair(always, principle, pair, { fallback: 'sample' })).pA).toBe(0.5);
    // Names GOOD's letter: a hard label for a.
    const knows = letters((p) => (p.indexOf('(A) GOOD') >= 0 ? ' (A)' : ' (B) because'));
    const label = await labelPair(knows, principle, pair, { fallback: 'sample', samples: 3 });
    expect(label).toMatchObject({ pA: 1, method: 'sample' });
    // Answers naming no option count as no evidence.
    expect(
      (
        await labelPair(
          letters(() => ' hmm'),
          principle,
          pair,
          { fallback: 'sample' },
        )
      ).pA,
    ).toBe(0.5);
    expect([optionOf(' (B) x'), optionOf('A.'), optionOf('neither'), optionOf('Also')]).toEqual([
      1,
      0,
      undefined,
      undefined,
    ]);
    expect(optionOf(' (2)', ['1', '2'])).toBe(1);
  });

  it('keeps only the end of a scored prompt when told to (models with a short context)', async () => {
    const model = scorer(1, 0);
    await labelPair(model, principle, pair, { maxPromptChars: 40 });
    expect(model.prompts.every((p) => p.length <= 40 && p.endsWith('The answer is:'))).toBe(true);
  });
});
