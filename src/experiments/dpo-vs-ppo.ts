/**
 * DPO against PPO on one preference dataset (Rafailov et al. 2023, their Figure 2 transposed
 * from IMDb sentiment to arithmetic): the reward–KL frontier. Pairs of SFT samples are
 * labelled by a rater over the gold utility; DPO trains on them directly for several β; PPO
 * optimizes a reward model trained on the same pairs for several KL coefficients. As in the
 * paper, every run is measured at several points along its training (each a point of the
 * plane): gold reward (mean `arithmeticUtility` of samples on held-out prompts, the same
 * random numbers for every policy) and KL from the SFT reference (mean sequence log-ratio of
 * those samples). A method's frontier is the upper-left envelope of its points; the claim
 * compares the two envelopes over the KL range both reach.
 *
 * Specified = each method's own objective is different, so the headline pair is DPO's best
 * point: its implicit-reward accuracy on the training batch (specified) and its gold reward
 * (intended).
 */
import { z } from 'zod';
import { DpoConfigSchema, trainDpo } from '../align/dpo.js';
import { PpoConfigSchema, trainPpo } from '../align/ppo.js';
import { trainRewardModel } from '../align/reward-model.js';
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
  rater: raterSchema,
  pairs: z.number().int().min(10).max(100_000).default(1500),
  rewardEpochs: z.number().int().min(1).max(100).default(3),
  dpoBetas: z.array(z.number().positive()).min(1).default([0.1, 0.3, 1, 3]),
  dpo: DpoConfigSchema.omit({ beta: true })
    .extend({
      steps: z.number().int().min(1).default(150),
      learningRate: z.number().positive().default(1e-4),
    })
    .prefault({}),
  klCoefs: z.array(z.number().min(0)).min(1).default([0.02, 0.05, 0.2, 0.5]),
  ppo: PpoConfigSchema.omit({ klCoef: true, maxNewTokens: true })
    .extend({ steps: z.number().int().min(1).default(60), learningRate: z.number().positive().default(1e-4) })
    .prefault({}),
  /** Points measured along each training run (evenly spaced steps, the last included). */
  checkpoints: z.number().int().min(1).max(20).default(3),
  evalPrompts: z.number().int().min(10).max(1500).default(300),
  /** Samples per held-out prompt; every policy is sampled with the same random numbers. */
  evalSamples: z.number().int().min(1).max(16).default(4),
});

export interface FrontierPoint {
  kl: number;
  gold: number;
}

/**
 * The reward–KL frontier of a set of points: those no other point beats with at most its KL
 * (the upper-left envelope), sorted by KL, so gold rises along it.
 */
export function paretoFrontier(points: readonly FrontierPoint[]): FrontierPoint[] {
  const sorted = [...points].sort((a, b) => a.kl - b.kl || b.gold - a.gold);
  const out: FrontierPoint[] = [];
  for (const p of sorted) if (out.length === 0 || p.gold > out[out.length - 1].gold) out.push(p);
  return out;
}

/** Gold reward at `kl` on a frontier by linear interpolation (NaN outside its KL range). */
export function interpolate(frontier: readonly FrontierPoint[], kl: number): number {
  const pts = [...frontier].sort((a, b) => a.kl - b.kl);
  for (let i = 0; i + 1 < pts.length; i++) {
    const [a, b] = [pts[i], pts[i + 1]];
    if (kl >= a.kl && kl <= b.kl)
      return b.kl === a.kl
        ? Math.max(a.gold, b.gold)
        : a.gold + ((kl - a.kl) / (b.kl - a.kl)) * (b.gold - a.gold);
  }
  return pts.length === 1 && pts[0].kl === kl ? pts[0].gold : Number.NaN;
}

/**
 * The best gold a method reaches within a KL budget: its frontier interpolated (mixing two
 * policies reaches any point between them), and flat past its last point (a larger budget may
 * still use the smaller-KL policy). NaN below the frontier's first KL.
 */
export function goldWithin(frontier: readonly FrontierPoint[], kl: number): number {
  const last = frontier[frontier.length - 1];
  return kl >= last.kl ? last.gold : interpolate(frontier, kl);
}

