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
