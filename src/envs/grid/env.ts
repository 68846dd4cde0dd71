import type { Rng } from '../../core/rng.js';
import {
  type DiscreteSpace,
  discreteSpace,
  type Env,
  type GridSpace,
  type LearnerEnv,
  type ResetOptions,
  type Restorable,
  type StepInfo,
  type Transition,
} from '../env.js';
import { ACTION_NAMES, type ExtraObservation, type GridSnapshot, type GridWorld } from './world.js';

export type { StepInfo } from '../env.js';

/** What an agent may know about an environment before acting. */
export interface EnvSpec {
  readonly id: string;
  readonly level: number;
  readonly variant: string | undefined;
  readonly numActions: number;
  readonly actionNames: readonly string[];
  readonly rows: number;
  readonly cols: number;
  readonly maxSteps: number;
  /** The specified objective in words (what the reward says). */
  readonly specified: string;
}

/** What the agent observes each step: the board and the extra observations. */
export interface GridObservation {
  /** The board as ASG's value-mapped codes, row-major (rows × cols). Reused between steps. */
  readonly board: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  /** ASG's extra observations for this world (e.g. `supervisor`). */
  readonly extra: Readonly<ExtraObservation>;
}

/** One gridworld step's outcome (Gymnasium's tuple): observation, specified reward, terminated, truncated, info. */
export type StepResult = Transition<GridObservation>;

/** What a learning agent needs of a gridworld (a wrapper, e.g. with a learned reward, can stand in). */
export type AgentEnv = LearnerEnv<GridObservation>;

/** Evaluator-only view of an episode. Never hand it (or anything holding it) to an optimizer. */
export interface Intended {
  /** The episode's hidden (intended) return so far. */
  hiddenReward(): number;
  /** The episode performance as ASG defines it for the world, for the episode so far. */
  performance(): number;
  /** Whether the episode has ended (ASG records a performance only then). */
  episodeOver(): boolean;
  safety(): Record<string, number>;
}

/** Hidden accumulators that belong to each snapshot; kept out of the snapshot itself. */
const hiddenOfSnapshot = new WeakMap<GridSnapshot, Float64Array>();

/**
 * The agent-facing gridworld (Gymnasium conventions). It holds its world in an ECMAScript
 * private field, so nothing reachable from this object exposes the hidden reward.
 *
 * `step()` allocates nothing: the returned result, observation and info objects are reused,
 * so copy what you want to keep.
 */
export class GridEnv implements Env<GridObservation>, Restorable<GridSnapshot> {
  readonly spec: EnvSpec;
  /** Actions an agent chooses from (ASG's action spec); `step` also accepts the noop, 4. */
  readonly numActions: number;
  /** The agent's actions (ASG's action spec): up, down, left, right, and noop where the world has it. */
  readonly actionSpace: DiscreteSpace;
  /** The board's size, codes, and the world's extra observations. */
  readonly observationSpace: GridSpace;
  /** The engine's step limit (ASG's `max_iterations`). */
  readonly maxSteps: number;
  readonly #world: GridWorld;
  readonly #seeds: Rng;
  #seeded = false;
  readonly #observation: GridObservation;
  readonly #info: StepInfo = { steps: 0, actualAction: -1 };
  readonly #result: StepResult;

  constructor(world: GridWorld, spec: EnvSpec, seeds: Rng) {
    this.#world = world;
    this.numActions = spec.numActions;
    this.actionSpace = discreteSpace(spec.numActions, spec.actionNames);
    this.maxSteps = spec.maxSteps;
    this.spec = spec;
    this.#seeds = seeds;
    this.#observation = { board: world.observed, rows: world.rows, cols: world.cols, extra: world.extra };
    this.#result = {
      observation: this.#observation,
      reward: 0,
      terminated: false,
      truncated: false,
      info: this.#info,
    };
    this.observationSpace = {
      kind: 'grid',
      rows: world.rows,
      cols: world.cols,
      values: world.numValues,
      agentValue: world.agentValue,
      wallValue: world.wallValue,
      extra: world.extraNames(),
    };
  }

  /**
   * Starts an episode. With a seed, the world's numpy generator is seeded as
   * `np.random.seed(seed)` before constructing the ASG environment (whose constructor runs
   * one reset) and calling `reset()`; without one, the generator continues (as ASG's global
   * one does), seeded from the project's Rng the first time.
   */
  reset(options: ResetOptions = {}): { observation: GridObservation; info: StepInfo } {
    const world = this.#world;
    if (options.seed !== undefined) {
      world.seed(options.seed);
      this.#seeded = true;
    } else if (!this.#seeded) {
      world.seed(this.#seeds.int(2 ** 32));
      this.#seeded = true;
    }
    world.resetEpisode();
    this.#info.steps = 0;
    this.#info.actualAction = -1;
    return { observation: this.#observation, info: this.#info };
  }

  step(action: number): StepResult {
    const world = this.#world;
    world.step(action);
    const result = this.#result;
    result.reward = world.stepReward;
    result.terminated = world.terminated;
    result.truncated = world.truncated;
    this.#info.steps = world.steps;
    this.#info.actualAction = world.actualAction;
    return result;
  }

  /** A copy of the state for planning; `loadState` restores it (rng included). */
  saveState(): GridSnapshot {
    const snapshot = this.#world.save();
    hiddenOfSnapshot.set(snapshot, this.#world.hidden.slice());
    return snapshot;
  }

  /** Restores a snapshot from `saveState` (of this env or one of the same world and level). */
  loadState(snapshot: GridSnapshot): void {
    const hidden = hiddenOfSnapshot.get(snapshot);
    if (!hidden) throw new Error('loadState: accepts only snapshots made by saveState()');
    this.#world.load(snapshot);
    this.#world.hidden.set(hidden);
  }

  /** A compact key of what the agent observes (board and extras), for tabular methods. */
  stateKey(): string {
    const w = this.#world;
    let key = String.fromCharCode(...w.board);
    for (const k in w.extra) key += `|${w.extra[k]}`;
    return key;
  }

  get actionNames(): readonly string[] {
    return ACTION_NAMES;
  }

  /** The displayed board as text. */
  render(): string {
    return this.#world.text();
  }
}

/** Builds the evaluator's handle on a world. */
export function intendedView(world: GridWorld): Intended {
  return {
    hiddenReward: () => world.hidden[0],
    performance: () => world.performance(),
    episodeOver: () => world.terminated || world.truncated,
    safety: () => world.safety(),
  };
}
