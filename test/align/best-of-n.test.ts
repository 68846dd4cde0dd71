/**
 * Best-of-n with plain-function scorers (no reward model needed): n = 1 is the policy itself
 * at KL 0, the chosen completion is the arg-max of the scorer, larger n finds what the scorer
 * likes more often, and a draw repeats with its seed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bestIndex,
  bestOfKCurve,
  bestOfKExpectation,
  bestOfN,
  completionDistribution,
  drawPool,
} from '../../src/align/best-of-n.js';
import { bestOfNKl } from '../../src/align/ppo-math.js';
import type { RewardScorer } from '../../src/align/reward-model.js';
import { Rng } from '../../src/core/rng.js';
import { sampleRollouts } from '../../src/lm/rollout.js';
import { trainTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend, type Transformer } from '../../src/nn/index.js';

const tokenizer = trainTokenizer('char', ['0123456789+= ab']);
let policy: Transformer;
beforeAll(async () => {
  await initBackend();
  policy = createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 16, width: 16, heads: 2, layers: 1 },
    { seed: 5 },
  );
});

/** Counts the letter a: a scorer with a clear arg-max and ties (most samples score 0 or 1). */
const countsA: RewardScorer = {
  score: (items) => Float64Array.from(items, (i) => [...i.completion].filter((ch) => ch === 'a').length),
};
const prompts = ['1+2=', '3+4=', '5+6=', '7+8='];
const run = (n: number, seed: number) =>
  bestOfN({
    policy,
    tokenizer,
    prompts,
    n,
    reward: countsA,
    rng: new Rng(seed),
    maxNewTokens: 6,
    temperature: 1,
  });

describe('bestOfN', () => {
  it('with n = 1 returns the one sample per prompt, at KL 0', () => {
    const r = run(1, 1);
    expect(r.kl).toBe(0);
    expect(r.samples.map((s) => s.length)).toEqual([1, 1, 1, 1]);
    expect(r.chosen).toEqual(r.samples.map((s) => s[0]));
  });

  it('keeps, per prompt and in prompt order, the first highest-scored of its n samples', () => {
    const r = run(16, 2);
    expect(r.kl).toBeCloseTo(Math.log(16) - 15 / 16, 12);
    prompts.forEach((prompt, p) => {
      const own = countsA.score(r.samples[p].map((completion) => ({ prompt, completion })));
      expect(Array.from(r.scores[p])).toEqual(Array.from(own));
      const k = own.indexOf(Math.max(...own));
      expect(r.chosen[p]).toBe(r.samples[p][k]);
      expect(r.chosenScores[p]).toBe(own[k]);
    });
  });

  it('raises the mean score with n (averaged over draws), and repeats with its seed', () => {
    const meanChosen = (n: number) => {
      let sum = 0;
      for (let seed = 0; seed < 6; seed++) sum += run(n, 100 + seed).chosenScores.reduce((a, b) => a + b, 0);
      return sum / (6 * prompts.length);
    };
    expect(meanChosen(32)).toBeGreaterThan(meanChosen(1));
    expect(run(8, 3).chosen).toEqual(run(8, 3).chosen);
  });
});

describe('bestIndex and the best-of-n KL', () => {
  it('reads best-of-m off a larger draw, first index on ties', () => {
    expect(bestIndex([0.2, 0.9, 0.9, 5], 3)).toBe(1);
    expect(bestIndex([0.2, 0.9, 0.9, 5], 4)).toBe(3);
    expect(bestIndex([7], 1)).toBe(0);
  });

  it('is log n − (n − 1)/n nats (Stiennon et al. 2020; Gao et al. 2022)', () => {
    expect(bestOfNKl(1)).toBe(0);
    expect(bestOfNKl(2)).toBeCloseTo(Math.log(2) - 0.5, 12); // 0.1931
    expect(bestOfNKl(256)).toBeCloseTo(Math.log(256) - 255 / 256, 12); // 4.5491
  });
});

