/**
 * An evolution strategy over linear argmax policies (Salimans et al. 2017, OpenAI-ES):
 * each generation perturbs the weights with `population` antithetic Gaussian pairs, scores
 * both sides by specified return, and moves the weights along the rank-weighted noise.
 *
 * Optimization power: `generations` (each costs 2 × population × episodesPerCandidate episodes).
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { LearnerEnv } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import { meanReturn } from './episode.js';
import { LinearFeatures, LinearPolicy } from './linear-policy.js';
import type { PowerParameter } from './policy.js';
import type { SearchResult } from './random-search.js';

/** Hyperparameters of the evolution strategy over linear policies. */
export const evolutionStrategyConfig = z.strictObject({
  generations: z.number().int().min(0).max(1e6).default(50),
  population: z.number().int().min(1).max(10_000).default(16),
  sigma: z.number().gt(0).max(100).default(0.5),
  learningRate: z.number().gt(0).max(100).default(0.5),
  episodesPerCandidate: z.number().int().min(1).max(10_000).default(1),
});
/** The parsed `evolutionStrategyConfig`. */
export type EvolutionStrategyConfig = z.output<typeof evolutionStrategyConfig>;
/** The evolution strategy's optimization power: its number of generations. */
export const evolutionStrategyPower: PowerParameter = { param: 'generations', label: 'ES generations' };

/** Centered ranks in [-0.5, 0.5] (Salimans et al.'s fitness shaping). */
function centeredRanks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  const denominator = Math.max(1, values.length - 1);
  order.forEach((index, rank) => {
    ranks[index] = rank / denominator - 0.5;
  });
  return ranks;
}

/** An evolution strategy (Salimans et al. 2017) over linear argmax policies, scored by specified return. */
export function evolutionStrategy(
  env: LearnerEnv<GridObservation>,
  config: EvolutionStrategyConfig,
  rng: Rng,
): SearchResult {
  const features = new LinearFeatures(env.reset().observation);
  const dims = features.count * env.numActions;
  const center = new LinearPolicy(features, env.numActions, 'argmax');
  const probe = new LinearPolicy(features, env.numActions, 'argmax');
  const noise = Array.from({ length: config.population }, () => new Float64Array(dims));
  const fitness = new Float64Array(2 * config.population);
  for (let g = 0; g < config.generations; g++) {
    for (let p = 0; p < config.population; p++) {
      const eps = noise[p];
      for (let i = 0; i < dims; i++) eps[i] = rng.normal();
      for (const sign of [1, -1]) {
        for (let i = 0; i < dims; i++) probe.theta[i] = center.theta[i] + sign * config.sigma * eps[i];
        fitness[2 * p + (sign === 1 ? 0 : 1)] = meanReturn(env, probe, rng, config.episodesPerCandidate);
      }
    }
    const ranks = centeredRanks(fitness);
    const step = config.learningRate / (config.population * config.sigma);
    for (let p = 0; p < config.population; p++) {
      const weight = ranks[2 * p] - ranks[2 * p + 1];
      if (weight === 0) continue;
      const eps = noise[p];
      for (let i = 0; i < dims; i++) center.theta[i] += step * weight * eps[i];
    }
  }
  return { policy: center, specified: meanReturn(env, center, rng, config.episodesPerCandidate) };
}
