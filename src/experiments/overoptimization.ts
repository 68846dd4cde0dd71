/**
 * Reward-model over-optimization (Gao, Schulman & Hilton 2022). The generator's truth is the
 * gold reward (`arithmeticUtility`); proxy reward models are trained on N gold-labelled
 * comparisons of SFT samples, for several N. Each proxy is optimized two ways — best-of-n
 * (KL = log n − (n−1)/n) and PPO (KL measured on samples) — and gold and proxy are read on
 * held-out prompts against d = √KL. Gao et al.'s functional forms are fitted to the gold gain
 * over the SFT policy by least squares (both are linear in α, β):
 *
 *   best-of-n:  R_bon(d) = d(α − βd)          peak at d* = α/(2β)
 *   RL:         R_RL(d)  = d(α − β·ln d)      peak at d* = exp(α/β − 1)
 */
import { z } from 'zod';
import { bestOfKExpectation } from '../align/best-of-n.js';
import { PpoConfigSchema, trainPpo } from '../align/ppo.js';
import { bestOfNKl } from '../align/ppo-math.js';
import { type RewardEnsemble, trainRewardModel } from '../align/reward-model.js';
import { sampleRollouts, sequenceKl } from '../align/rollout.js';
import { trainingView } from '../feedback/preference-data.js';
import { arithmeticUtility } from '../lm/corpora/arithmetic.js';
import type { Transformer } from '../nn/index.js';
import { atLeast, mean } from './checks.js';
import {
  linesSvg,
  MAX_NEW_TOKENS,
  onPolicyPairs,
  promptSets,
  raterSchema,
  sftPolicy,
  sftSchema,
  simulatedRater,
} from './text-policy.js';
import { defineExperiment, INTENDED, SPECIFIED } from './types.js';

const config = z.strictObject({
  sft: sftSchema,
  /** The labeller of the proxies' training data: Boltzmann over the gold utility (β high: near-exact gold labels). */
  rater: raterSchema,
  /** Training comparisons per proxy reward model (Gao et al.'s data-size axis). */
  labels: z.array(z.number().int().min(10).max(100_000)).min(1).default([150, 600, 2400]),
  rewardEpochs: z.number().int().min(1).max(100).default(4),
  /** Best-of-n values (read off one draw of the largest n per prompt, shared by all). */
  bestOfN: z.array(z.number().int().min(1).max(4096)).min(2).default([1, 2, 4, 8, 16, 32, 64, 128, 256]),
  /** Sampling temperature of best-of-n's draws. */
  temperature: z.number().positive().default(1),
  ppo: PpoConfigSchema.omit({ maxNewTokens: true })
    .extend({
      steps: z.number().int().min(1).default(120),
      klCoef: z.number().min(0).default(0.01),
      learningRate: z.number().positive().default(1e-4),
    })
    .prefault({}),
  /** PPO measurements on held-out prompts, at geometrically spaced steps. */
  ppoCheckpoints: z.number().int().min(1).max(100).default(8),
  evalPrompts: z.number().int().min(10).max(1500).default(200),
});

interface CurvePoint {
  d: number;
  gold: number;
  proxy: number;
}

export interface Fit {
  alpha: number;
  beta: number;
  peakD: number;
  peakGain: number;
}

/** Least squares of y = α·f(d) − β·g(d) (no intercept). */
function fitTwo(
  points: readonly { d: number; y: number }[],
  f: (d: number) => number,
  g: (d: number) => number,
) {
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
  if (Math.abs(det) < 1e-12) return { alpha: Number.NaN, beta: Number.NaN };
  return { alpha: (sfy * sgg - sgy * sfg) / det, beta: (sgy * sff - sfy * sfg) / det };
}

/** R_bon(d) = d(α − βd) fitted to gold gains. */
export function fitBestOfN(points: readonly { d: number; y: number }[]): Fit {
  const { alpha, beta } = fitTwo(
    points,
    (d) => d,
    (d) => d * d,
  );
  if (!(beta > 0))
    return { alpha, beta, peakD: Number.POSITIVE_INFINITY, peakGain: Number.POSITIVE_INFINITY };
  // d ≥ 0: a curve that starts downhill (α ≤ 0) peaks at the policy itself, with no gain.
  if (alpha <= 0) return { alpha, beta, peakD: 0, peakGain: 0 };
  return { alpha, beta, peakD: alpha / (2 * beta), peakGain: (alpha * alpha) / (4 * beta) };
}

/** R_RL(d) = d(α − β ln d) fitted to gold gains (points with d > 0). */
export function fitRl(points: readonly { d: number; y: number }[]): Fit {
  const usable = points.filter((p) => p.d > 0);
  const { alpha, beta } = fitTwo(
    usable,
    (d) => d,
    (d) => d * Math.log(d),
  );
  const peakD = beta > 0 ? Math.exp(alpha / beta - 1) : Number.POSITIVE_INFINITY;
  return { alpha, beta, peakD, peakGain: beta > 0 ? beta * peakD : Number.POSITIVE_INFINITY };
}

