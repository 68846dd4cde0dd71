/**
 * Best-of-n sampling as an optimizer (Stiennon et al. 2020; Gao et al. 2022): draw n
 * completions per prompt from the policy and keep the one the reward model scores highest.
 * Its KL from the policy is analytic: log n − (n − 1)/n (`bestOfNKl`).
 */
import type { Rng } from '../core/rng.js';
import { sampleRollouts } from '../lm/rollout.js';
import type { Tokenizer } from '../lm/tokenizer.js';
import type { Transformer } from '../nn/transformer.js';
import { bestOfNKl } from './ppo-math.js';
import type { RewardScorer } from './reward-model.js';

export interface BestOfNOptions {
  policy: Transformer;
  tokenizer: Tokenizer;
  prompts: readonly string[];
  n: number;
  reward: RewardScorer;
  rng: Rng;
  maxNewTokens: number;
  temperature?: number;
}

export interface BestOfNResult {
  /** Per prompt: every sample, and their proxy scores (for reusing one draw at smaller n). */
  samples: string[][];
  scores: Float64Array[];
  /** Per prompt, the best of all n samples and its proxy score. */
  chosen: string[];
  chosenScores: Float64Array;
  /** KL(best-of-n ‖ policy) in nats. */
  kl: number;
}

export function bestOfN(options: BestOfNOptions): BestOfNResult {
  const { prompts, n } = options;
  const repeated = prompts.flatMap((p) => Array.from({ length: n }, () => p));
  const rollouts = sampleRollouts(options.policy, options.tokenizer, repeated, {
    maxNewTokens: options.maxNewTokens,
    temperature: options.temperature,
    rng: options.rng,
  });
  const all = options.reward.score(
    repeated.map((prompt, i) => ({ prompt, completion: rollouts.completions[i] })),
  );
  const samples = prompts.map((_, p) => rollouts.completions.slice(p * n, (p + 1) * n));
  const scores = prompts.map((_, p) => all.slice(p * n, (p + 1) * n));
  const best = scores.map((s) => bestIndex(s, s.length));
  return {
    samples,
    scores,
    chosen: best.map((k, p) => samples[p][k]),
    chosenScores: Float64Array.from(best, (k, p) => scores[p][k]),
    kl: bestOfNKl(n),
  };
}

/** Index of the highest of the first `m` scores (the first on ties): best-of-m from a larger draw. */
export function bestIndex(scores: ArrayLike<number>, m: number): number {
  let best = 0;
  for (let i = 1; i < m; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/**
 * The expected `values` of best-of-k when k of the m scored samples are drawn at random without
 * replacement: the unbiased estimator Gao et al. (2022) use to read every k off one large draw.
 * With the samples ranked by score (1 = lowest), the i-th is the best of the k with probability
 * C(i−1, k−1)/C(m, k): k/m for the top one, and each rank below multiplies it by (i−k)/(i−1).
 * k = 1 gives the plain mean; k = m the value of the top-scored sample.
 */
export function bestOfKExpectation(scores: ArrayLike<number>, values: ArrayLike<number>, k: number): number {
  const m = scores.length;
  if (!Number.isInteger(k) || k < 1 || k > m) throw new RangeError(`best-of-${k} needs 1 ≤ k ≤ ${m}`);
  // Ascending by score; ties broken by index, as `bestIndex` prefers the first of equal scores.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || b - a);
  let weight = k / m;
  let expectation = 0;
  for (let rank = m; rank >= k; rank--) {
    expectation += weight * values[order[rank - 1]];
    weight *= (rank - k) / (rank - 1);
  }
  return expectation;
}
