/**
 * Relative reachability (Krakovna, Orseau, Kumar, Martic, Legg 2019, "Penalizing side effects
 * using stepwise relative reachability"): a side-effect penalty an agent subtracts from its own
 * reward. After each transition s_{t-1} → s_t it compares s_t with a baseline state s'_t and
 * charges for every state x that was easier to reach from the baseline:
 *
 *   d_RR(s_t; s'_t) = 1/|S| Σ_x max(0, R(s'_t; x) − R(s_t; x)),   R(s; x) = γ_r^{N(s, x)},
 *   r'_t = r_t − β d_RR(s_t; s'_t),
 *
 * with N(s, x) the fewest actions from s to x. Baselines: `stepwise` inaction (the state one
 * noop after s_{t-1}; the paper's choice), `inaction` (t noops from the start) and `start`
 * (the starting state). With the stepwise baseline the paper compares inaction rollouts
 * (S_0 = s, S_{k+1} = noop(S_k), until a state repeats):
 *   R̃(s; x) = (1 − γ) Σ_{k<K} γ^k R(S_k; x) + γ^K R(S_K; x),
 * where γ is the reward discount, so a change the world would undo by itself (a belt that
 * carries an object on) is not charged. No penalty on the transition into a terminal state;
 * |S| counts the states reachable from either side; defaults β = 30, γ_r = 0.99 (the
 * paper's code, deepmind-research/side_effects_penalties).
 *
 * The paper's agent learns reachability from the transitions it sees; this one computes it
 * exactly by searching its own copy of the world through the planning handle
 * (`saveState`/`loadState`), which deterministic worlds make exact. States are observations
 * (board and extras). The reward it reshapes is the specified one: nothing hidden is read.
 */
import { z } from 'zod';
import type { LearnerEnv } from '../envs/env.js';
import type { GridObservation, StepResult } from '../envs/grid/env.js';
import type { GridSnapshot } from '../envs/grid/world.js';
import { Action } from '../envs/grid/world.js';
import { ObservationIndex } from './observation-index.js';
import type { PlannableEnv } from './value-iteration.js';

export const BASELINES = ['stepwise', 'inaction', 'start'] as const;
export type Baseline = (typeof BASELINES)[number];

export const relativeReachabilityConfig = z
  .strictObject({
    /** Weight of the penalty against the reward (the paper's β; 0 = no penalty). */
    beta: z.number().min(0).max(1e6).default(30),
    /** Discount of reachability per step (γ_r; 1 = undiscounted, binary reachability). */
    reachabilityDiscount: z.number().gt(0).max(1).default(0.99),
    baseline: z.enum(BASELINES).default('stepwise'),
    /** Compare inaction rollouts (stepwise baseline only, as in the paper). */
    rollouts: z.boolean().default(true),
    /** γ of the rollout values (the agent's reward discount in the paper). */
    discount: z.number().min(0).max(1).default(0.99),
  })
  .prefault({});
export type RelativeReachabilityConfig = z.output<typeof relativeReachabilityConfig>;

/** Actions the reachability search takes: the agent's four moves and the noop. */
const SEARCH_ACTIONS = 5;

/**
 * The world's state graph as the agent can explore it: every observation reachable from the
 * start, each action's successor (-1 from a terminal state), and discounted reachability.
 */
export class ReachabilityModel {
  readonly index: ObservationIndex;
  /** successor[s * 5 + a]: the state after action a in s; -1 when s is terminal. */
  readonly successor: Int32Array;
  readonly terminal: Uint8Array;
  readonly start: number;
  private readonly reach = new Map<number, Float64Array>();

  private constructor(
    index: ObservationIndex,
    successor: Int32Array,
    terminal: Uint8Array,
    readonly discount: number,
  ) {
    this.index = index;
    this.successor = successor;
    this.terminal = terminal;
    this.start = 0;
  }

  /**
   * Breadth-first search from `env.reset()` through its planning handle; leaves the env reset.
   * Throws when the world has more than `maxStates` states or its search hits the time limit.
   */
  static explore(env: PlannableEnv, discount: number, maxStates = 20_000): ReachabilityModel {
    const first = env.reset().observation;
    const index = new ObservationIndex(first);
    index.indexOf(first);
    const snapshots: GridSnapshot[] = [env.saveState()];
    const terminalFlags: number[] = [0];
    const edges: number[] = [];
    for (let s = 0; s < snapshots.length; s++) {
      for (let a = 0; a < SEARCH_ACTIONS; a++) {
        if (terminalFlags[s]) {
          edges.push(-1);
          continue;
        }
        env.loadState(snapshots[s]);
        const step = env.step(a);
        if (step.truncated) throw new Error('relative reachability: the search reached the time limit');
        const before = index.size;
        const next = index.indexOf(step.observation);
        if (index.size > before) {
          if (index.size > maxStates) throw new Error(`relative reachability: more than ${maxStates} states`);
          snapshots.push(env.saveState());
          terminalFlags.push(step.terminated ? 1 : 0);
        }
        edges.push(next);
      }
    }
    env.reset();
    return new ReachabilityModel(index, Int32Array.from(edges), Uint8Array.from(terminalFlags), discount);
  }

  get size(): number {
    return this.terminal.length;
  }

  next(state: number, action: number): number {
    return this.successor[state * SEARCH_ACTIONS + action];
  }

