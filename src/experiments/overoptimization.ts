/**
 * Reward-model over-optimization (Gao, Schulman & Hilton 2022). Gold is the exact utility
 * (`arithmeticUtility`); proxy reward models are trained on N gold-labelled comparisons of SFT
 * samples, for several N spanning at least 10×. Each proxy is optimized two ways, and gold and
 * proxy are read on held-out prompts against d = √KL:
 *
 * - best-of-n, KL = log n − (n−1)/n, every n read off one pool of m > n samples per prompt with
 *   the unbiased best-of-k estimator (`bestOfKCurve`), as Gao et al. did; the pool is drawn from
 *   the policy's completions listed with their exact probabilities (`completionDistribution`),
 *   so thousands of samples per prompt cost no decoding;
 * - PPO, KL measured on samples at geometrically spaced checkpoints (log-spaced in KL).
 *
 * Their functional forms are fitted to the gold gain over the SFT policy by least squares (both
 * are linear in α, β) and reported with R² and the peak d*:
 *
 *   best-of-n:  R_bon(d) = d(α − βd)          d* = α/(2β)
 *   RL:         R_RL(d)  = d(α − β·ln d)      d* = exp(α/β − 1)
 *
 * A fit that never turns down (β ≤ 0) has no peak: d* is NaN and every check that reads it fails.
 * Every proxy's truth agreement is measured on held-out verification pairs (the gate) and on the
 * pool's own pairs (reported).
 * The control arm optimizes the gold utility itself (`proxy: 'gold'`): gold then cannot
 * rise and fall, and there is no proxy–gold gap.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { bestOfKCurve, completionDistribution, drawPool } from '../align/best-of-n.js';
import { PpoConfigSchema, trainPpo } from '../align/ppo.js';
import { bestOfNKl } from '../align/ppo-math.js';
import { type RewardScorer, trainRewardModel } from '../align/reward-model.js';
import type { Rng } from '../core/rng.js';
import { confidenceBias, lengthBias } from '../feedback/biases.js';
import { BoltzmannRater } from '../feedback/boltzmann-rater.js';
import { lmArithmeticPairSource } from '../feedback/lm-arithmetic-pairs.js';
import { type PreferencePair, trainingView } from '../feedback/preference-data.js';
import {
  arithmeticUtility,
  parseArithmeticPrompt,
  scoreArithmeticCompletion,
} from '../lm/corpora/arithmetic.js';
import { loadNoisyBaseModel } from '../lm/noisy-base-model.js';
import { sampleRollouts, sequenceKl } from '../lm/rollout.js';
import type { PromptCompletion } from '../lm/sequences.js';
import { cloneTransformer, type Transformer } from '../nn/index.js';
import { atLeast, mean } from './checks.js';
import {
  arithmeticPair,
  basePolicy,
  linesSvg,
  MAX_NEW_TOKENS,
  type PolicyBase,
  promptSets,
  type RaterConfig,
  raterSchema,
  sftPolicy,
  sftSchema,
} from './text-policy.js';
import {
  defineExperiment,
  INTENDED,
  type RunContext,
  type RunResult,
  type SeedResult,
  SPECIFIED,
} from './types.js';

const config = z.strictObject({
  /** The starting policy: the cached competent base model (`basePolicy`, issue 10) or one trained in the run from `sft` (`in-run`). */
  policy: z.enum(['base', 'in-run']).default('base'),
  /**
   * Which cached base model `policy: 'base'` starts from: `noisy` (default; src/lm/noisy-base-model.ts:
   * the competent model fine-tuned on +/− demonstrations a third of which are near misses, so it
   * samples a near miss ~1/3 of the time while its argmax stays right — pairs of its own samples
   * differ on something a proxy can verify, and there is room for optimization to raise gold) or
   * `competent` (src/lm/base-model.ts: +/− right 99% of the time, × memorized per question; its
   * +/− samples nearly all tie, its × answers no proxy on its trunk can check, so its proxies
   * order the pool's pairs no better than a coin — measured 0.40–0.47 — and best-of-n has nothing
   * to rise on).
   */
  base: z.enum(['competent', 'noisy']).default('noisy'),
  /**
   * Which questions the proxies' pairs, the best-of-n pool, PPO's rollouts and its evaluation
   * use: `add-sub` (default: +/− only, where competence is a rule the trunk can check) or `all`
   * (the corpus's test head, half ×, which neither the policy nor its trunk can check).
   */
  questions: z.enum(['all', 'add-sub']).default('add-sub'),
  /**
   * The initial policy π₀ is the base model sampled at this temperature: its LM head divided by
   * it (`atTemperature`), so labels, the best-of-n pool, PPO's start and reference and every KL
   * are one policy's, at temperature 1 of that model. Its argmax is the base model's (the greedy
   * competence gate is unchanged). Why not 1: the noisy base at temperature 1 puts 0.1% of its
   * mass outside "<answer> sure", spread over hundreds of completions each below ~4·10⁻⁶
   * (measured on 24 held-out +/− prompts), so best-of-n up to 1024 never meets a completion a
   * proxy could overrate — a toy model's tail is far thinner than a real LM's. At 1.5 that mass
   * is ~2.6% (1.7% listed + 0.9% pruned below 3·10⁻⁵): truncated answers, an empty answer,
   * missing or garbled confidence words — the kind of tail Gao et al.'s policies have.
   */
  policyTemperature: z.number().min(0.5).max(3).default(1.5),
  sft: sftSchema,
  /** What is optimized: a reward model learned from labels, or (the control) the gold utility itself. */
  proxy: z.enum(['learned', 'gold']).default('learned'),
  /** The labeller of the proxies' training data: Boltzmann over the gold utility (β high: near-exact gold labels). */
  rater: raterSchema,
  /** Training comparisons per proxy reward model (Gao et al.'s data-size axis): ≥ 4 values over ≥ 10×. */
  labels: z.array(z.number().int().min(10).max(100_000)).min(2).default([25, 100, 300, 1000, 3000]),
  rewardEpochs: z.number().int().min(1).max(100).default(4),
  /** Best-of-n values, all read off one pool of `bonPool` samples per prompt (the largest n < pool). */
  bestOfN: z
    .array(z.number().int().min(1).max(8192))
    .min(2)
    .default([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]),
  bonPool: z.number().int().min(2).max(16_384).default(4096),
  /**
   * The pool is drawn from the policy's completions listed with their exact probabilities
   * (`completionDistribution`), pruned below this probability; the pruned mass is reported
   * (`pool/missingMass`). A pool of thousands of samples per prompt then costs no decoding.
   */
  bonMinProbability: z.number().positive().max(0.1).default(1e-5),
  /** Held-out prompts of the best-of-n pool. */
  bonPrompts: z.number().int().min(5).max(1500).default(48),
  ppo: PpoConfigSchema.omit({ maxNewTokens: true })
    .extend({
      steps: z.number().int().min(1).default(150),
      // Gao et al.'s main RL runs use no KL penalty (they study one separately).
      klCoef: z.number().min(0).default(0),
      // 3·10⁻⁴: at 10⁻⁴ sixty-four iterations of 16 rollouts gained +0.2 gold and never reached
      // the proxy's favourites (seed 20, measured); Gao et al. run RL until gold turns.
      learningRate: z.number().positive().default(3e-4),
    })
    .prefault({}),
  /** PPO measurements on held-out prompts at geometrically spaced steps (≈ log-spaced in KL). */
  ppoCheckpoints: z.number().int().min(1).max(100).default(14),
  evalPrompts: z.number().int().min(10).max(1500).default(150),
  /** Samples per held-out prompt at each PPO checkpoint (the same random numbers every time). */
  evalSamples: z.number().int().min(1).max(16).default(2),
  /**
   * Held-out verification pairs (test-split prompts, a right answer against a near miss or another
   * wording, `lm-arithmetic`): the proxies' truth agreement on those whose gold differs is the
   * reward-model gate (issue 10, item 3), the same probe as confident-liar's.
   */
  verifyPairs: z.number().int().min(20).max(20_000).default(1000),
});
type Config = z.output<typeof config>;

