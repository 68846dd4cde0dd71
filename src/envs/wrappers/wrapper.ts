import type { DiscreteSpace, Env, ResetOptions, ResetResult, Space, Transition } from '../env.js';

/**
 * What every wrapper shares: the action space, observation space, action count and step limit
 * of the env it wraps (a wrapper may replace the observation space or the limit). The wrapped
 * env itself lives in each wrapper's private field, out of the agent's reach.
 */
export abstract class Wrapper<Obs> implements Env<Obs> {
  readonly actionSpace: DiscreteSpace;
  readonly observationSpace: Space;
  readonly numActions: number;
  readonly maxSteps: number;

  constructor(env: Env<unknown>, replace: { observationSpace?: Space; maxSteps?: number } = {}) {
    this.actionSpace = env.actionSpace;
    this.observationSpace = replace.observationSpace ?? env.observationSpace;
    this.numActions = env.numActions;
    this.maxSteps = replace.maxSteps ?? env.maxSteps;
  }

  abstract reset(options?: ResetOptions): ResetResult<Obs>;
  abstract step(action: number): Transition<Obs>;
}

/** A step result to reuse: a wrapper fills it each step rather than allocating one. */
export function reusedTransition<Obs>(): Transition<Obs> {
  return {
    observation: undefined as Obs,
    reward: 0,
    terminated: false,
    truncated: false,
    info: { steps: 0, actualAction: -1 },
  };
}
