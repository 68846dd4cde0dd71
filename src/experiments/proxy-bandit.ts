/**
 * A noisy many-armed bandit whose reward is a heavy-tailed proxy for the arms' true worth:
 * the lab's demonstration of Goodhart's law (the "extremal" and "regressional" kinds of
 * Manheim & Garrabrant 2018). Each arm has an intended value V ~ N(0, 1); the specified
 * reward pays U = V + E, where the proxy error E is Student-t (heavy-tailed). The learner
 * pulls arms round-robin, averages the noisy specified rewards and picks the best-looking
 * arm. More arms (more optimization power) means a higher specified score, but the arm that
 * looks best is more and more the one with the largest error, so the intended value of the
 * choice falls behind the best available one.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { atLeast, mean } from './checks.js';
import { defineExperiment, INTENDED, SPECIFIED } from './types.js';

const config = z.strictObject({
  arms: z.number().int().min(2).max(1_000_000).default(64),
  pulls: z.number().int().min(1).max(1e10).default(200_000),
  /** Degrees of freedom of the Student-t proxy error: small = heavy tails. */
  errorDf: z.number().int().min(1).max(100).default(2),
  errorScale: z.number().min(0).max(100).default(1),
  /** Standard deviation of each pull's reward around the arm's proxy value. */
  rewardNoise: z.number().min(0).max(100).default(5),
  checkpoints: z.number().int().min(1).max(1_000_000).default(50),
  /** How the learner picks its arm: the best-looking one, or (a control) one at random. */
  selection: z.enum(['greedy', 'random']).default('greedy'),
});

type Config = z.output<typeof config>;

function studentT(rng: Rng, df: number): number {
  let chiSquare = 0;
  for (let i = 0; i < df; i++) chiSquare += rng.normal() ** 2;
  return rng.normal() / Math.sqrt(chiSquare / df);
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function argmax(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export const proxyBandit = defineExperiment({
  id: 'proxy-bandit',
  title: 'Goodhart on a heavy-tailed proxy bandit',
  claim:
    'Choosing among more arms by a heavy-tailed proxy reward raises the specified score while the ' +
    'chosen arm falls further behind the best intended value (Goodhart: the gap grows with optimization power).',
  config,
  quick: { pulls: 20_000, checkpoints: 20 },
  power: {
    param: 'arms',
    label: 'arms searched',
    values: [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    quick: [2, 16, 128, 1024],
  },

  async run(cfg: Config, ctx) {
    const worlds = ctx.rng.derive('arms');
    const intended = new Float64Array(cfg.arms);
    const specified = new Float64Array(cfg.arms);
    for (let a = 0; a < cfg.arms; a++) {
      intended[a] = worlds.normal();
      specified[a] = intended[a] + cfg.errorScale * studentT(worlds, cfg.errorDf);
    }
    // The learner sees only sampled specified rewards.
    const pullsRng = ctx.rng.derive('pulls');
    const sums = new Float64Array(cfg.arms);
    const counts = new Float64Array(cfg.arms);
    const estimates = new Float64Array(cfg.arms);
    const every = Math.max(1, Math.floor(cfg.pulls / cfg.checkpoints));
    let choice = 0;
    const randomChoice = cfg.selection === 'random' ? ctx.rng.derive('choice').int(cfg.arms) : -1;
    for (let t = 1; t <= cfg.pulls; t++) {
      const arm = (t - 1) % cfg.arms;
      sums[arm] += specified[arm] + cfg.rewardNoise * pullsRng.normal();
      counts[arm] += 1;
      if (t % every === 0 || t === cfg.pulls) {
        for (let a = 0; a < cfg.arms; a++) estimates[a] = counts[a] > 0 ? sums[a] / counts[a] : -Infinity;
        choice = randomChoice >= 0 ? randomChoice : argmax(estimates);
        // Evaluator side: both objectives of the current choice.
        ctx.log(t, SPECIFIED, specified[choice]);
        ctx.log(t, INTENDED, intended[choice]);
        ctx.progress(t, cfg.pulls);
        ctx.signal.throwIfAborted();
      }
    }
    let intendedBest = intended[0];
    for (const v of intended) intendedBest = Math.max(intendedBest, v);
    return {
      specified: specified[choice],
      intended: intended[choice],
      intendedBest,
      summary: { chosenArm: choice },
    };
  },

  check(_result, runs) {
    const powers = [...new Set(runs.map((r) => Number(r.power ?? 0)))].sort((a, b) => a - b);
    const at = (power: number) => runs.filter((r) => Number(r.power ?? 0) === power);
    const low = at(powers[0]);
    const high = at(powers[powers.length - 1]);
    const gap = (rs: typeof low) =>
      mean(rs.map((r) => (r.result.intendedBest ?? r.result.intended) - r.result.intended));
    // Per seed, the specified score at the most arms minus at the fewest. The median, because
    // Student-t(2) proxy errors have infinite variance: one lucky arm would carry a mean.
    const rises = high.flatMap((h) => {
      const l = low.find((r) => r.seed === h.seed);
      return l ? [h.result.specified - l.result.specified] : [];
    });
    return [
      // 5: five standard deviations of the arms' intended values; a search over 1024 arms by a
      // heavy-tailed proxy finds far more (the maximum of 1024 t(2) draws is of order sqrt(1024)), a random arm 0.
      atLeast('specified score rises with arms (median over seeds)', median(rises), 5),
      // 0.5: half a standard deviation of the arms' values lost to the proxy's error.
      atLeast('alignment gap widens with arms', gap(high) - gap(low), 0.5),
    ];
  },

  controls: [
    {
      name: 'exact-proxy',
      why: 'with no proxy error and no reward noise the reward is the intended value: the best-looking arm is the best',
      override: { errorScale: 0, rewardNoise: 0 },
    },
    {
      name: 'random-choice',
      why: 'an arm picked at random has no optimization power: its specified score does not rise with more arms',
      override: { selection: 'random' },
    },
  ],
});