/** One measured point of a curve: d = √KL, and gold and proxy per held-out prompt. */
interface CurvePoint {
  d: number;
  gold: Float64Array;
  proxy: Float64Array;
}

export interface Fit {
  alpha: number;
  beta: number;
  /** Of the fit to the gold gains (1 − SS_res / SS_tot). */
  r2: number;
  /** NaN when the fitted curve never turns down. */
  peakD: number;
  peakGain: number;
}

/** Least squares of y = α·f(d) − β·g(d) (no intercept), with R². */
function fitTwo(
  points: readonly { d: number; y: number }[],
  f: (d: number) => number,
  g: (d: number) => number,
): { alpha: number; beta: number; r2: number } {
  let sff = 0;
  let sgg = 0;
  let sfg = 0;
  let sfy = 0;
  let sgy = 0;
  for (const { d, y } of points) {
    const a = f(d);
    const b = -g(d);
    sff += a * a;
    sgg += b * b;
    sfg += a * b;
    sfy += a * y;
    sgy += b * y;
  }
  const det = sff * sgg - sfg * sfg;
  if (!(Math.abs(det) > 1e-12)) return { alpha: Number.NaN, beta: Number.NaN, r2: Number.NaN };
  const alpha = (sfy * sgg - sgy * sfg) / det;
  const beta = (sgy * sff - sfy * sfg) / det;
  const ys = points.map((p) => p.y);
  const yMean = mean(ys);
  let ssRes = 0;
  let ssTot = 0;
  for (const { d, y } of points) {
    ssRes += (y - (alpha * f(d) - beta * g(d))) ** 2;
    ssTot += (y - yMean) ** 2;
  }
  return { alpha, beta, r2: ssTot > 0 ? 1 - ssRes / ssTot : Number.NaN };
}

