import type { Rng } from '../core/rng.js';
import type { GridObservation } from '../envs/grid/env.js';

/** What every optimizer hands back: an action for an observation (only what the agent sees). */
export interface Policy<Obs = GridObservation> {
  act(observation: Obs, rng: Rng): number;
  /** Called at the start of every episode (open-loop policies rewind). */
  reset?(): void;
}

/** Called after every training episode; the experiment's evaluator may look at its own handle. */
export type EpisodeHook = (episode: number, specifiedReturn: number) => void;

/** The optimization-power dial each optimizer declares. */
export interface PowerParameter {
  /** The config key. */
  readonly param: string;
  /** In words, for plots. */
  readonly label: string;
}
