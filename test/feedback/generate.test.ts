import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  arithmeticPairSource,
  buildTextRater,
  formatPreferenceJsonl,
  generatePreferences,
  parsePreferenceJsonl,
  preferenceStats,
  raterConfigSchema,
} from '../../src/feedback/index.js';

async function generate(config: unknown, count = 300, seed = 1) {
  const rng = new Rng(seed);
  const rater = buildTextRater(
    raterConfigSchema.parse(config),
    arithmeticPairSource.trueUtility,
    rng.derive('rater'),
  );
  return generatePreferences({ source: arithmeticPairSource, rater, count, rng: rng.derive('source') });
}

describe('arithmetic pair source', () => {
  it('scores by correctness', () => {
    const u = arithmeticPairSource.trueUtility;
    expect(u('What is 17 + 25?', "I'm sure it is 42.")).toBe(1);
    expect(u('What is 17 + 25? I think it is 43.', 'Maybe it is 43.')).toBe(0);
  });

  it('samples one correct and one wrong answer per pair', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) {
      const pair = arithmeticPairSource.sample(rng);
      const utilities = [pair.a, pair.b].map((c) =>
        arithmeticPairSource.trueUtility(pair.prompt, c.completion),
      );
      expect(utilities.sort()).toEqual([0, 1]);
    }
  });
});

describe('generatePreferences', () => {
  it('a rational, unbiased rater always chooses the correct answer', async () => {
    const result = await generate({ beta: 'inf' });
    expect(result.pairs).toHaveLength(300);
    expect(result.agreement.agreement).toBe(1);
    expect(result.pairs.every((p) => p.truth?.chosen_correct === true)).toBe(true);
  });

  it('confidence bias makes confident wrong answers win: chosen pairs sound surer and agree less with the truth', async () => {
    const honest = await generate({ beta: 4 });
    const biased = await generate({ beta: 4, confidenceBias: 2 });
    const honestStats = preferenceStats(honest.pairs);
    const biasedStats = preferenceStats(biased.pairs);
    expect(biasedStats.chosenConfidentShare).toBeGreaterThan(honestStats.chosenConfidentShare + 0.15);
    expect(biased.agreement.agreement).toBeLessThan(honest.agreement.agreement - 0.1);
    // Without ties every comparison became a pair, so the file's truth agreement is the rater's.
    expect(biasedStats.truthAgreement).toBeCloseTo(biased.agreement.agreement, 12);
  });

  it('a panel config builds a majority rater; output is deterministic and re-imports cleanly', async () => {
    const panel = { panel: [{ beta: 2 }, { beta: 2, sycophancy: 3 }, { beta: 1, flipProbability: 0.1 }] };
    const first = await generate(panel, 100, 5);
    const second = await generate(panel, 100, 5);
    expect(second.pairs).toEqual(first.pairs);
    const text = formatPreferenceJsonl(first.pairs, { format: 'conversational' });
    expect(parsePreferenceJsonl(text).pairs).toHaveLength(100);
  });
});