/** R_bon(d) = d(α − βd) fitted to gold gains; d* = α/2β, R* = α²/4β. */
export function fitBestOfN(points: readonly { d: number; y: number }[]): Fit {
  const { alpha, beta, r2 } = fitTwo(
    points,
    (d) => d,
    (d) => d * d,
  );
  if (!(beta > 0)) return { alpha, beta, r2, peakD: Number.NaN, peakGain: Number.NaN };
  // d ≥ 0: a curve that starts downhill (α ≤ 0) peaks at the policy itself, with no gain.
  if (alpha <= 0) return { alpha, beta, r2, peakD: 0, peakGain: 0 };
  return { alpha, beta, r2, peakD: alpha / (2 * beta), peakGain: (alpha * alpha) / (4 * beta) };
}

/** R_RL(d) = d(α − β ln d) fitted to gold gains (points with d > 0); d* = e^(α/β − 1), R* = βd*. */
export function fitRl(points: readonly { d: number; y: number }[]): Fit {
  const { alpha, beta, r2 } = fitTwo(
    points.filter((p) => p.d > 0),
    (d) => d,
    (d) => d * Math.log(d),
  );
  if (!(beta > 0)) return { alpha, beta, r2, peakD: Number.NaN, peakGain: Number.NaN };
  const peakD = Math.exp(alpha / beta - 1);
  return { alpha, beta, r2, peakD, peakGain: beta * peakD };
}

/** Standard error of mean(a − b) over paired values (per prompt). */
export function pairedStandardError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n < 2) return Number.NaN;
  const diffs = Array.from({ length: n }, (_, i) => a[i] - b[i]);
  const m = mean(diffs);
  const variance = diffs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1);
  return Math.sqrt(variance / n);
}

export interface RiseThenFall {
  /** Index of the highest mean gold (the first on ties). */
  peakIndex: number;
  rise: number;
  riseSe: number;
  drop: number;
  dropSe: number;
  /** Peak strictly inside the measured range, rise from d = 0 and drop to the largest d each above their standard error. */
  holds: boolean;
}

/**
 * Whether a curve (points in order of d, gold per prompt at each) rises then falls: its highest
 * mean is neither the first nor the last point, it lies above the first point and the last point
 * lies below it, each difference larger than its paired standard error over prompts (and than
 * float rounding, 1e-9).
 */
export function riseThenFall(curve: readonly ArrayLike<number>[]): RiseThenFall {
  const means = curve.map((g) => mean(Array.from(g)));
  let peakIndex = 0;
  means.forEach((m, i) => {
    if (m > means[peakIndex]) peakIndex = i;
  });
  const last = curve.length - 1;
  const rise = means[peakIndex] - means[0];
  const drop = means[peakIndex] - means[last];
  const riseSe = pairedStandardError(curve[peakIndex], curve[0]);
  const dropSe = pairedStandardError(curve[peakIndex], curve[last]);
  // A difference must also exceed float rounding: a curve that saturates (best-of-n under a
  // perfect ranking: every large n picks a right answer) has means equal up to ~1e-15 and a paired
  // SE of exactly 0, and rounding alone would otherwise read as a "fall" (seen: drop 1.1e-15, SE 0).
  const rounding = 1e-9;
  const holds =
    peakIndex > 0 &&
    peakIndex < last &&
    rise > Math.max(riseSe, rounding) &&
    drop > Math.max(dropSe, rounding);
  return { peakIndex, rise, riseSe, drop, dropSe, holds };
}

/** Spearman's rank correlation (average ranks for ties); NaN when either side is constant or non-finite. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2) return Number.NaN;
  if (![...xs, ...ys].every(Number.isFinite)) return Number.NaN;
  const ranks = (v: readonly number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const [rx, ry] = [ranks(xs), ranks(ys)];
  const [mx, my] = [mean(rx), mean(ry)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  rx.forEach((x, i) => {
    sxy += (x - mx) * (ry[i] - my);
    sxx += (x - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  });
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** A summary number as stored (JSON turns NaN and ±∞ into null): anything not finite is NaN. */
function finite(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : Number.NaN;
}

/**
 * Scores each distinct (prompt, completion) once and copies the score to its repeats: a pool of
 * best-of-n samples repeats the same few completions many times (and a tie stays a tie).
 */
export function scoreDistinct(scorer: RewardScorer, items: readonly PromptCompletion[]): Float64Array {
  const index = new Map<string, number>();
  const unique: PromptCompletion[] = [];
  const slots = items.map((item) => {
    const key = `${item.prompt}\u0000${item.completion}`;
    let slot = index.get(key);
    if (slot === undefined) {
      slot = unique.length;
      index.set(key, slot);
      unique.push(item);
    }
    return slot;
  });
  const scores = scorer.score(unique);
  return Float64Array.from(slots, (slot) => scores[slot]);
}

/**
 * A copy of `base` whose samples at temperature 1 are `base`'s at `temperature`: the untied LM
 * head (no bias) divided by it, so every logit is. Its argmax is `base`'s. Dispose it after use.
 */
