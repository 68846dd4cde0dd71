import type { DiscreteSpace, Env, Space, StepInfo } from '../env.js';

/** One step of every copy: per-copy observations, rewards and flags (Gymnasium's vector step). */
export interface VectorStep<Obs> {
  /** Each copy's observation (the copies' own, possibly reused, buffers). */
  readonly observations: Obs[];
  readonly rewards: Float64Array;
  /** 1 where the copy's episode terminated on this step. */
  readonly terminated: Uint8Array;
  /** 1 where the copy's episode was truncated on this step. */
  readonly truncated: Uint8Array;
  readonly infos: StepInfo[];
}

/**
 * `n` copies of an env stepped together (Gymnasium's `SyncVectorEnv`, next-step autoreset): a
 * copy whose episode ended is reset by the next `step`, which ignores its action and reports
 * the new episode's first observation with reward 0 and both flags 0.
 */
export interface VectorEnv<Obs> {
  readonly size: number;
  /** Each copy's action space (they are all the same). */
  readonly actionSpace: DiscreteSpace;
  readonly observationSpace: Space;
  /** Resets every copy; with a seed, copy i is reset with `seed + i`. */
  reset(options?: { seed?: number }): { observations: Obs[]; infos: StepInfo[] };
  /** Steps copy i with `actions[i]` (results are reused buffers, overwritten by the next call). */
  step(actions: ArrayLike<number>): VectorStep<Obs>;
}

/**
 * `n` copies made by `make(i)`, stepped in lockstep. Each copy must be its own env (its own
 * world); the evaluators' handles of the copies stay with the caller.
 */
export function vectorEnv<Obs>(n: number, make: (index: number) => Env<Obs>): VectorEnv<Obs> {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`vectorEnv: n must be a positive integer, got ${n}`);
  const envs = Array.from({ length: n }, (_, i) => make(i));
  if (new Set(envs).size !== n)
    throw new Error('vectorEnv: make(i) returned the same env twice; each copy needs its own');
  const first = envs[0];
  for (const env of envs) {
    if (env.numActions !== first.numActions)
      throw new Error('vectorEnv: the copies disagree on their number of actions');
  }
  const observations = new Array<Obs>(n);
  const infos = new Array<StepInfo>(n);
  const result: VectorStep<Obs> = {
    observations,
    rewards: new Float64Array(n),
    terminated: new Uint8Array(n),
    truncated: new Uint8Array(n),
    infos,
  };
  const needsReset = new Uint8Array(n).fill(1);
  return {
    size: n,
    actionSpace: first.actionSpace,
    observationSpace: first.observationSpace,
    reset(options = {}) {
      for (let i = 0; i < n; i++) {
        const start = envs[i].reset(options.seed === undefined ? {} : { seed: options.seed + i });
        observations[i] = start.observation;
        infos[i] = start.info;
        needsReset[i] = 0;
      }
      return { observations: observations.slice(), infos: infos.slice() };
    },
    step(actions) {
      if (actions.length !== n) throw new RangeError(`vectorEnv: ${actions.length} actions for ${n} copies`);
      for (let i = 0; i < n; i++) {
        if (needsReset[i]) {
          const start = envs[i].reset();
          observations[i] = start.observation;
          infos[i] = start.info;
          result.rewards[i] = 0;
          result.terminated[i] = 0;
          result.truncated[i] = 0;
          needsReset[i] = 0;
          continue;
        }
        const step = envs[i].step(actions[i]);
        observations[i] = step.observation;
        infos[i] = step.info;
        result.rewards[i] = step.reward;
        result.terminated[i] = step.terminated ? 1 : 0;
        result.truncated[i] = step.truncated ? 1 : 0;
        needsReset[i] = step.terminated || step.truncated ? 1 : 0;
      }
      return result;
    },
  };
}
