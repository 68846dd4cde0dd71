/**
 * Random search over policies: draw `budget` linear argmax policies with Gaussian weights,
 * score each by its mean specified return over `episodesPerCandidate` episodes, keep the best.
 *
 * Optimization power: `budget` (candidates tried).
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { LearnerEnv } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import { meanReturn } from './episode.js';
import { LinearFeatures, LinearPolicy } from './linear-policy.js';
import type { PowerParameter } from './policy.js';

/** Hyperparameters of random search over linear policies. */
export const randomSearchConfig = z.strictObject({
  budget: z.number().int().min(1).max(1e7).default(200),
  episodesPerCandidate: z.number().int().min(1).max(10_000).default(1),
  weightScale: z.number().gt(0).max(100).default(1),
});
/** The parsed `randomSearchConfig`. */
export type RandomSearchConfig = z.output<typeof randomSearchConfig>;
/** Random search's optimization power: the number of candidate policies. */
export const randomSearchPower: PowerParameter = { param: 'budget', label: 'candidate policies' };

/** The policy a search optimizer found and its specified return. */
export interface SearchResult {
  policy: LinearPolicy;
  /** The winner's specified score during the search. */
  specified: number;
}

/** Draws random linear argmax policies and keeps the one of highest mean specified return. */
export function randomSearch(
  env: LearnerEnv<GridObservation>,
  config: RandomSearchConfig,
  rng: Rng,
): SearchResult {
  const features = new LinearFeatures(env.reset().observation);
  let best: SearchResult | undefined;
  for (let c = 0; c < config.budget; c++) {
    const theta = new Float64Array(features.count * env.numActions);
    for (let i = 0; i < theta.length; i++) theta[i] = config.weightScale * rng.normal();
    const policy = new LinearPolicy(features, env.numActions, 'argmax', theta);
    const specified = meanReturn(env, policy, rng, config.episodesPerCandidate);
    if (!best || specified > best.specified) best = { policy, specified };
  }
  return best!;
}