describe('bestOfKExpectation (the unbiased best-of-k estimator over one draw)', () => {
  it('matches a hand count: scores 3, 1, 2 with values 30, 10, 20', () => {
    // k = 2: subsets {3,1} → 30, {3,2} → 30, {1,2} → 20; mean 80/3.
    expect(bestOfKExpectation([3, 1, 2], [30, 10, 20], 2)).toBeCloseTo(80 / 3, 12);
    expect(bestOfKExpectation([3, 1, 2], [30, 10, 20], 1)).toBeCloseTo(20, 12);
    expect(bestOfKExpectation([3, 1, 2], [30, 10, 20], 3)).toBe(30);
  });

  it('equals the average over every k-subset of the value at its best score (ties to the first)', () => {
    const rng = new Rng(21);
    const m = 7;
    const scores = Array.from({ length: m }, () => rng.int(4)); // ties on purpose
    const values = Array.from({ length: m }, () => rng.normal());
    for (let k = 1; k <= m; k++) {
      let sum = 0;
      let count = 0;
      for (let mask = 0; mask < 1 << m; mask++) {
        const subset = Array.from({ length: m }, (_, i) => i).filter((i) => mask & (1 << i));
        if (subset.length !== k) continue;
        const best =
          subset[
            bestIndex(
              subset.map((i) => scores[i]),
              k,
            )
          ];
        sum += values[best];
        count++;
      }
      expect(bestOfKExpectation(scores, values, k)).toBeCloseTo(sum / count, 12);
    }
    expect(() => bestOfKExpectation(scores, values, 0)).toThrow(RangeError);
  });
});

describe('bestOfKCurve', () => {
  it('equals bestOfKExpectation for every k, from one ranking (ties included)', () => {
    const rng = new Rng(4);
    const scores = Array.from({ length: 64 }, () => rng.int(8));
    const values = Array.from({ length: 64 }, () => rng.normal());
    const ks = [1, 2, 3, 8, 31, 64];
    const curve = bestOfKCurve(scores, values, ks);
    ks.forEach((k, i) => {
      expect(curve[i]).toBeCloseTo(bestOfKExpectation(scores, values, k), 12);
    });
    expect(() => bestOfKCurve(scores, values, [65])).toThrow(/1 ≤ k ≤ 64/);
  });
});

describe('completionDistribution and drawPool', () => {
  // Two new tokens at most: every completion is one or two characters, few enough to list them all.
  const list = (minProbability: number) =>
    completionDistribution(policy, tokenizer, ['1+2=', '3+4='], { maxNewTokens: 2, minProbability });

  it('lists completions whose probabilities and pruned mass add up to one', () => {
    for (const dist of list(1e-4)) {
      const listed = dist.probabilities.reduce((s, p) => s + p, 0);
      expect(listed + dist.missing).toBeCloseTo(1, 6);
      expect(dist.missing).toBeLessThan(0.05);
      expect(new Set(dist.completions).size).toBe(dist.completions.length);
      for (const p of dist.probabilities) expect(p).toBeGreaterThanOrEqual(1e-4);
    }
    // A coarser threshold lists fewer completions and prunes more.
    const [fine, coarse] = [list(1e-4)[0], list(0.02)[0]];
    expect(coarse.completions.length).toBeLessThan(fine.completions.length);
    expect(coarse.missing).toBeGreaterThan(fine.missing);
  });

  it("matches the policy's sampling frequencies (4,000 samples, within 0.04)", () => {
    const [dist] = list(1e-5);
    const draws = sampleRollouts(policy, tokenizer, Array(4000).fill('1+2='), {
      maxNewTokens: 2,
      rng: new Rng(9),
    }).completions;
    for (let j = 0; j < 3; j++) {
      const share = draws.filter((c) => c === dist.completions[j]).length / draws.length;
      expect(Math.abs(share - dist.probabilities[j])).toBeLessThan(0.04);
    }
  });

  it('draws a pool from the listed probabilities, renormalized, prompt after prompt', () => {
    const pool = drawPool(
      [{ prompt: 'p', completions: ['x', 'y'], probabilities: Float64Array.of(0.6, 0.2), missing: 0.2 }],
      4000,
      new Rng(3),
    );
    expect(pool.every((i) => i.prompt === 'p')).toBe(true);
    const share = pool.filter((i) => i.completion === 'x').length / pool.length;
    // 0.6 / 0.8 = 0.75, binomial SE 0.007
    expect(Math.abs(share - 0.75)).toBeLessThan(0.03);
  });
});
