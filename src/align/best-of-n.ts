/**
 * Best-of-n sampling as an optimizer (Stiennon et al. 2020; Gao et al. 2022): draw n
 * completions per prompt from the policy and keep the one the reward model scores highest.
 * Its KL from the policy is analytic: log n − (n − 1)/n (`bestOfNKl`).
 *
 * For large n, Gao et al. read every n off one pool of m > n samples per prompt with the unbiased
 * estimator (`bestOfKExpectation`). A pool of thousands of samples per prompt costs thousands of
 * decoding passes; a small model's answers to one prompt are few, so `completionDistribution`
 * lists them with their exact probabilities (a tree search over tokens, pruned below a
 * probability) and `drawPool` draws the pool from that list at no model cost.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { sampleRollouts } from '../lm/rollout.js';
import { EOS, type Tokenizer } from '../lm/tokenizer.js';
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

/**
 * `bestOfKExpectation` for several k at once, from one ranking of the pool: per k, the expected
 * `values` of the best-scored of k samples drawn without replacement from the m scored ones.
 */
export function bestOfKCurve(
  scores: ArrayLike<number>,
  values: ArrayLike<number>,
  ks: readonly number[],
): Float64Array {
  const m = scores.length;
  for (const k of ks)
    if (!Number.isInteger(k) || k < 1 || k > m) throw new RangeError(`best-of-${k} needs 1 ≤ k ≤ ${m}`);
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || b - a);
  return Float64Array.from(ks, (k) => {
    let weight = k / m;
    let expectation = 0;
    for (let rank = m; rank >= k; rank--) {
      expectation += weight * values[order[rank - 1]];
      weight *= (rank - k) / (rank - 1);
      if (weight === 0) break;
    }
    return expectation;
  });
}

/** A policy's completions of one prompt with their probabilities (every one ≥ the pruning threshold). */
export interface CompletionDistribution {
  prompt: string;
  completions: string[];
  probabilities: Float64Array;
  /** 1 − Σ probabilities: the mass of the completions pruned (each below the threshold). */
  missing: number;
}

export interface CompletionDistributionOptions {
  maxNewTokens: number;
  /** Prefixes (and so completions) less probable than this are pruned. */
  minProbability: number;
  temperature?: number;
  /** Prefixes per forward pass. */
  batchSize?: number;
}

/**
 * Every completion of each prompt whose probability under `policy` (sampling at `temperature`, as
 * `sampleRollouts` does: stop at <eos>, after `maxNewTokens` tokens or at the context length) is at
 * least `minProbability`, found by expanding the token tree level by level and pruning prefixes
 * below the threshold. Completions are keyed by their text, as `sampleRollouts` returns them.
 */
export function completionDistribution(
  policy: Transformer,
  tokenizer: Tokenizer,
  prompts: readonly string[],
  options: CompletionDistributionOptions,
): CompletionDistribution[] {
  const temperature = options.temperature ?? 1;
  const batchSize = options.batchSize ?? 512;
  const logFloor = Math.log(options.minProbability);
  const context = policy.config.contextLength;
  const found = prompts.map(() => new Map<string, number>());
  type Node = { prompt: number; tokens: number[]; fresh: number; logp: number };
  let frontier: Node[] = prompts.map((p, i) => ({
    prompt: i,
    tokens: tokenizer.encode(p, { bos: true }),
    fresh: 0,
    logp: 0,
  }));
  const leaf = (node: Node, extra: number[], logp: number) => {
    const text = tokenizer.decode([...node.tokens.slice(node.tokens.length - node.fresh), ...extra]);
    const map = found[node.prompt];
    map.set(text, (map.get(text) ?? 0) + Math.exp(logp));
  };
  while (frontier.length > 0) {
    const next: Node[] = [];
    for (let start = 0; start < frontier.length; start += batchSize) {
      const chunk = frontier.slice(start, start + batchSize);
      const logits = lastLogits(
        policy,
        chunk.map((n) => n.tokens),
      );
      const vocab = policy.config.vocabSize;
      chunk.forEach((node, k) => {
        const row = logits.subarray(k * vocab, (k + 1) * vocab);
        let max = -Infinity;
        for (const x of row) max = Math.max(max, x / temperature);
        let total = 0;
        for (const x of row) total += Math.exp(x / temperature - max);
        const logTotal = max + Math.log(total);
        for (let v = 0; v < row.length; v++) {
          const logp = node.logp + row[v] / temperature - logTotal;
          if (logp < logFloor) continue;
          const stops =
            v === EOS || node.fresh + 1 >= options.maxNewTokens || node.tokens.length + 1 >= context;
          if (stops) leaf(node, [v], logp);
          else next.push({ prompt: node.prompt, tokens: [...node.tokens, v], fresh: node.fresh + 1, logp });
        }
      });
    }
    frontier = next;
  }
  return prompts.map((prompt, i) => {
    const entries = [...found[i]].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const probabilities = Float64Array.from(entries, (e) => e[1]);
    const covered = probabilities.reduce((s, x) => s + x, 0);
    return {
      prompt,
      completions: entries.map((e) => e[0]),
      probabilities,
      missing: Math.max(0, 1 - covered),
    };
  });
}

/** Next-token logits [rows × vocab] at each row's last token (rows right-padded; one uncached pass). */
function lastLogits(policy: Transformer, rows: readonly number[][]): Float32Array {
  const time = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * time);
  rows.forEach((r, k) => {
    ids.set(r, k * time);
  });
  const last = Int32Array.from(rows, (r, k) => k * time + r.length - 1);
  const logits = tf.tidy(() => {
    const hidden = policy.hidden(tf.tensor2d(ids, [rows.length, time], 'int32'));
    const width = hidden.shape[2];
    const picked = tf.gather(tf.reshape(hidden, [rows.length * time, width]), tf.tensor1d(last, 'int32'));
    return policy.lmLogits(tf.reshape(picked, [rows.length, 1, width]) as tf.Tensor3D);
  });
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  return values;
}

/**
 * A pool of `size` independent draws per prompt from listed distributions (renormalized over the
 * listed completions), prompt after prompt: what sampling `size` times from the policy would give,
 * up to the pruned mass.
 */
export function drawPool(
  distributions: readonly CompletionDistribution[],
  size: number,
  rng: Rng,
): { prompt: string; completion: string }[] {
  return distributions.flatMap((dist) => {
    const cumulative = new Float64Array(dist.probabilities.length);
    let total = 0;
    dist.probabilities.forEach((p, j) => {
      total += p;
      cumulative[j] = total;
    });
    return Array.from({ length: size }, () => {
      const r = rng.next() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > r) hi = mid;
        else lo = mid + 1;
      }
      return { prompt: dist.prompt, completion: dist.completions[lo] };
    });
  });
}