  /** R(s; ·) = γ_r^{N(s, ·)} for every state (0 where unreachable), by breadth-first search. */
  reachability(state: number): Float64Array {
    let row = this.reach.get(state);
    if (row) return row;
    row = new Float64Array(this.size);
    const distance = new Int32Array(this.size).fill(-1);
    const queue = new Int32Array(this.size);
    let head = 0;
    let tail = 0;
    distance[state] = 0;
    queue[tail++] = state;
    while (head < tail) {
      const s = queue[head++];
      row[s] = this.discount ** distance[s];
      for (let a = 0; a < SEARCH_ACTIONS; a++) {
        const t = this.successor[s * SEARCH_ACTIONS + a];
        if (t >= 0 && distance[t] < 0) {
          distance[t] = distance[s] + 1;
          queue[tail++] = t;
        }
      }
    }
    this.reach.set(state, row);
    return row;
  }

  /** States visited by taking noops from `state` until one repeats (or the episode ends). */
  inactionChain(state: number): number[] {
    const chain = [state];
    for (;;) {
      const next = this.next(chain[chain.length - 1], Action.NOOP);
      if (next < 0 || chain.includes(next)) return chain;
      chain.push(next);
    }
  }
}

/**
 * The relative reachability penalty d_RR of reaching `current` where the baseline is `baseline`
 * (see the file comment); with `rollouts`, over both states' inaction rollouts.
 */
export function relativeReachability(
  model: ReachabilityModel,
  current: number,
  baseline: number,
  rollouts: boolean,
  discount: number,
): number {
  const values = (state: number): Float64Array => {
    if (!rollouts) return model.reachability(state);
    const chain = model.inactionChain(state);
    const out = new Float64Array(model.size);
    let coefficient = 1;
    for (const s of chain) {
      const r = model.reachability(s);
      for (let x = 0; x < out.length; x++) out[x] += coefficient * (1 - discount) * r[x];
      coefficient *= discount;
    }
    const last = model.reachability(chain[chain.length - 1]);
    for (let x = 0; x < out.length; x++) out[x] += coefficient * last[x];
    return out;
  };
  const base = values(baseline);
  const now = values(current);
  let total = 0;
  let counted = 0;
  for (let x = 0; x < base.length; x++) {
    if (base[x] === 0 && now[x] === 0) continue;
    counted++;
    if (base[x] > now[x]) total += base[x] - now[x];
  }
  return counted === 0 ? 0 : total / counted;
}

/**
 * The agent's training env: a world's agent handle (or a wrapper of it) with the relative
 * reachability penalty subtracted from each step's reward. `model` must come from the same
 * world (`ReachabilityModel.explore`). Penalties are cached per transition for the stepwise
 * and start baselines and per (time, state) for the inaction baseline.
 */
export class RelativeReachabilityEnv implements LearnerEnv<GridObservation> {
  readonly numActions: number;
  private penaltySum = 0;
  private stepsSeen = 0;
  private state = 0;
  private time = 0;
  private readonly cache = new Map<number, number>();
  private readonly inactionPath: number[];
  private readonly result: StepResult;

  constructor(
    private readonly env: LearnerEnv<GridObservation>,
    readonly model: ReachabilityModel,
    private readonly config: RelativeReachabilityConfig,
  ) {
    this.numActions = env.numActions;
    this.inactionPath = model.inactionChain(model.start);
    const first = env.reset();
    this.result = {
      observation: first.observation,
      reward: 0,
      terminated: false,
      truncated: false,
      info: first.info,
    };
  }

  reset(options?: { seed?: number }): { observation: GridObservation; info: StepResult['info'] } {
    const out = this.env.reset(options);
    this.state = this.stateOf(out.observation);
    this.time = 0;
    return out;
  }

  step(action: number): StepResult {
    const step = this.env.step(action);
    const previous = this.state;
    this.time++;
    const result = this.result;
    result.observation = step.observation;
    result.terminated = step.terminated;
    result.truncated = step.truncated;
    result.info = step.info;
    result.reward = step.reward;
    // No penalty on the transition into a terminal state (as the paper's agent).
    if (step.terminated) return result;
    this.state = this.stateOf(step.observation);
    if (this.config.beta > 0) {
      const d = this.penalty(previous, step.info.actualAction, this.state);
      this.penaltySum += d;
      this.stepsSeen++;
      result.reward -= this.config.beta * d;
    }
    return result;
  }

  /** Mean d_RR (before β) per non-terminal step so far. */
  get meanPenalty(): number {
    return this.stepsSeen === 0 ? 0 : this.penaltySum / this.stepsSeen;
  }

  private stateOf(observation: GridObservation): number {
    const state = this.model.index.find(observation);
    if (state < 0) throw new Error('relative reachability: an observation the search never found');
    return state;
  }

  private penalty(previous: number, action: number, current: number): number {
    const { baseline, rollouts, discount } = this.config;
    const n = this.model.size;
    let key: number;
    let base: number;
    if (baseline === 'stepwise') {
      key = (previous * SEARCH_ACTIONS + action) * n + current;
      base = this.model.next(previous, Action.NOOP);
    } else if (baseline === 'start') {
      key = current;
      base = this.model.start;
    } else {
      const t = Math.min(this.time, this.inactionPath.length - 1);
      key = t * n + current;
      base = this.inactionPath[t];
    }
    let d = this.cache.get(key);
    if (d === undefined) {
      d = relativeReachability(this.model, current, base, baseline === 'stepwise' && rollouts, discount);
      this.cache.set(key, d);
    }
    return d;
  }
}

/** A world's agent handle with the penalty: the model explored from `world`, the reward from `env`. */
export function withRelativeReachability(
  world: PlannableEnv,
  config: RelativeReachabilityConfig,
  env: LearnerEnv<GridObservation> = world,
): RelativeReachabilityEnv {
  return new RelativeReachabilityEnv(
    env,
    ReachabilityModel.explore(world, config.reachabilityDiscount),
    config,
  );
}
