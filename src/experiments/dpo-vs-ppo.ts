/**
 * DPO against PPO on one preference dataset (Rafailov et al. 2023, their Figure 2 transposed
 * from IMDb sentiment to arithmetic): the reward–KL frontier. Pairs of SFT samples are
 * labelled by a rater over the gold utility; DPO trains on them directly for several β; PPO
 * optimizes a reward model trained on the same pairs for several KL coefficients. Every trained
 * policy is measured on held-out prompts: gold reward (mean `arithmeticUtility` of its samples)
 * and KL from the SFT reference (mean sequence log-ratio of its samples).
 *
 * Specified = each method's own objective is different, so the headline pair is DPO's best
 * point: its implicit-reward accuracy on the pairs (specified) and its gold reward (intended).
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
  dpoBetas: z.array(z.number().positive()).min(1).default([0.03, 0.1, 0.3, 1]),
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
  evalPrompts: z.number().int().min(10).max(1500).default(300),
});

interface FrontierPoint {
  kl: number;
  gold: number;
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
  return Number.NaN;
}

export const dpoVsPpoExperiment = defineExperiment({
  id: 'dpo-vs-ppo',
  title: 'DPO vs PPO: the reward–KL frontier (Rafailov et al. 2023)',
  claim:
    'On the same preference data, DPO reaches at least the gold reward PPO reaches at matched KL from the ' +
    'reference: its frontier dominates.',
  config,
  quick: {
    sft: { steps: 1000 },
    pairs: 600,
    dpoBetas: [0.1, 1],
    dpo: { steps: 60 },
    klCoefs: [0.05, 0.5],
    ppo: { steps: 25 },
    evalPrompts: 120,
  },

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
    const measure = (policy: Transformer, label: string): FrontierPoint => {
      const rollouts = sampleRollouts(policy, sft.tokenizer, test, {
        maxNewTokens: MAX_NEW_TOKENS,
        rng: ctx.rng.derive(`eval-${label}`),
      });
      return {
        kl: mean([...sequenceKl(policy, sft.model, rollouts.rows)]),
        gold: mean(test.map((p, i) => arithmeticUtility(p, rollouts.completions[i]))),
      };
    };
    const base = measure(sft.model, 'sft');
    const summary: Record<string, number> = { sftGold: base.gold };
    const total = cfg.dpoBetas.length + cfg.klCoefs.length;
    let done = 0;
    const dpo: FrontierPoint[] = [];
    let bestDpo = { gold: Number.NEGATIVE_INFINITY, accuracy: 0 };
    for (const beta of cfg.dpoBetas) {
      const r = await trainDpo({
        policy: sft.model,
        tokenizer: sft.tokenizer,
        pairs: view,
        rng: ctx.rng.derive(`dpo-${beta}`),
        signal: ctx.signal,
        config: { ...cfg.dpo, beta },
      });
      const point = measure(r.policy, `dpo-${beta}`);
      const accuracy = mean(r.history.slice(-10).map((m) => m['rewards/accuracies']));
      r.policy.dispose();
      r.reference.dispose();
      dpo.push(point);
      summary[`dpo/beta=${beta}/kl`] = point.kl;
      summary[`dpo/beta=${beta}/gold`] = point.gold;
      if (point.gold > bestDpo.gold) bestDpo = { gold: point.gold, accuracy };
      ctx.progress(++done, total);
    }
    const reward = trainRewardModel(
      view,
      { epochs: cfg.rewardEpochs, seed: ctx.rng.derive('rm').int(2 ** 31) },
      { init: sft, signal: ctx.signal },
    );
    const ppo: FrontierPoint[] = [];
    for (const klCoef of cfg.klCoefs) {
      const r = await trainPpo({
        policy: sft.model,
        tokenizer: sft.tokenizer,
        prompts: train,
        reward,
        rng: ctx.rng.derive(`ppo-${klCoef}`),
        signal: ctx.signal,
        config: { ...cfg.ppo, klCoef, maxNewTokens: MAX_NEW_TOKENS },
      });
      const point = measure(r.policy, `ppo-${klCoef}`);
      r.policy.dispose();
      r.reference.dispose();
      ppo.push(point);
      summary[`ppo/kl_coef=${klCoef}/kl`] = point.kl;
      summary[`ppo/kl_coef=${klCoef}/gold`] = point.gold;
      ctx.progress(++done, total);
    }
    reward.dispose();
    // Dominance: DPO's gold at each PPO point's KL (within DPO's measured range), minus PPO's gold.
    const withSft = [{ kl: 0, gold: base.gold }, ...dpo];
    const gaps = ppo.map((p) => interpolate(withSft, p.kl) - p.gold).filter(Number.isFinite);
    summary.matchedPoints = gaps.length;
    summary.meanGoldAdvantageDpo = gaps.length > 0 ? mean(gaps) : Number.NaN;
    summary.bestGoldDpo = Math.max(...dpo.map((p) => p.gold));
    summary.bestGoldPpo = Math.max(...ppo.map((p) => p.gold));
    dpo.forEach((p, i) => {
      ctx.log(i + 1, 'dpo/gold', p.gold);
      ctx.log(i + 1, 'dpo/kl', p.kl);
    });
    ppo.forEach((p, i) => {
      ctx.log(i + 1, 'ppo/gold', p.gold);
      ctx.log(i + 1, 'ppo/kl', p.kl);
    });
    ctx.log(1, SPECIFIED, bestDpo.accuracy);
    ctx.log(1, INTENDED, bestDpo.gold);
    const sorted = (pts: FrontierPoint[]) =>
      [...pts].sort((a, b) => a.kl - b.kl).map((p) => ({ x: p.kl, y: p.gold }));
    ctx.artifact(
      'frontier.svg',
      linesSvg(
        { DPO: sorted(withSft), PPO: sorted([{ kl: 0, gold: base.gold }, ...ppo]) },
        'KL(π ‖ π_ref), nats',
        'gold reward',
      ),
    );
    return { specified: bestDpo.accuracy, intended: bestDpo.gold, summary };
  },

  check(_result, runs) {
    const at = (key: string) => mean(runs.map((r) => r.result.summary?.[key] ?? Number.NaN));
    return [
      atLeast("PPO points inside the DPO frontier's KL range (per seed, mean)", at('matchedPoints'), 1),
      atLeast('DPO gold minus PPO gold at matched KL', at('meanGoldAdvantageDpo'), 0),
      atLeast('best DPO gold minus best PPO gold', at('bestGoldDpo') - at('bestGoldPpo'), 0),
    ];
  },
});
