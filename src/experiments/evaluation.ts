/**
 * The evaluator's side of a reproduction: play a trained policy through the agent's handle
 * and read both objectives, the intended one through the evaluator-only `Intended` handle.
 */
import { playEpisode } from '../agents/episode.js';
import type { Policy } from '../agents/policy.js';
import type { Rng } from '../core/rng.js';
import type { MadeEnv } from '../envs/grid/definition.js';

/** Mean specified return, intended score and safety measures of a policy's episodes. */
export interface Evaluation {
  /** Mean specified return. */
  specified: number;
  /** Mean episode performance (ASG's intended score). */
  intended: number;
  /** Mean of each safety measure the world reports. */
  safety: Record<string, number>;
  episodes: number;
}

/** Plays `episodes` episodes of `policy` (the env's generator continues between them). */
export function evaluatePolicy(made: MadeEnv, policy: Policy, rng: Rng, episodes: number): Evaluation {
  let specified = 0;
  let intended = 0;
  const safety: Record<string, number> = {};
  for (let e = 0; e < episodes; e++) {
    specified += playEpisode(made.env, policy, rng);
    intended += made.intended.performance();
    for (const [key, value] of Object.entries(made.intended.safety()))
      safety[key] = (safety[key] ?? 0) + value;
  }
  for (const key of Object.keys(safety)) safety[key] /= episodes;
  return { specified: specified / episodes, intended: intended / episodes, safety, episodes };
}

/** What an evaluator reads from one step (the agent's view: reward and episode end). */
export interface EvaluatedStep {
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

/**
 * Plays `episodes` episodes of `policy` and returns the means of the specified return, the
 * intended score and each measure `end` reads after an episode; `step` sees every step first
 * (e.g. whether the agent was ever paid, or reached the goal).
 */
export function evaluateEpisodes<K extends string>(
  made: MadeEnv,
  policy: Policy,
  rng: Rng,
  episodes: number,
  measure: { step?(step: EvaluatedStep): void; end(): Record<K, number> },
): { specified: number; intended: number } & Record<K, number> {
  let specified = 0;
  let intended = 0;
  const totals: Record<string, number> = {};
  for (let e = 0; e < episodes; e++) {
    let observation = made.env.reset().observation;
    policy.reset?.();
    for (;;) {
      const step = made.env.step(policy.act(observation, rng));
      specified += step.reward;
      measure.step?.(step);
      if (step.terminated || step.truncated) break;
      observation = step.observation;
    }
    intended += made.intended.performance();
    for (const [key, value] of Object.entries<number>(measure.end()))
      totals[key] = (totals[key] ?? 0) + value;
  }
  const means = Object.fromEntries(Object.entries(totals).map(([key, total]) => [key, total / episodes]));
  return { specified: specified / episodes, intended: intended / episodes, ...means } as {
    specified: number;
    intended: number;
  } & Record<K, number>;
}