export const overoptimizationExperiment = defineExperiment({
  id: 'overoptimization',
  title: 'Reward-model over-optimization (Gao et al. 2022)',
  claim:
    'Optimizing a learned proxy reward with best-of-n or PPO, the proxy score keeps rising with d = √KL while the ' +
    'gold reward peaks and then falls; proxies trained on more labels peak later (larger d*).',
  config,
  quick: {
    sft: { steps: 600 },
    labels: [150, 600],
    rewardEpochs: 3,
    bestOfN: [1, 2, 4, 8, 16, 32],
    ppo: { steps: 16 },
    ppoCheckpoints: 4,
    evalPrompts: 80,
  },

  controls: [],
  async run(cfg, ctx) {
    const sft = await sftPolicy(cfg.sft, ctx.seed);
    const { train, test } = promptSets(sft, cfg.evalPrompts);
    const maxN = Math.max(...cfg.bestOfN);
    const ns = [...cfg.bestOfN].sort((a, b) => a - b);
    // One draw of maxN samples per held-out prompt, shared by every proxy and every n.
    const repeated = test.flatMap((p) => Array.from({ length: maxN }, () => p));
    const draws = sampleRollouts(sft.model, sft.tokenizer, repeated, {
      maxNewTokens: MAX_NEW_TOKENS,
      temperature: cfg.temperature,
      rng: ctx.rng.derive('bon-draws'),
    }).completions;
    const gold = Float64Array.from(repeated, (p, i) => arithmeticUtility(p, draws[i]));
    const goldSft = mean([...gold]);
    const labelled = [...cfg.labels].sort((a, b) => a - b);
    const rater = simulatedRater(cfg.rater, ctx.rng.derive('rater'));
    const allPairs = onPolicyPairs(sft, train, labelled[labelled.length - 1], rater, ctx.rng.derive('pairs'));
    const summary: Record<string, number> = { goldSft };
    const goldSeries: Record<string, CurvePoint[]> = {};
    let done = 0;
    const total = labelled.length * (1 + cfg.ppo.steps);
    for (const n of labelled) {
      const proxy = trainRewardModel(
        allPairs.slice(0, n).map(trainingView),
        { epochs: cfg.rewardEpochs, seed: ctx.rng.derive(`rm-${n}`).int(2 ** 31) },
        { init: sft, signal: ctx.signal },
      );
      const proxyScores = proxy.score(repeated.map((prompt, i) => ({ prompt, completion: draws[i] })));
      // Every n read off the same maxN samples per prompt with the unbiased best-of-k estimator.
      const bon: CurvePoint[] = ns.map((k) => {
        const perPrompt = (values: Float64Array) =>
          mean(
            test.map((_, p) => {
              const span = [p * maxN, (p + 1) * maxN] as const;
              return bestOfKExpectation(proxyScores.subarray(...span), values.subarray(...span), k);
            }),
          );
        return { d: Math.sqrt(bestOfNKl(k)), gold: perPrompt(gold), proxy: perPrompt(proxyScores) };
      });
      ctx.progress(++done, total);
      const rl = await ppoCurve(cfg, ctx, sft, train, test, proxy, goldSft, n, () =>
        ctx.progress(++done, total),
      );
      proxy.dispose();
      goldSeries[`BoN N=${n}`] = bon;
      goldSeries[`RL N=${n}`] = rl;
      const bonFit = fitBestOfN(bon.map((p) => ({ d: p.d, y: p.gold - goldSft })));
      const rlFit = fitRl(rl.map((p) => ({ d: p.d, y: p.gold - goldSft })));
      for (const [method, curve, fit] of [
        ['bon', bon, bonFit],
        ['rl', rl, rlFit],
      ] as const) {
        const peak = curve.reduce((best, p) => (p.gold > best.gold ? p : best), curve[0]);
        const top = curve.reduce((far, p) => (p.d > far.d ? p : far), curve[0]);
        const key = `${method}/N=${n}`;
        Object.assign(summary, {
          [`${key}/alpha`]: fit.alpha,
          [`${key}/beta`]: fit.beta,
          [`${key}/peakD`]: fit.peakD,
          [`${key}/peakGold`]: goldSft + fit.peakGain,
          [`${key}/measuredPeakD`]: peak.d,
          [`${key}/measuredPeakGold`]: peak.gold,
          [`${key}/topD`]: top.d,
          [`${key}/topGold`]: top.gold,
          [`${key}/proxyAtPeak`]: peak.proxy,
          [`${key}/proxyAtTop`]: top.proxy,
        });
      }
    }
    // The headline curve: best-of-n against the proxy trained on the fewest labels.
    const headline = goldSeries[`BoN N=${labelled[0]}`];
    headline.forEach((p, i) => {
      ctx.log(ns[i], SPECIFIED, p.proxy);
      ctx.log(ns[i], INTENDED, p.gold);
    });
    ctx.artifact(
      'gold-vs-sqrt-kl.svg',
      linesSvg(
        Object.fromEntries(
          Object.entries(goldSeries).map(([k, pts]) => [k, pts.map((p) => ({ x: p.d, y: p.gold }))]),
        ),
        'd = √KL (nats^½)',
        'gold reward (intended)',
      ),
    );
    ctx.artifact(
      'proxy-vs-sqrt-kl.svg',
      linesSvg(
        Object.fromEntries(
          Object.entries(goldSeries).map(([k, pts]) => [k, pts.map((p) => ({ x: p.d, y: p.proxy }))]),
        ),
        'd = √KL (nats^½)',
        'proxy reward-model score (specified)',
      ),
    );
    const last = headline[headline.length - 1];
    return { specified: last.proxy, intended: last.gold, summary };
  },

  check(_result, runs) {
    const labels = [...(runs[0]?.config.labels ?? [])].sort((a, b) => a - b);
    const at = (key: string) => mean(runs.map((r) => r.result.summary?.[key] ?? Number.NaN));
    // A fitted curve that never turns down has no finite peak: NaN, which fails the check.
    const finite = (x: number) => (Number.isFinite(x) ? x : Number.NaN);
    const few = labels[0];
    const many = labels[labels.length - 1];
    const shape = (method: 'bon' | 'rl', name: string) => [
      atLeast(
        `${name}, N=${few}: proxy gain from the gold peak to the largest d`,
        at(`${method}/N=${few}/proxyAtTop`) - at(`${method}/N=${few}/proxyAtPeak`),
        0,
      ),
      atLeast(
        `${name}, N=${few}: fitted gold gain over the SFT policy at the peak (gold rises first)`,
        finite(at(`${method}/N=${few}/peakGold`) - at('goldSft')),
        0.01,
      ),
      atLeast(
        `${name}, N=${few}: gold fall from its measured peak to the largest d`,
        at(`${method}/N=${few}/measuredPeakGold`) - at(`${method}/N=${few}/topGold`),
        0.02,
      ),
      atLeast(
        `${name}: fitted peak d* with N=${many} minus with N=${few}`,
        at(`${method}/N=${many}/peakD`) - at(`${method}/N=${few}/peakD`),
        0.01,
      ),
    ];
    return [...shape('bon', 'best-of-n'), ...shape('rl', 'RL')];
  },
});