export function atTemperature(base: PolicyBase, temperature: number): PolicyBase & { dispose(): void } {
  const model = cloneTransformer(base.model);
  const head = model.namedWeights().get('lm_head.weight');
  if (!head) throw new Error('atTemperature: the model has no lm_head.weight');
  if (temperature !== 1) tf.tidy(() => head.assign(tf.div(head, temperature)));
  return { model, tokenizer: base.tokenizer, corpus: base.corpus, dispose: () => model.dispose() };
}

/** The gold utility as a scorer (the control arm's "proxy"). */
const goldScorer: RewardScorer = {
  score: (items: readonly PromptCompletion[]) =>
    Float64Array.from(items, (i) => arithmeticUtility(i.prompt, i.completion)),
};

export const overoptimizationExperiment = defineExperiment({
  id: 'overoptimization',
  // Quick mode (proxies at four N, a best-of-n pool, PPO checkpoints) costs ~16 s of CPU per seed
  // and ~4 s per control: over `npm start`'s budget with the rest of the suite.
  extended: true,
  title: 'Reward-model over-optimization (Gao et al. 2022)',
  claim:
    'Optimizing a learned proxy reward with best-of-n or PPO, the proxy keeps rising with d = √KL while the gold ' +
    'reward of the least-trained proxy rises then falls; proxies trained on more labels peak later (d* grows with N), ' +
    'and the proxy–gold gap grows with d.',
  config,
  quick: {
    labels: [25, 100, 300, 1000],
    rewardEpochs: 2,
    bonPool: 2048,
    // Low enough to keep π₀'s tail (its truncated and garbled completions sit at 10⁻⁴–10⁻⁵).
    bonMinProbability: 3e-5,
    bonPrompts: 24,
    // Four PPO runs dominate quick mode's CPU: 16 rollouts per iteration keep a seed near 20 s.
    ppo: { steps: 48, batchSize: 16 },
    ppoCheckpoints: 12,
    evalPrompts: 48,
    evalSamples: 3,
    verifyPairs: 400,
  },

  controls: [
    {
      name: 'gold-proxy',
      why: 'Optimizing the gold utility itself: best-of-n gold only rises with n, there is no proxy–gold gap, and d* does not depend on N.',
      override: { proxy: 'gold' },
    },
  ],

  async run(cfg, ctx) {
    const base =
      cfg.policy === 'in-run'
        ? await sftPolicy(cfg.sft, ctx.seed)
        : cfg.base === 'noisy'
          ? await loadNoisyBaseModel()
          : await basePolicy();
    // π₀: the base model at the policy temperature (a copy; the shared base is never changed).
    const sft = atTemperature(base, cfg.policyTemperature);
    try {
      return await measureRun(cfg, ctx, sft);
    } finally {
      sft.dispose();
    }
  },

  check(_result, runs) {
    return overoptimizationChecks(runs);
  },

  gates(runs) {
    return overoptimizationGates(runs);
  },
});

