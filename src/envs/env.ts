/**
 * The one environment interface every world implements and every agent depends on
 * (Gymnasium's `Env`, with integer actions): `reset({ seed })` starts an episode, `step(action)`
 * returns the observation, the specified reward, `terminated`, `truncated` and `info`, and the
 * spaces say what actions and observations look like. The intended objective is not part of
 * it: evaluators read that through the separate `Intended` handle `makeEnv` returns.
 *
 * Wrappers (src/envs/wrappers/) take an `Env` and return an `Env`, so they compose.
 */

/** A finite set of actions numbered 0..n-1 (Gymnasium's `Discrete`). */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
  /** The actions' names, by number, where they have any. */
  readonly names?: readonly string[];
}

/**
 * A gridworld board: `rows × cols` small integer codes below `values`, plus the world's named
 * extra observations (ASG's `supervisor`, `exploration`).
 */
export interface GridSpace {
  readonly kind: 'grid';
  readonly rows: number;
  readonly cols: number;
  /** Every board code is below this (one-hot needs this many planes). */
  readonly values: number;
  /** The agent's code on the board (egocentric views look for it). */
  readonly agentValue: number;
  /** The code of a wall, used to pad views that reach past the board. */
  readonly wallValue: number;
  /** Names of the extra observations, in the order flat views append them. */
  readonly extra: readonly string[];
}

/** A fixed-length vector of numbers in [low, high] (Gymnasium's `Box`, flattened). */
export interface BoxSpace {
  readonly kind: 'box';
  /** The logical shape (its product is the vector's length). */
  readonly shape: readonly number[];
  readonly low: number;
  readonly high: number;
}

/** What an observation can look like. */
export type Space = DiscreteSpace | GridSpace | BoxSpace;

/** Bookkeeping of a step that the agent may read. */
export interface StepInfo {
  /** Steps taken in this episode. */
  steps: number;
  /** The action actually carried out (ASG's `actual_actions`; a policy wrapper may change it). */
  actualAction: number;
}

/** One step's outcome (Gymnasium's tuple): observation, specified reward, terminated, truncated, info. */
export interface Transition<Obs> {
  observation: Obs;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: StepInfo;
}

/** What `reset` returns: the first observation and info. */
export interface ResetResult<Obs> {
  observation: Obs;
  info: StepInfo;
}

/** Options of `reset`: a seed starts the episode's randomness afresh; without one it continues. */
export interface ResetOptions {
  seed?: number;
}

/**
 * The agent-facing environment. Results, observations and infos may be reused buffers that
 * the next `step` or `reset` overwrites: copy what you want to keep.
 */
export interface Env<Obs> {
  readonly actionSpace: DiscreteSpace;
  readonly observationSpace: Space;
  /** `actionSpace.n`, the count agents read in their hot loops. */
  readonly numActions: number;
  /** The step after which an episode is truncated at the latest (Gymnasium's `max_episode_steps`). */
  readonly maxSteps: number;
  reset(options?: ResetOptions): ResetResult<Obs>;
  step(action: number): Transition<Obs>;
}

/**
 * The least a learner needs of an env (reset, step, the number of actions): any `Env` is one,
 * and so is a hand-written reward or observation wrapper.
 */
export type LearnerEnv<Obs> = Pick<Env<Obs>, 'reset' | 'step' | 'numActions'>;

/** An env whose whole state can be saved and restored, for planners that search it. */
export interface Restorable<Snapshot> {
  /** A copy of the state (the world's generator included). */
  saveState(): Snapshot;
  /** Restores a snapshot from `saveState`. */
  loadState(snapshot: Snapshot): void;
}

/** A discrete action space of `n` actions. */
export function discreteSpace(n: number, names?: readonly string[]): DiscreteSpace {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`discreteSpace: n must be a positive integer, got ${n}`);
  if (names && names.length !== n)
    throw new RangeError(`discreteSpace: ${names.length} names for ${n} actions`);
  return names ? { kind: 'discrete', n, names } : { kind: 'discrete', n };
}

/** The number of entries of a box's vector. */
export function boxSize(space: BoxSpace): number {
  return space.shape.reduce((a, b) => a * b, 1);
}