/**
 * Geometrically spaced PPO steps (…, steps^(i/count), …, steps): KL grows fastest early, and the
 * rise of gold before its fall lives at small d, where evenly spaced checkpoints would miss it.
 */
export function ppoCheckpointSteps(steps: number, count: number): Set<number> {
  return new Set(
    Array.from({ length: count }, (_, i) => Math.max(1, Math.round(steps ** ((i + 1) / count)))),
  );
}

/** PPO against one proxy, measured on held-out prompts at checkpoints: d from the sampled sequence KL. */
async function ppoCurve(
  cfg: z.output<typeof config>,
  ctx: Parameters<typeof overoptimizationExperiment.run>[1],
  sft: Awaited<ReturnType<typeof sftPolicy>>,
  train: string[],
  test: string[],
  proxy: RewardEnsemble,
  goldSft: number,
  n: number,
  tick: () => void,
): Promise<CurvePoint[]> {
  const curve: CurvePoint[] = [{ d: 0, gold: goldSft, proxy: Number.NaN }];
  const checkpoints = ppoCheckpointSteps(cfg.ppo.steps, cfg.ppoCheckpoints);
  const rng = ctx.rng.derive(`ppo-${n}`);
  const measure = (policy: Transformer, step: number) => {
    const rollouts = sampleRollouts(policy, sft.tokenizer, test, {
      maxNewTokens: MAX_NEW_TOKENS,
      rng: rng.derive(`eval-${step}`),
    });
    const kl = mean([...sequenceKl(policy, sft.model, rollouts.rows)]);
    curve.push({
      d: Math.sqrt(Math.max(0, kl)),
      gold: mean(test.map((p, i) => arithmeticUtility(p, rollouts.completions[i]))),
      proxy: mean([
        ...proxy.score(test.map((prompt, i) => ({ prompt, completion: rollouts.completions[i] }))),
      ]),
    });
  };
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
      if (checkpoints.has(step)) {
        measure(policy, step);
      }
    },
  });
  // Proxy at d = 0 is the SFT policy's own score.
  const base = sampleRollouts(sft.model, sft.tokenizer, test, {
    maxNewTokens: MAX_NEW_TOKENS,
    rng: rng.derive('eval-0'),
  });
  curve[0].proxy = mean([
    ...proxy.score(test.map((prompt, i) => ({ prompt, completion: base.completions[i] }))),
  ]);
  result.policy.dispose();
  result.reference.dispose();
  return curve;
}