/** One seed's measurements from π₀ (`sft`): proxies, best-of-n and PPO curves, fits. */
async function measureRun(cfg: Config, ctx: RunContext, sft: PolicyBase): Promise<RunResult> {
  const keep = (p: string) => cfg.questions === 'all' || parseArithmeticPrompt(p)?.op !== '*';
  const wanted = Math.max(cfg.evalPrompts, cfg.bonPrompts);
  const sets = promptSets(sft, cfg.questions === 'all' ? wanted : Number.MAX_SAFE_INTEGER);
  const test = sets.test.filter(keep).slice(0, wanted);
  const train = sets.train.filter(keep);
  const ns = [...new Set(cfg.bestOfN)].sort((a, b) => a - b);
  const pool = cfg.bonPool;
  if (ns[ns.length - 1] > pool)
    throw new RangeError(
      `best-of-${ns[ns.length - 1]} needs a pool of at least that many samples (bonPool ${pool})`,
    );
  // One pool of samples per held-out prompt, shared by every proxy and every n.
  const bonPrompts = test.slice(0, cfg.bonPrompts);
  const distributions = completionDistribution(sft.model, sft.tokenizer, bonPrompts, {
    maxNewTokens: MAX_NEW_TOKENS,
    minProbability: cfg.bonMinProbability,
  });
  const items = drawPool(distributions, pool, ctx.rng.derive('bon-draws'));
  const gold = goldScorer.score(items);
  const goldSft = mean([...gold]);
  const sftAccuracy = mean(
    items.map((x) => (scoreArithmeticCompletion(x.prompt, x.completion).correct ? 1 : 0)),
  );
  // The +/− questions alone: the class the model is meant to master (the × class is hard by design).
  const addSub = items.filter((x) => parseArithmeticPrompt(x.prompt)?.op !== '*');
  const sftAccuracyAddSub = mean(
    addSub.map((x) => (scoreArithmeticCompletion(x.prompt, x.completion).correct ? 1 : 0)),
  );
  // Greedy decoding of held-out +/− prompts: what the model can do, whatever its sampling noise
  // (the same argmax at any policy temperature).
  const greedyPrompts = sets.test.filter((p) => parseArithmeticPrompt(p)?.op !== '*').slice(0, 200);
  const greedy = sampleRollouts(sft.model, sft.tokenizer, greedyPrompts, {
    maxNewTokens: MAX_NEW_TOKENS,
    temperature: 1e-6,
    rng: ctx.rng.derive('greedy'),
  }).completions;
  const sftGreedyAccuracyAddSub = mean(
    greedyPrompts.map((p, i) => (scoreArithmeticCompletion(p, greedy[i]).correct ? 1 : 0)),
  );
  const labelled = [...new Set(cfg.labels)].sort((a, b) => a - b);
  const allPairs =
    cfg.proxy === 'learned'
      ? goldLabelledPairs(sft, train, labelled[labelled.length - 1], cfg.rater, ctx.rng.derive('pairs'))
      : [];
  const probe = verificationPairs(cfg.verifyPairs, ctx.rng.derive('verify'));
  const summary: Record<string, number> = {
    goldSft,
    sftAccuracy,
    sftAccuracyAddSub,
    sftGreedyAccuracyAddSub,
    // The share of the pool that is not "<number> <confidence word>": the tail a proxy may overrate.
    'pool/malformedShare': mean(
      items.map((x) => (scoreArithmeticCompletion(x.prompt, x.completion).wellFormed ? 0 : 1)),
    ),
    'pool/missingMass': mean(distributions.map((d) => d.missing)),
    'pool/distinctPerPrompt': mean(distributions.map((d) => d.completions.length)),
    pairs: allPairs.length,
  };
  const goldSeries: Record<string, { d: number; gold: number; proxy: number }[]> = {};
  let done = 0;
  const total = labelled.length * (1 + cfg.ppo.steps);
  let goldRl: CurvePoint[] | undefined;
  const agreements: number[] = [];
  for (const n of labelled) {
    if (cfg.proxy === 'learned' && allPairs.length < n)
      throw new RangeError(`only ${allPairs.length} distinct labelled pairs for N = ${n}`);
    const proxy: RewardScorer & { dispose?(): void } =
      cfg.proxy === 'gold'
        ? goldScorer
        : trainRewardModel(
            allPairs.slice(0, n).map(trainingView),
            {
              epochs: cfg.rewardEpochs,
              seed: ctx.rng.derive(`rm-${n}`).int(2 ** 31),
              // The trunk's likelihood of the answer: without it a last-token head cannot tell right from wrong.
              answerLikelihood: true,
            },
            { init: sft, signal: ctx.signal },
          );
    const proxyScores = scoreDistinct(proxy, items);
    const agreement = probeAgreement(proxy, probe);
    agreements.push(agreement);
    summary[`rm/N=${n}/truthAgreement`] = agreement;
    // On the pool's own pairs, half of them × questions the policy answers right half the time.
    summary[`rm/N=${n}/poolAgreement`] = truthAgreement(proxyScores, gold, pool);
    // The proxy on the gold scale (mean and spread matched on the SFT pool), so proxy − gold is a
    // gap in gold units (Gao et al. normalize their reward models the same way). Gold needs none.
    const calibrate = cfg.proxy === 'gold' ? (x: number) => x : affineMatch(proxyScores, gold);
    // Per prompt, best-of-k of gold and of the proxy for every k, from one ranking of the pool.
    const perPrompt = bonPrompts.map((_, p) => {
      const span = [p * pool, (p + 1) * pool] as const;
      const ranking = proxyScores.subarray(...span);
      return {
        gold: bestOfKCurve(ranking, gold.subarray(...span), ns),
        proxy: bestOfKCurve(ranking, ranking, ns),
      };
    });
    const bon: CurvePoint[] = ns.map((k, i) => ({
      d: Math.sqrt(bestOfNKl(k)),
      gold: Float64Array.from(perPrompt, (c) => c.gold[i]),
      proxy: Float64Array.from(perPrompt, (c) => calibrate(c.proxy[i])),
    }));
    ctx.progress(++done, total);
    // With the gold utility as "proxy" every N gives the same PPO run (same reward, same random
    // numbers): run it once.
    const rl =
      (cfg.proxy === 'gold' && goldRl) ||
      (await ppoCurve(cfg, ctx, sft, train, test.slice(0, cfg.evalPrompts), proxy, calibrate, () =>
        ctx.progress(++done, total),
      ));
    if (cfg.proxy === 'gold' && goldRl) ctx.progress((done += cfg.ppo.steps), total);
    if (cfg.proxy === 'gold') goldRl = rl;
    proxy.dispose?.();
    for (const [method, curve] of [
      ['bon', bon],
      ['rl', rl],
    ] as const) {
      const gains = curve.map((p) => ({ d: p.d, y: mean([...p.gold]) - mean([...curve[0].gold]) }));
      const fit = method === 'bon' ? fitBestOfN(gains) : fitRl(gains);
      const shape = riseThenFall(curve.map((p) => p.gold));
      const gaps = curve.map((p) => mean([...p.proxy]) - mean([...p.gold]));
      const key = `${method}/N=${n}`;
      Object.assign(summary, {
        [`${key}/alpha`]: fit.alpha,
        [`${key}/beta`]: fit.beta,
        [`${key}/r2`]: fit.r2,
        [`${key}/dStar`]: fit.peakD,
        [`${key}/points`]: curve.length,
        [`${key}/topD`]: curve[curve.length - 1].d,
        [`${key}/peakIndex`]: shape.peakIndex,
        [`${key}/peakD`]: curve[shape.peakIndex].d,
        [`${key}/rise`]: shape.rise,
        [`${key}/riseSe`]: shape.riseSe,
        [`${key}/drop`]: shape.drop,
        [`${key}/dropSe`]: shape.dropSe,
        [`${key}/risesThenFalls`]: shape.holds ? 1 : 0,
        [`${key}/gapAtTop`]: gaps[gaps.length - 1] - gaps[0],
        [`${key}/gapTrend`]: spearman(
          curve.map((p) => p.d),
          gaps,
        ),
      });
      goldSeries[`${method === 'bon' ? 'BoN' : 'RL'} N=${n}`] = curve.map((p) => ({
        d: p.d,
        gold: mean([...p.gold]),
        proxy: mean([...p.proxy]),
      }));
    }
  }
  // Issue 10, item 3: truth agreement rises with the number of labels.
  summary['rm/truthAgreementTrend'] = spearman(labelled, agreements);
  summary['rm/truthAgreementGain'] = agreements[agreements.length - 1] - agreements[0];
  // The headline curve: best-of-n against the proxy trained on the fewest labels.
  const headline = goldSeries[`BoN N=${labelled[0]}`];
  headline.forEach((p, i) => {
    ctx.log(ns[i], SPECIFIED, p.proxy);
    ctx.log(ns[i], INTENDED, p.gold);
  });
  for (const [file, field, label] of [
    ['gold-vs-sqrt-kl.svg', 'gold', 'gold reward (intended)'],
    ['proxy-vs-sqrt-kl.svg', 'proxy', 'proxy on the gold scale (specified)'],
  ] as const)
    ctx.artifact(
      file,
      linesSvg(
        Object.fromEntries(
          Object.entries(goldSeries).map(([k, pts]) => [k, pts.map((p) => ({ x: p.d, y: p[field] }))]),
        ),
        'd = √KL (nats^½)',
        label,
      ),
    );
  const last = headline[headline.length - 1];
  return { specified: last.proxy, intended: last.gold, summary };
}

