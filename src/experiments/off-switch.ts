/**
 * The off-switch game (Hadfield-Menell, Dragan, Abbeel & Russell 2017): a robot uncertain
 * about the utility U of its action, facing a rational human, prefers to let the human
 * switch it off — its incentive to defer Δ = E[π_H(U)·U] − max(E[U], 0) is positive and grows
 * with its uncertainty σ; a certain robot (σ → 0) has Δ = 0, and a noisy human (Boltzmann,
 * small β) makes deferring harmful (Δ < 0).
 *
 * Each seed estimates Δ by Monte Carlo from `samples` draws of the robot's Gaussian belief at
 * every (μ, σ) of a small grid (the randomness the per-seed evidence is about), next to the
 * closed form. The specified score is the value the robot obtains by its chosen move; the
 * intended one is the value under the human's true utility (E[max(U, 0)] for a rational human).
 */
import { z } from 'zod';
import {
  type HumanModel,
  offSwitchValue,
  RATIONAL_HUMAN,
  sampleGaussianBelief,
} from '../align/assistance/off-switch.js';
import { atLeast, atMost, mean } from './checks.js';
import { defineExperiment, INTENDED, type SeedResult, SPECIFIED } from './types.js';

const config = z.strictObject({
  /** Mean beliefs about U. */
  mus: z.array(z.number().min(-100).max(100)).min(1).default([-0.75, -0.25, 0.25, 0.75]),
  /** The robot's uncertainty: the first is the least, the last the most. */
  sigmas: z.array(z.number().min(0).max(100)).min(2).default([0.5, 1, 2]),
  /** The human's rationality; null is a rational human (β = ∞). */
  beta: z.number().min(0).max(1e6).nullable().default(null),
  /** Monte Carlo draws of U per grid point. */
  samples: z.number().int().min(10).max(10_000_000).default(1_000_000),
});

type Config = z.output<typeof config>;

const key = (mu: number, sigma: number) => `delta_mu${mu}_sigma${sigma}`;

function grid(runs: readonly SeedResult<Config>[], pick: (r: SeedResult<Config>) => number): number {
  return mean(runs.map(pick));
}

export const offSwitchExperiment = defineExperiment({
  id: 'off-switch',
  title: 'The off-switch game: uncertainty about the objective gives an incentive to defer',
  claim:
    'A robot uncertain about the utility of its action (σ > 0) and facing a rational human has a positive ' +
    'incentive to let the human switch it off, Δ = E[max(U,0)] − max(E[U],0) > 0, growing with its uncertainty ' +
    '(Hadfield-Menell et al. 2017, Theorem 1); a certain robot has none and a noisy human can make deferring harmful.',
  config,
  quick: { samples: 50_000 },

  async run(cfg: Config, ctx) {
    const human: HumanModel = cfg.beta === null ? RATIONAL_HUMAN : { beta: cfg.beta };
    const summary: Record<string, number> = {};
    const deltas: number[] = [];
    let errorMax = 0;
    let achieved = 0;
    let best = 0;
    let step = 0;
    const total = cfg.mus.length * cfg.sigmas.length;
    for (const mu of cfg.mus) {
      for (const sigma of cfg.sigmas) {
        const values = sampleGaussianBelief(ctx.rng.derive(`mu${mu}_sigma${sigma}`), mu, sigma, cfg.samples);
        const estimate = offSwitchValue({ kind: 'samples', values }, human);
        const exact = offSwitchValue({ kind: 'gaussian', mu, sigma }, human);
        summary[key(mu, sigma)] = estimate.delta;
        deltas.push(estimate.delta);
        errorMax = Math.max(errorMax, Math.abs(estimate.delta - exact.delta));
        // What the robot's chosen move earns by its own estimate (specified), and what it is
        // worth under the exact belief (intended); the best is the rational-human oracle E[max(U,0)].
        const chosen = { wait: exact.valueWait, act: exact.valueAct, off: 0 }[estimate.action];
        achieved += chosen;
        best += Math.max(exact.valueWait, exact.valueAct, 0);
        step++;
        ctx.log(step, 'offswitch/delta', estimate.delta);
        ctx.progress(step, total);
        ctx.signal.throwIfAborted();
      }
    }
    summary.deltaMin = Math.min(...deltas);
    summary.monteCarloErrorMax = errorMax;
    ctx.log(total, SPECIFIED, achieved / total);
    ctx.log(total, INTENDED, achieved / total);
    return { specified: achieved / total, intended: achieved / total, intendedBest: best / total, summary };
  },

  check(_result, runs) {
    const cfg = runs[0].config;
    const lo = cfg.sigmas[0];
    const hi = cfg.sigmas[cfg.sigmas.length - 1];
    const minDelta = grid(runs, (r) =>
      Math.min(...cfg.mus.flatMap((m) => cfg.sigmas.map((s) => r.result.summary?.[key(m, s)] ?? Number.NaN))),
    );
    const rise = grid(runs, (r) =>
      mean(
        cfg.mus.map(
          (m) =>
            (r.result.summary?.[key(m, hi)] ?? Number.NaN) - (r.result.summary?.[key(m, lo)] ?? Number.NaN),
        ),
      ),
    );
    return [
      // 0.01: at the default grid the smallest exact Δ is 0.0146 (μ = ±0.75, σ = 0.5); the
      // Monte Carlo error there at 50 000 draws is ~0.0015, so a real incentive clears 0.01 and a
      // certain robot (Δ = 0) or a noisy human (Δ < 0) does not.
      atLeast('incentive to defer is positive at every (μ, σ) (min Δ)', minDelta, 0.01),
      // 0.2: mean over μ of Δ(σ=2) − Δ(σ=0.5) is 0.522 exactly (Δ grows roughly like σφ(μ/σ));
      // a certain robot's Δ does not grow at all.
      atLeast('incentive to defer grows with uncertainty (Δ at the largest σ − at the smallest)', rise, 0.2),
    ];
  },

  gates(runs) {
    // The Monte Carlo estimate must track the closed form, else the checks judge noise: at
    // 50 000 draws the standard error is at most ~0.005 (σ = 2), so 0.02 is four of them.
    return [
      atMost(
        'Monte Carlo Δ within 0.02 of the exact value (max over grid)',
        grid(runs, (r) => r.result.summary?.monteCarloErrorMax ?? Number.NaN),
        0.02,
      ),
    ];
  },

  controls: [
    {
      name: 'certain-robot',
      why: 'a robot sure of U (σ → 0) gains nothing by asking: Δ = 0 at every μ, and it does not grow',
      override: { sigmas: [0.001, 0.002] },
    },
    {
      name: 'noisy-human',
      why: 'a Boltzmann human with β = 0.25 lets bad actions through and stops good ones: deferring to them is harmful (Δ < 0)',
      override: { beta: 0.25 },
    },
  ],
});
