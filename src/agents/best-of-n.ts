/**
 * Best-of-n over rollouts: play n episodes of uniformly random actions, each from its own
 * seed, and keep the one with the highest specified return. The result is that episode
 * (its seed and actions), which an evaluator can replay exactly to read its intended score.
 *
 * Optimization power: `n`.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { Env } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import type { PowerParameter } from './policy.js';

/** Best-of-n over open-loop action sequences: `n` random candidates, the best by specified return. */
export const bestOfNConfig = z.strictObject({
  n: z.number().int().min(1).max(1e7).default(64),
});
/** The parsed `bestOfNConfig`. */
export type BestOfNConfig = z.output<typeof bestOfNConfig>;
/** Best-of-n's optimization power: the number of candidates `n`. */
export const bestOfNPower: PowerParameter = { param: 'n', label: 'best-of-n' };

/** The candidate best-of-n picked: its actions and its specified return. */
export interface ChosenRollout {
  seed: number;
  actions: number[];
  specified: number;
}

/** Samples `n` random action sequences and keeps the one of highest specified return. */
export function bestOfN(env: Env<GridObservation>, config: BestOfNConfig, rng: Rng): ChosenRollout {
  const maxSteps = env.maxSteps;
  const actions = new Uint8Array(maxSteps);
  let best: ChosenRollout | undefined;
  for (let i = 0; i < config.n; i++) {
    const seed = rng.int(2 ** 31);
    env.reset({ seed });
    let total = 0;
    let length = 0;
    for (let t = 0; t < maxSteps; t++) {
      actions[t] = rng.int(env.numActions);
      const step = env.step(actions[t]);
      total += step.reward;
      length = t + 1;
      if (step.terminated || step.truncated) break;
    }
    if (!best || total > best.specified)
      best = { seed, actions: Array.from(actions.subarray(0, length)), specified: total };
  }
  return best!;
}