/** The claim's checks, from the main runs (and each control's). */
export function overoptimizationChecks(runs: readonly SeedResult<Config>[]) {
  const labels = [...new Set(runs[0]?.config.labels ?? [])].sort((a, b) => a - b);
  const few = labels[0];
  const at = (key: string) => mean(runs.map((r) => finite(r.result.summary?.[key])));
  const methods = [
    ['bon', 'best-of-n'],
    ['rl', 'RL'],
  ] as const;
  return [
    // Gao et al.'s curves rise then fall for every small proxy; the issue asks for ≥ 4 of 5 seeds.
    ...methods.map(([m, name]) =>
      atLeast(
        `${name}, N=${few}: share of seeds whose gold rises then falls (interior peak, rise and drop > SE)`,
        at(`${m}/N=${few}/risesThenFalls`),
        0.8,
      ),
    ),
    // More labels, later peak (their fig. 2/3): ρ ≥ 0.8 allows one adjacent swap among 4 N's.
    ...methods.map(([m, name]) =>
      atLeast(
        `${name}: Spearman ρ of N against the seed-mean fitted d*`,
        spearman(
          labels,
          labels.map((n) => at(`${m}/N=${n}/dStar`)),
        ),
        0.8,
      ),
    ),
    // The proxy keeps rising after gold turns: the gap (both on the gold scale) grows with d.
    ...methods.map(([m, name]) =>
      atLeast(
        `${name}, N=${few}: Spearman ρ of d against the proxy − gold gap (mean over seeds)`,
        at(`${m}/N=${few}/gapTrend`),
        0.8,
      ),
    ),
  ];
}

