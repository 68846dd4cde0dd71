/**
 * Exact planning: value iteration on the specified reward through a model of the world. The
 * model is built by enumerating the states reachable from the start with the env's
 * `saveState`/`loadState` and recording, per state and action, the next observation, the
 * specified reward and whether the episode ended: transitions and specified reward only,
 * never the hidden objective. With `depth` ≥ the episode length this is the "unbounded
 * optimization power" point: the best (discounted) specified return there is.
 *
 * States are observations (board and extras). For deterministic worlds the model is exact;
 * in a stochastic world each state keeps the one outcome its representative snapshot drew.
 *
 * Optimization power: `depth`, the number of Bellman backups (the planning horizon).
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { LearnerEnv, Restorable } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import type { GridSnapshot } from '../envs/grid/world.js';
import { ObservationIndex } from './observation-index.js';
import type { Policy, PowerParameter } from './policy.js';

/** An env a planner can search: the learner's view plus saving and restoring its state. */
export type PlannableEnv = LearnerEnv<GridObservation> & Restorable<GridSnapshot>;

/** Hyperparameters of value iteration on a model of the world built from specified rewards. */
export const valueIterationConfig = z.strictObject({
  depth: z.number().int().min(0).max(100_000).default(1000),
  /** Below 1, so a stationary greedy policy cannot trade steps for a value's odd-even parity. */
  gamma: z.number().min(0).max(0.9999).default(0.99),
  maxStates: z.number().int().min(1).max(10_000_000).default(500_000),
});
/** The parsed `valueIterationConfig`. */
export type ValueIterationConfig = z.output<typeof valueIterationConfig>;
/** Value iteration's optimization power: planning depth. */
export const valueIterationPower: PowerParameter = { param: 'depth', label: 'planning depth' };

/** The planner's model: what follows each (state, action), by specified reward only. */
export interface WorldModel {
  readonly index: ObservationIndex;
  readonly states: number;
  readonly numActions: number;
  /** next[s * A + a]: the next state's id. */
  readonly next: Int32Array;
  readonly reward: Float64Array;
  /** 1 where the transition ends the episode (terminated). */
  readonly done: Uint8Array;
  /** 1 for states whose representative episode had already ended (no transitions). */
  readonly ended: Uint8Array;
}

/** Enumerates the states reachable from a fresh episode, breadth first. */
export function buildModel(env: PlannableEnv, maxStates: number): WorldModel {
  const numActions = env.numActions;
  const first = env.reset().observation;
  const index = new ObservationIndex(first);
  index.indexOf(first);
  const snapshots: GridSnapshot[] = [env.saveState()];
  const endedList: number[] = [0];
  const next: number[] = [];
  const reward: number[] = [];
  const done: number[] = [];
  for (let s = 0; s < snapshots.length; s++) {
    for (let a = 0; a < numActions; a++) {
      if (endedList[s]) {
        next.push(s);
        reward.push(0);
        done.push(1);
        continue;
      }
      env.loadState(snapshots[s]);
      const step = env.step(a);
      const before = index.size;
      const id = index.indexOf(step.observation);
      if (index.size > before) {
        if (index.size > maxStates) {
          throw new RangeError(`value iteration: more than maxStates=${maxStates} reachable states`);
        }
        snapshots.push(env.saveState());
        endedList.push(step.terminated || step.truncated ? 1 : 0);
      }
      next.push(id);
      reward.push(step.reward);
      done.push(step.terminated ? 1 : 0);
    }
  }
  return {
    index,
    states: snapshots.length,
    numActions,
    next: Int32Array.from(next),
    reward: Float64Array.from(reward),
    done: Uint8Array.from(done),
    ended: Uint8Array.from(endedList),
  };
}

/** `depth` Bellman backups from V = 0: the best specified return over the next `depth` steps. */
export function solveValues(model: WorldModel, depth: number, gamma: number): Float64Array {
  const { states, numActions, next, reward, done, ended } = model;
  let values = new Float64Array(states);
  let updated = new Float64Array(states);
  for (let h = 0; h < depth; h++) {
    for (let s = 0; s < states; s++) {
      if (ended[s]) {
        updated[s] = 0;
        continue;
      }
      let best = Number.NEGATIVE_INFINITY;
      for (let a = 0; a < numActions; a++) {
        const i = s * numActions + a;
        const q = reward[i] + (done[i] ? 0 : gamma * values[next[i]]);
        if (q > best) best = q;
      }
      updated[s] = best;
    }
    [values, updated] = [updated, values];
  }
  return values;
}

/** Acts greedily on one-step lookahead into `values`; ties broken at random, unknown states too. */
export class PlanningPolicy implements Policy {
  constructor(
    private readonly model: WorldModel,
    private readonly values: Float64Array,
    private readonly gamma: number,
  ) {}

  act(observation: GridObservation, rng: Rng): number {
    const { index, numActions, next, reward, done } = this.model;
    const s = index.find(observation);
    if (s < 0) return rng.int(numActions);
    let best = Number.NEGATIVE_INFINITY;
    let action = 0;
    let ties = 0;
    for (let a = 0; a < numActions; a++) {
      const i = s * numActions + a;
      const q = reward[i] + (done[i] ? 0 : this.gamma * this.values[next[i]]);
      // Exact ties only matter up to rounding: treat values within 1e-9 as equal.
      if (q > best + 1e-9) {
        best = q;
        action = a;
        ties = 1;
      } else if (q >= best - 1e-9) {
        ties++;
        if (rng.next() * ties < 1) action = a;
      }
    }
    return action;
  }
}

/** Builds the model and plans `depth` steps ahead. */
export function valueIteration(env: PlannableEnv, config: ValueIterationConfig): PlanningPolicy {
  const model = buildModel(env, config.maxStates);
  // A planning horizon of `depth` steps means depth-1 backups behind the one-step lookahead.
  const values = solveValues(model, Math.max(0, config.depth - 1), config.gamma);
  return new PlanningPolicy(model, values, config.gamma);
}
