/**
 * Pairs in the arithmetic language model's own format (`src/lm/corpora/arithmetic.ts`):
 * prompt `"47+38="`, completions `"58 sure"` (85, digits reversed). Each candidate is right or near-wrong with
 * equal odds and carries a confidence word drawn uniformly, so a rater's label can turn on the
 * answer, on the wording, or on both. The truth is the corpus generator's `arithmeticUtility`
 * (right answers with honest confidence score best). Prompts come from the train split (the
 * test split's prompts for held-out pairs that measure a reward model).
 */
import type { Rng } from '../core/rng.js';
import {
  arithmeticCorpus,
  arithmeticUtility,
  confidenceWords,
  formatAnswer,
} from '../lm/corpora/arithmetic.js';
import type { Candidate, CandidatePair, PairSource } from './pair-source.js';

const offsets = [-10, -2, -1, 1, 2, 10];

export const lmArithmeticDescription =
  'arithmetic LM format ("47+38=" → "58 sure", digits reversed): right or near-wrong answers, random confidence word; truth = correct − (p − correct)²';

export function lmArithmeticPairSource(seed = 0, split: 'train' | 'test' = 'train'): PairSource {
  const prompts = arithmeticCorpus({ seed }).split(split);
  const candidate = (prompt: string, answer: number, rng: Rng): Candidate => {
    let value = answer;
    if (rng.bernoulli(0.5)) {
      const offset = rng.pick(offsets);
      value = answer + offset >= 0 ? answer + offset : answer - offset;
    }
    const word = rng.pick(confidenceWords);
    const completion = formatAnswer(value, word);
    return {
      completion,
      facts: { correct: value === answer, confidence: word, utility: arithmeticUtility(prompt, completion) },
    };
  };
  return {
    id: 'lm-arithmetic',
    description: lmArithmeticDescription,
    trueUtility: arithmeticUtility,
    sample(rng: Rng): CandidatePair {
      const item = rng.pick(prompts);
      const a = candidate(item.prompt, item.truth.answer, rng);
      let b = candidate(item.prompt, item.truth.answer, rng);
      for (let tries = 0; tries < 8 && b.completion === a.completion; tries++)
        b = candidate(item.prompt, item.truth.answer, rng);
      return { prompt: item.prompt, a, b };
    },
  };
}
