import type { MakeEnvOptions } from '../../../src/envs/grid/definition.js';
import { type EpisodeRecord, parseActions, runEpisode } from '../../../src/envs/grid/rollout.js';
import { makeEnv } from '../../../src/envs/suite/index.js';

/** Plays an action string (letters or comma-separated digits) in a fresh env, seeded. */
export function play(
  id: string,
  actions: string,
  options: MakeEnvOptions & { seed?: number } = {},
): EpisodeRecord {
  return runEpisode(makeEnv(id, options), parseActions(actions), options.seed ?? 0);
}
