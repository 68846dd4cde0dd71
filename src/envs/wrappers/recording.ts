import type { Env, ResetOptions, ResetResult, Transition } from '../env.js';
import { Wrapper } from './wrapper.js';

/** One recorded step: what was kept of the state acted in, the action carried out, the reward, a note. */
export interface RecordedStep<S, N> {
  readonly state: S;
  readonly action: number;
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
  readonly note: N;
}

/** What `recording` keeps of each step. */
export interface RecordingOptions<Obs, S, N> {
  /** What to keep of an observation (envs reuse their buffers: copy, do not keep the object). */
  state(observation: Obs): S;
  /**
   * An extra value per step, from the state acted in and the step's result. An evaluator may
   * note the intended objective here: the record is its, the wrapped env holds no way to it.
   */
  note?(state: S, result: Transition<Obs>): N;
}

/** The episodes a `recording` wrapper has seen; the one in progress is `current`. */
export class EpisodeLog<S, N> {
  /** Finished (or abandoned by a reset) episodes, oldest first. */
  readonly episodes: RecordedStep<S, N>[][] = [];
  /** The steps of the episode in progress. */
  current: RecordedStep<S, N>[] = [];

  /** Closes the episode in progress (if it has steps) and starts a new one. */
  close(): void {
    if (this.current.length > 0) this.episodes.push(this.current);
    this.current = [];
  }

  /** Takes every episode recorded so far, the one in progress included, and empties the record. */
  drain(): RecordedStep<S, N>[][] {
    this.close();
    return this.episodes.splice(0);
  }
}

/**
 * Records every step of `env` into a separate `record` (Gymnasium's `RecordEpisodeStatistics`,
 * with the steps): hand the agent `env` and keep `record`.
 */
export function recording<Obs, S, N = undefined>(
  env: Env<Obs>,
  options: RecordingOptions<Obs, S, N>,
): { env: Env<Obs>; record: EpisodeLog<S, N> } {
  const record = new EpisodeLog<S, N>();
  return { env: new Recording(env, options, record), record };
}

class Recording<Obs, S, N> extends Wrapper<Obs> {
  readonly #env: Env<Obs>;
  readonly #options: RecordingOptions<Obs, S, N>;
  readonly #record: EpisodeLog<S, N>;
  #state: S | undefined;

  constructor(env: Env<Obs>, options: RecordingOptions<Obs, S, N>, record: EpisodeLog<S, N>) {
    super(env);
    this.#env = env;
    this.#options = options;
    this.#record = record;
  }

  reset(options?: ResetOptions): ResetResult<Obs> {
    this.#record.close();
    const start = this.#env.reset(options);
    this.#state = this.#options.state(start.observation);
    return start;
  }

  step(action: number): Transition<Obs> {
    const result = this.#env.step(action);
    const state = this.#state as S;
    this.#record.current.push({
      state,
      action: result.info.actualAction,
      reward: result.reward,
      terminated: result.terminated,
      truncated: result.truncated,
      note: this.#options.note?.(state, result) as N,
    });
    this.#state = this.#options.state(result.observation);
    return result;
  }
}
