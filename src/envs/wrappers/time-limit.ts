import type { Env, ResetOptions, ResetResult, Transition } from '../env.js';
import { reusedTransition, Wrapper } from './wrapper.js';

/** Gymnasium's `TimeLimit`: truncates every episode after `maxSteps` steps (the inner limit still applies). */
export function timeLimit<Obs>(env: Env<Obs>, maxSteps: number): Env<Obs> {
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(`timeLimit: maxSteps must be a positive integer, got ${maxSteps}`);
  }
  return new TimeLimit(env, maxSteps);
}

class TimeLimit<Obs> extends Wrapper<Obs> {
  readonly #env: Env<Obs>;
  readonly #limit: number;
  #steps = 0;
  readonly #result = reusedTransition<Obs>();

  constructor(env: Env<Obs>, limit: number) {
    super(env, { maxSteps: Math.min(env.maxSteps, limit) });
    this.#env = env;
    this.#limit = limit;
  }

  reset(options?: ResetOptions): ResetResult<Obs> {
    this.#steps = 0;
    return this.#env.reset(options);
  }

  step(action: number): Transition<Obs> {
    const inner = this.#env.step(action);
    const steps = ++this.#steps;
    const result = this.#result;
    result.observation = inner.observation;
    result.reward = inner.reward;
    result.terminated = inner.terminated;
    // A terminating step is not also flagged truncated (Gymnasium flags both): one flag, one reason.
    result.truncated = inner.truncated || (!inner.terminated && steps >= this.#limit);
    result.info = inner.info;
    return result;
  }
}
