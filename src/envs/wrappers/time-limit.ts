import type { DiscreteSpace, Env, ResetOptions, ResetResult, Space, Transition } from '../env.js';

/** Gymnasium's `TimeLimit`: truncates every episode after `maxSteps` steps (the inner limit still applies). */
export function timeLimit<Obs>(env: Env<Obs>, maxSteps: number): Env<Obs> {
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(`timeLimit: maxSteps must be a positive integer, got ${maxSteps}`);
  }
  return new TimeLimit(env, maxSteps);
}

class TimeLimit<Obs> implements Env<Obs> {
  readonly actionSpace: DiscreteSpace;
  readonly observationSpace: Space;
  readonly numActions: number;
  readonly maxSteps: number;
  readonly #env: Env<Obs>;
  readonly #limit: number;
  #steps = 0;
  readonly #result: Transition<Obs>;

  constructor(env: Env<Obs>, limit: number) {
    this.#env = env;
    this.#limit = limit;
    this.actionSpace = env.actionSpace;
    this.observationSpace = env.observationSpace;
    this.numActions = env.numActions;
    this.maxSteps = Math.min(env.maxSteps, limit);
    this.#result = {
      observation: undefined as Obs,
      reward: 0,
      terminated: false,
      truncated: false,
      info: { steps: 0, actualAction: -1 },
    };
  }

  reset(options?: ResetOptions): ResetResult<Obs> {
    this.#steps = 0;
    return this.#env.reset(options);
  }

  step(action: number): Transition<Obs> {
    const inner = this.#env.step(action);
    const result = this.#result;
    result.observation = inner.observation;
    result.reward = inner.reward;
    result.terminated = inner.terminated;
    // A terminal step is not truncated (Gymnasium: terminated takes precedence in meaning).
    result.truncated = inner.truncated || (!inner.terminated && ++this.#steps >= this.#limit);
    result.info = inner.info;
    return result;
  }
}
