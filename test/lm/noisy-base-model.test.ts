/**
 * The noisy-demonstrations recipe's corpus (no training here: the dpo-vs-ppo test builds and uses
 * the model): +/− copies are near misses at about the recipe's rate with the recipe's offsets,
 * never negative, × items untouched, the same items from the same recipe.
 */
import { describe, expect, it } from 'vitest';
import { arithmeticCorpus, parseArithmeticCompletion } from '../../src/lm/corpora/arithmetic.js';
import { noisyBaseModelRecipe, noisyTrainItems } from '../../src/lm/noisy-base-model.js';

describe('noisy demonstrations', () => {
  const train = arithmeticCorpus({ seed: 0 }).split('train');
  const items = noisyTrainItems(train);

  it('copies each +/− question, a near miss at the recipe rate; × untouched', () => {
    const addSub = train.filter((i) => i.truth.op !== '*');
    const times = train.filter((i) => i.truth.op === '*');
    expect(items.length).toBe(addSub.length * noisyBaseModelRecipe.copies + times.length);
    const noisy = items.filter((i) => i.truth.op !== '*');
    const offsets = noisy.map(
      (i) => (parseArithmeticCompletion(i.completion).answer ?? Number.NaN) - i.truth.answer,
    );
    const wrong = offsets.filter((d) => d !== 0);
    // ~40,000 draws: the share is within 0.02 of 0.35 (binomial SE 0.0024).
    expect(Math.abs(wrong.length / noisy.length - noisyBaseModelRecipe.noise)).toBeLessThan(0.02);
    expect(new Set(wrong)).toEqual(new Set(noisyBaseModelRecipe.offsets));
    expect(noisy.every((i) => (parseArithmeticCompletion(i.completion).answer ?? -1) >= 0)).toBe(true);
    for (const i of items.filter((x) => x.truth.op === '*'))
      expect(parseArithmeticCompletion(i.completion).answer).toBe(i.truth.answer);
    // The word is the item's own (noise touches the number only).
    expect(items.every((i) => i.completion.endsWith(` ${i.truth.confidence}`))).toBe(true);
  });

  it('is deterministic', () => {
    expect(noisyTrainItems(train).map((i) => i.completion)).toEqual(items.map((i) => i.completion));
  });
});
