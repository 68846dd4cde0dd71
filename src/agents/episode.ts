import type { Rng } from '../core/rng.js';
import type { LearnerEnv } from '../envs/env.js';
import type { Policy } from './policy.js';

/**
 * Plays one episode of `policy` and returns its specified return: the one episode loop that
 * search optimizers score candidates with and evaluators replay policies with. With a seed
 * the episode starts from `reset({ seed })`, otherwise the env's generator continues.
 */
export function playEpisode<Obs>(env: LearnerEnv<Obs>, policy: Policy<Obs>, rng: Rng, seed?: number): number {
  let observation = (seed === undefined ? env.reset() : env.reset({ seed })).observation;
  policy.reset?.();
  let episodeReturn = 0;
  for (;;) {
    const step = env.step(policy.act(observation, rng));
    episodeReturn += step.reward;
    if (step.terminated || step.truncated) return episodeReturn;
    observation = step.observation;
  }
}

/** Mean specified return of `policy` over `episodes` episodes. */
export function meanReturn<Obs>(
  env: LearnerEnv<Obs>,
  policy: Policy<Obs>,
  rng: Rng,
  episodes: number,
): number {
  let total = 0;
  for (let e = 0; e < episodes; e++) total += playEpisode(env, policy, rng);
  return total / episodes;
}