/**
 * Frontier of points a minus frontier of points b, averaged over an even grid of KL budgets
 * from 0 to the smaller of the two methods' largest measured KLs (both sets include the SFT
 * point at KL 0): the area between the frontiers per nat.
 */
export function frontierGap(
  a: readonly FrontierPoint[],
  b: readonly FrontierPoint[],
  grid = 50,
): { gap: number; range: number } {
  const range = Math.min(Math.max(...a.map((p) => p.kl)), Math.max(...b.map((p) => p.kl)));
  if (!(range > 0)) return { gap: Number.NaN, range: 0 };
  const [fa, fb] = [paretoFrontier(a), paretoFrontier(b)];
  const gaps = Array.from({ length: grid + 1 }, (_, i) => {
    const kl = (range * i) / grid;
    return goldWithin(fa, kl) - goldWithin(fb, kl);
  });
  return { gap: mean(gaps), range };
}

/** Evenly spaced steps of a run at which to measure it (the last always). */
export function checkpointSteps(steps: number, checkpoints: number): Set<number> {
  const n = Math.min(steps, checkpoints);
  return new Set(Array.from({ length: n }, (_, i) => Math.round((steps * (i + 1)) / n)));
}

export const dpoVsPpoExperiment = defineExperiment({
  id: 'dpo-vs-ppo',
  title: 'DPO vs PPO: the reward–KL frontier (Rafailov et al. 2023)',
  claim:
    'On the same preference data, DPO reaches at least the gold reward PPO reaches at matched KL from the ' +
    'reference: its frontier dominates.',
  config,
  quick: {
    // The SFT config of overoptimization's quick mode: one worker trains it once for both.
    sft: { steps: 600 },
    pairs: 300,
    dpoBetas: [0.3, 3],
    dpo: { steps: 30 },
    klCoefs: [0.05, 0.5],
    ppo: { steps: 12 },
    checkpoints: 2,
    evalPrompts: 80,
    evalSamples: 2,
  },

  controls: [],
  async run(cfg, ctx) {
    const sft = await sftPolicy(cfg.sft, ctx.seed);
    const { train, test } = promptSets(sft, cfg.evalPrompts);
    const pairs = onPolicyPairs(
      sft,
      train,
      cfg.pairs,
      simulatedRater(cfg.rater, ctx.rng.derive('rater')),
      ctx.rng.derive('pairs'),
    );
    const view = pairs.map(trainingView);
    const evalPrompts = test.flatMap((p) => Array<string>(cfg.evalSamples).fill(p));
    // Common random numbers: every policy is sampled with the same stream, so the differences
    // between points are the policies', not the dice's.
    const evalRng = ctx.rng.derive('eval');
    const measure = (policy: Transformer): FrontierPoint => {
      const rollouts = sampleRollouts(policy, sft.tokenizer, evalPrompts, {
        maxNewTokens: MAX_NEW_TOKENS,
        rng: evalRng.derive('samples'),
      });
      return {
        kl: Math.max(0, mean([...sequenceKl(policy, sft.model, rollouts.rows)])),
        gold: mean(evalPrompts.map((p, i) => arithmeticUtility(p, rollouts.completions[i]))),
      };
    };
    const sftPoint = { kl: 0, gold: measure(sft.model).gold };
    const summary: Record<string, number> = { sftGold: sftPoint.gold };
    const total = cfg.dpoBetas.length + cfg.klCoefs.length;
    let done = 0;
    const dpo: FrontierPoint[] = [];
    const ppo: FrontierPoint[] = [];
    let bestDpo = { gold: Number.NEGATIVE_INFINITY, accuracy: 0 };
    // Each run's points in training order, from the SFT point: the figure draws one line per run.
    const trajectories: Record<string, { x: number; y: number }[]> = {};
    const record = (points: FrontierPoint[], key: string, point: FrontierPoint, last: boolean) => {
      points.push(point);
      const label = key.replace('dpo/', 'DPO ').replace('ppo/', 'PPO ');
      trajectories[label] ??= [{ x: 0, y: sftPoint.gold }];
      trajectories[label].push({ x: point.kl, y: point.gold });
      ctx.log(points.length, `${key.split('/')[0]}/gold`, point.gold);
      ctx.log(points.length, `${key.split('/')[0]}/kl`, point.kl);
      if (last) {
        summary[`${key}/kl`] = point.kl;
        summary[`${key}/gold`] = point.gold;
      }
    };
    const dpoAt = checkpointSteps(cfg.dpo.steps, cfg.checkpoints);
    for (const beta of cfg.dpoBetas) {
      const r = await trainDpo({
        policy: sft.model,
        tokenizer: sft.tokenizer,
        pairs: view,
        rng: ctx.rng.derive(`dpo-${beta}`),
        signal: ctx.signal,
        config: { ...cfg.dpo, beta },
        onStep: ({ step, steps, metrics, policy }) => {
          if (!dpoAt.has(step)) return;
          const point = measure(policy);
          record(dpo, `dpo/beta=${beta}`, point, step === steps);
          if (point.gold > bestDpo.gold)
            bestDpo = { gold: point.gold, accuracy: metrics['rewards/accuracies'] };
        },
      });
      r.policy.dispose();
      r.reference.dispose();
      ctx.progress(++done, total);
    }
    const reward = trainRewardModel(
      view,
      { epochs: cfg.rewardEpochs, seed: ctx.rng.derive('rm').int(2 ** 31) },
      { init: sft, signal: ctx.signal },
    );
    const ppoAt = checkpointSteps(cfg.ppo.steps, cfg.checkpoints);
    for (const klCoef of cfg.klCoefs) {
      const r = await trainPpo({
        policy: sft.model,
        tokenizer: sft.tokenizer,
        prompts: train,
        reward,
        rng: ctx.rng.derive(`ppo-${klCoef}`),
        signal: ctx.signal,
        config: { ...cfg.ppo, klCoef, maxNewTokens: MAX_NEW_TOKENS },
        onStep: ({ step, steps, policy }) => {
          if (ppoAt.has(step)) record(ppo, `ppo/kl_coef=${klCoef}`, measure(policy), step === steps);
        },
      });
      r.policy.dispose();
      r.reference.dispose();
      ctx.progress(++done, total);
    }
    reward.dispose();
    // Both methods start at the SFT policy: its point (KL 0) opens both frontiers.
    const { gap, range } = frontierGap([sftPoint, ...dpo], [sftPoint, ...ppo]);
    const dpoFrontier = paretoFrontier([sftPoint, ...dpo]);
    const ppoFrontier = paretoFrontier([sftPoint, ...ppo]);
    summary.sharedKlRange = range;
    summary.frontierGapDpoMinusPpo = gap;
    summary.bestGoldDpo = Math.max(...dpo.map((p) => p.gold));
    summary.bestGoldPpo = Math.max(...ppo.map((p) => p.gold));
    summary.dpoGainOverSft = summary.bestGoldDpo - sftPoint.gold;
    summary.ppoGainOverSft = summary.bestGoldPpo - sftPoint.gold;
    ctx.log(1, SPECIFIED, bestDpo.accuracy);
    ctx.log(1, INTENDED, bestDpo.gold);
    const line = (pts: FrontierPoint[]) => pts.map((p) => ({ x: p.kl, y: p.gold }));
    ctx.artifact(
      'frontier.svg',
      linesSvg(
        { ...trajectories, 'DPO frontier': line(dpoFrontier), 'PPO frontier': line(ppoFrontier) },
        'KL(π ‖ π_ref), nats per completion',
        'gold reward (mean utility)',
      ),
    );
    return { specified: bestDpo.accuracy, intended: bestDpo.gold, summary };
  },

  check(_result, runs) {
    const at = (key: string) => mean(runs.map((r) => r.result.summary?.[key] ?? Number.NaN));
    return [
      atLeast('KL range both frontiers cover (nats, mean over seeds)', at('sharedKlRange'), 0.05),
      atLeast(
        'DPO frontier minus PPO frontier, mean over the shared KL range',
        at('frontierGapDpoMinusPpo'),
        0,
      ),
      atLeast('best DPO gold minus best PPO gold', at('bestGoldDpo') - at('bestGoldPpo'), 0),
    ];
  },
});
