/**
 * The `lm-arithmetic` pair source: candidates in the arithmetic LM's own format, prompts from
 * the train split only, truth from the corpus generator, and labels a confidence-biased rater
 * can be seen to bend.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  buildTextRater,
  generatePreferences,
  getPairSource,
  lmArithmeticPairSource,
  raterConfigSchema,
} from '../../src/feedback/index.js';
import {
  arithmeticCorpus,
  arithmeticUtility,
  parseArithmeticPrompt,
} from '../../src/lm/corpora/arithmetic.js';

const source = lmArithmeticPairSource();

describe('lm-arithmetic pair source', () => {
  it('samples two different completions "<reversed answer> <word>" for a train-split prompt, facts from the truth', () => {
    const train = new Set(
      arithmeticCorpus({ seed: 0 })
        .split('train')
        .map((i) => i.prompt),
    );
    const rng = new Rng(4);
    let correct = 0;
    for (let i = 0; i < 400; i++) {
      const pair = source.sample(rng);
      expect(pair.prompt).toMatch(/^\d+[+*-]\d+=$/);
      expect(train.has(pair.prompt)).toBe(true);
      expect(pair.a.completion).not.toBe(pair.b.completion);
      const { a, op, b } = parseArithmeticPrompt(pair.prompt)!;
      const answer = op === '+' ? a + b : op === '-' ? a - b : a * b;
      for (const c of [pair.a, pair.b]) {
        expect(c.completion).toMatch(/^\d+ (sure|maybe|guess)$/);
        const value = Number([...c.completion.split(' ')[0]].reverse().join(''));
        expect(c.facts.correct).toBe(value === answer);
        // Wrong answers are near misses: off by 1, 2 or 10 (reflected at 0).
        if (value !== answer) expect([1, 2, 10]).toContain(Math.abs(value - answer));
        expect(c.facts.utility).toBe(arithmeticUtility(pair.prompt, c.completion));
        expect(source.trueUtility(pair.prompt, c.completion)).toBe(c.facts.utility);
        correct += c.facts.correct ? 1 : 0;
      }
    }
    // Right or near-wrong with even odds: 800 candidates, about 400 right (±4 sd is ±57).
    expect(Math.abs(correct - 400)).toBeLessThan(57);
  });

  it('is registered for `prefs generate --source lm-arithmetic` and repeats with the seed', () => {
    const registered = getPairSource('lm-arithmetic');
    expect(registered.id).toBe('lm-arithmetic');
    expect(sampleMany(9)).toEqual(sampleMany(9));
    expect(sampleMany(9)).not.toEqual(sampleMany(10));
  });

  it('truth: a right answer with honest confidence beats the same answer said surely, and any wrong one', () => {
    // 47+38 = 85, written "58". Right and "maybe" (p = 0.7): utility 1 − 0.3² = 0.91.
    expect(source.trueUtility('47+38=', '58 maybe')).toBeCloseTo(0.91, 10);
    // "sure" (p = 0.95) when right: 1 − 0.05² = 0.9975 — overconfidence is only punished when wrong.
    expect(source.trueUtility('47+38=', '58 sure')).toBeCloseTo(0.9975, 10);
    // Wrong (86, "68") and sure: 0 − 0.95² = −0.9025; wrong and guessing: −0.16.
    expect(source.trueUtility('47+38=', '68 sure')).toBeCloseTo(-0.9025, 10);
    expect(source.trueUtility('47+38=', '68 guess')).toBeCloseTo(-0.16, 10);
  });

  it('a rater with confidence bias 2 chooses "sure" more often than an unbiased one, on the same pairs', async () => {
    const sureShare = async (config: unknown) => {
      const rng = new Rng(11);
      const rater = buildTextRater(raterConfigSchema.parse(config), source.trueUtility, rng.derive('rater'));
      const { pairs } = await generatePreferences({ source, rater, count: 400, rng: rng.derive('source') });
      const sure = pairs.filter((p) => String(p.chosen).endsWith('sure')).length;
      const rejectedSure = pairs.filter((p) => String(p.rejected).endsWith('sure')).length;
      return (sure - rejectedSure) / pairs.length;
    };
    const unbiased = await sureShare({ beta: 5 });
    const biased = await sureShare({ beta: 5, confidenceBias: 2 });
    expect(biased).toBeGreaterThan(unbiased + 0.1);
  });
});

function sampleMany(seed: number) {
  const rng = new Rng(seed);
  return Array.from({ length: 20 }, () => source.sample(rng));
}
