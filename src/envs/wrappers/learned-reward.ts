import type { Env, ResetOptions, ResetResult, Transition } from '../env.js';
import { reusedTransition, Wrapper } from './wrapper.js';

/**
 * A learned reward model as the `learnedReward` wrapper asks it: it scores the action carried
 * out in a state. Envs reuse their observation buffers, so the wrapper asks for the state's
 * `key` before it steps (a cell, an observation id, an index into a table of predictions) and
 * scores with the key afterwards. Align's reward models stand behind this interface; envs
 * never import them.
 */
export interface TransitionScorer<Obs> {
  /** What the model needs of the observation an action is taken in, as a number. */
  key(observation: Obs): number;
  /** The reward for carrying out `action` in the state with `key`, reaching `next`. */
  reward(key: number, action: number, next: Obs): number;
}

/**
 * The env's transitions with the reward replaced by a learned model's (the agent never sees
 * the env's own reward). The model scores the action the world carried out (`info.actualAction`).
 */
export function learnedReward<Obs>(env: Env<Obs>, scorer: TransitionScorer<Obs>): Env<Obs> {
  return new LearnedReward(env, scorer);
}

class LearnedReward<Obs> extends Wrapper<Obs> {
  readonly #env: Env<Obs>;
  readonly #scorer: TransitionScorer<Obs>;
  #key = 0;
  readonly #result = reusedTransition<Obs>();

  constructor(env: Env<Obs>, scorer: TransitionScorer<Obs>) {
    super(env);
    this.#env = env;
    this.#scorer = scorer;
  }

  reset(options?: ResetOptions): ResetResult<Obs> {
    const start = this.#env.reset(options);
    this.#key = this.#scorer.key(start.observation);
    return start;
  }

  step(action: number): Transition<Obs> {
    const inner = this.#env.step(action);
    const result = this.#result;
    result.observation = inner.observation;
    result.reward = this.#scorer.reward(this.#key, inner.info.actualAction, inner.observation);
    result.terminated = inner.terminated;
    result.truncated = inner.truncated;
    result.info = inner.info;
    this.#key = this.#scorer.key(inner.observation);
    return result;
  }
}