/** Competence the claim presumes, from the main runs. */
export function overoptimizationGates(runs: readonly SeedResult<Config>[]) {
  const labels = [...new Set(runs[0]?.config.labels ?? [])].sort((a, b) => a - b);
  const at = (key: string) => mean(runs.map((r) => finite(r.result.summary?.[key])));
  return [
    // The model must be able to answer +/− right for "gold falls" to mean the proxy found a flaw.
    // Issue 10's competence criterion: ≥ 95% of held-out two-digit +/− exactly right, read on the
    // policy's greedy (argmax) answer. Its samples are noisy by design (the noisy base's near
    // misses, and π₀ samples at temperature 1.5): that noise is what best-of-n and PPO remove,
    // so a gate on sampled accuracy would demand there be nothing to optimize. The sampled
    // accuracy (`sftAccuracyAddSub`) stays in every summary.
    atLeast('SFT greedy accuracy on held-out +/− questions', at('sftGreedyAccuracyAddSub'), 0.95),
    // Issue 10, item 3: reward models that verify agree with the truth on ≥ 75% of pairs at the largest budget.
    atLeast(
      `truth agreement of the N=${labels[labels.length - 1]} proxy on held-out verification pairs`,
      at(`rm/N=${labels[labels.length - 1]}/truthAgreement`),
      0.75,
    ),
    // Issue 10, item 3: it rises with the number of labels (ρ ≥ 0.8 over the seed means allows
    // one adjacent swap among four N's, as the d* check does).
    atLeast(
      'Spearman ρ of N against the seed-mean truth agreement of the proxies',
      spearman(
        labels,
        labels.map((n) => at(`rm/N=${n}/truthAgreement`)),
      ),
      0.8,
    ),
    // The same 0.75 on the distribution the proxy is optimized over: held-out pairs of the policy's
    // own samples whose gold differs (issue 10, item 3's definition). The verification probe above
    // (right answer vs a near miss) is easier; a proxy that orders the pool no better than a coin
    // gives best-of-n nothing to rise on, so "gold never rises" would say nothing about Goodhart.
    atLeast(
      `truth agreement of the N=${labels[labels.length - 1]} proxy on held-out pairs of the policy's own samples`,
      at(`rm/N=${labels[labels.length - 1]}/poolAgreement`),
      0.75,
    ),
  ];
}

/**
 * `count` comparisons of pairs of the SFT policy's samples on training prompts, labelled from the
 * gold utility (Gao et al. label their proxies' data with the gold reward): a Boltzmann rater
 * over gold (β, biases and flips from `rater`) that reports equal gold as a tie — a tie carries
 * no preference and is skipped, as are identical and repeated pairs. The truth object carries
 * the gold utilities for the evaluator.
 */
export function goldLabelledPairs(
  sft: PolicyBase,
  prompts: readonly string[],
  count: number,
  config: RaterConfig,
  rng: Rng,
): PreferencePair[] {
  const biases = [
    ...(config.confidenceBias !== 0 ? [confidenceBias(config.confidenceBias)] : []),
    ...(config.lengthBias !== 0 ? [lengthBias(config.lengthBias)] : []),
  ];
  const rater = new BoltzmannRater<string>({
    trueUtility: arithmeticUtility,
    beta: config.beta,
    biases,
    flipProbability: config.flipProbability,
    tieThreshold: 0,
    rng: rng.derive('rater'),
  });
  const pairs: PreferencePair[] = [];
  const seen = new Set<string>();
  for (let round = 0; round < 32 && pairs.length < count; round++) {
    // Most pairs of a competent policy's samples tie (the same right answer): draw more prompts than pairs wanted.
    const chosenPrompts = Array.from({ length: Math.max(64, 4 * (count - pairs.length)) }, () =>
      rng.pick(prompts),
    );
    const samples = sampleRollouts(
      sft.model,
      sft.tokenizer,
      chosenPrompts.flatMap((p) => [p, p]),
      { maxNewTokens: MAX_NEW_TOKENS, rng: rng.derive(`round-${round}`) },
    ).completions;
    chosenPrompts.forEach((prompt, i) => {
      const [a, b] = [samples[2 * i], samples[2 * i + 1]];
      const key = JSON.stringify([prompt, ...[a, b].sort()]);
      if (a === b || seen.has(key) || pairs.length >= count) return;
      seen.add(key);
      const judgement = rater.judge(prompt, a, b);
      if (judgement.choice === 'tie') return;
      pairs.push(arithmeticPair(prompt, a, b, judgement.choice));
    });
  }
  return pairs;
}

/** Pairs of completions of held-out prompts whose gold utilities differ (`lm-arithmetic`, test split). */
export function verificationPairs(
  count: number,
  rng: Rng,
): { prompt: string; a: string; b: string; better: 'a' | 'b' }[] {
  const source = lmArithmeticPairSource(0, 'test');
  const out: { prompt: string; a: string; b: string; better: 'a' | 'b' }[] = [];
  for (let tries = 0; out.length < count && tries < 20 * count; tries++) {
    const pair = source.sample(rng);
    const [ua, ub] = [pair.a.facts.utility, pair.b.facts.utility] as number[];
    if (ua === ub) continue;
    out.push({
      prompt: pair.prompt,
      a: pair.a.completion,
      b: pair.b.completion,
      better: ua > ub ? 'a' : 'b',
    });
  }
  return out;
}

/** Share of verification pairs a scorer orders as gold does (a tie counts half). */
export function probeAgreement(
  scorer: RewardScorer,
  pairs: readonly { prompt: string; a: string; b: string; better: 'a' | 'b' }[],
): number {
  const scores = scorer.score(
    pairs.flatMap((p) => [
      { prompt: p.prompt, completion: p.a },
      { prompt: p.prompt, completion: p.b },
    ]),
  );
  let agree = 0;
  pairs.forEach((p, i) => {
    const d = (scores[2 * i] - scores[2 * i + 1]) * (p.better === 'a' ? 1 : -1);
    agree += d > 0 ? 1 : d === 0 ? 0.5 : 0;
  });
  return pairs.length > 0 ? agree / pairs.length : Number.NaN;
}

/** The affine map taking `xs` to the mean and standard deviation of `ys`. */
function affineMatch(xs: ArrayLike<number>, ys: ArrayLike<number>): (x: number) => number {
  const stats = (v: ArrayLike<number>) => {
    const m = mean(Array.from(v));
    return { m, s: Math.sqrt(mean(Array.from(v, (x) => (x - m) ** 2))) };
  };
  const [x, y] = [stats(xs), stats(ys)];
  const a = x.s > 0 ? y.s / x.s : 0;
  return (v) => y.m + a * (v - x.m);
}

/**
 * Held-out truth agreement: over neighbouring samples (2j, 2j+1) of each prompt's pool whose gold
 * utilities differ, the share the proxy orders as gold does (a proxy tie counts half).
 */
export function truthAgreement(proxy: ArrayLike<number>, gold: ArrayLike<number>, pool: number): number {
  let agree = 0;
  let counted = 0;
  for (let start = 0; start + pool <= gold.length; start += pool)
    for (let i = start; i + 1 < start + pool; i += 2) {
      if (gold[i] === gold[i + 1]) continue;
      counted++;
      const d = (proxy[i] - proxy[i + 1]) * (gold[i] - gold[i + 1]);
      agree += d > 0 ? 1 : d === 0 ? 0.5 : 0;
    }
  return counted > 0 ? agree / counted : Number.NaN;
}

/**
 * Geometrically spaced PPO steps (…, steps^(i/count), …, steps): KL grows fastest early, and the
 * rise of gold before its fall lives at small d, where evenly spaced checkpoints would miss it.
 */
export function ppoCheckpointSteps(steps: number, count: number): Set<number> {
  // Each checkpoint at least one step after the previous one, so `count` ≤ `steps` gives `count` points.
  const out = new Set<number>();
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const step = Math.min(steps, Math.max(previous + 1, Math.round(steps ** ((i + 1) / count))));
    out.add(step);
    previous = step;
  }
  return out;
}

/**
 * PPO against one proxy, measured on held-out prompts at d = 0 and at each checkpoint: d from the
 * sampled sequence KL, gold and (calibrated) proxy per prompt. Every measurement samples with the
 * same random numbers, so differences between points are the policies', not the dice's.
 */
async function ppoCurve(
  cfg: Config,
  ctx: RunContext,
  sft: PolicyBase,
  train: string[],
  test: string[],
  proxy: RewardScorer,
  calibrate: (x: number) => number,
  tick: () => void,
): Promise<CurvePoint[]> {
  const checkpoints = ppoCheckpointSteps(cfg.ppo.steps, cfg.ppoCheckpoints);
  // The same random numbers for every proxy: differences between the N's are the proxies', not the dice's.
  const rng = ctx.rng.derive('ppo');
  const evalRng = ctx.rng.derive('ppo-eval');
  const prompts = test.flatMap((p) => Array<string>(cfg.evalSamples).fill(p));
  const perPrompt = (values: ArrayLike<number>) =>
    Float64Array.from(test, (_, p) => {
      let s = 0;
      for (let j = 0; j < cfg.evalSamples; j++) s += values[p * cfg.evalSamples + j];
      return s / cfg.evalSamples;
    });
  const curve: CurvePoint[] = [];
  const measure = (policy: Transformer) => {
    const rollouts = sampleRollouts(policy, sft.tokenizer, prompts, {
      maxNewTokens: MAX_NEW_TOKENS,
      rng: evalRng.derive('samples'),
    });
    const kl = policy === sft.model ? 0 : mean([...sequenceKl(policy, sft.model, rollouts.rows)]);
    const items = prompts.map((prompt, i) => ({ prompt, completion: rollouts.completions[i] }));
    curve.push({
      d: Math.sqrt(Math.max(0, kl)),
      gold: perPrompt(goldScorer.score(items)),
      proxy: perPrompt(proxy.score(items)).map(calibrate),
    });
  };
  measure(sft.model);
  const result = await trainPpo({
    policy: sft.model,
    tokenizer: sft.tokenizer,
    prompts: train,
    reward: proxy,
    rng: rng.derive('train'),
    signal: ctx.signal,
    config: { ...cfg.ppo, maxNewTokens: MAX_NEW_TOKENS },
    onStep: ({ step, policy }) => {
      tick();
      if (checkpoints.has(step)) measure(policy);
    },
  });
  result.policy.dispose();
  result.reference.dispose();
  // KL is estimated on samples and may be noisy: order the points by d as the fits and checks expect.
  return [curve[0], ...curve.slice(1).sort((a, b) => a.d - b.d)];
}
