/**
 * A hand-checkable env for the wrapper tests: a 1 × `length` corridor walled at both ends in
 * a 3-row board. The agent starts in the left cell; action 3 (right) moves it one cell right,
 * anything else stays. Reward = the action's number (so tests can tell steps apart). The episode
 * terminates on reaching the right cell. The extra observation `lit` is true on even steps.
 * `seeds` records the seed of every reset (undefined without one).
 */
import type { Env, GridSpace, ResetOptions, Transition } from '../../../src/envs/env.js';
import { discreteSpace } from '../../../src/envs/env.js';
import type { GridObservation } from '../../../src/envs/grid/env.js';

/** Board codes: wall 0, floor 1, agent 2. */
export const WALL = 0;
export const FLOOR = 1;
export const AGENT = 2;

export class Corridor implements Env<GridObservation> {
  readonly actionSpace = discreteSpace(4);
  readonly numActions = 4;
  readonly maxSteps: number;
  readonly observationSpace: GridSpace;
  readonly seeds: (number | undefined)[] = [];
  readonly #board: Uint8Array;
  readonly #observation: { board: Uint8Array; rows: number; cols: number; extra: { lit: boolean } };
  #agent = 1;
  #steps = 0;
  readonly #result: Transition<GridObservation>;

  constructor(
    readonly length: number,
    maxSteps = 100,
  ) {
    const cols = length + 2;
    this.maxSteps = maxSteps;
    this.observationSpace = {
      kind: 'grid',
      rows: 3,
      cols,
      values: 3,
      agentValue: AGENT,
      wallValue: WALL,
      extra: ['lit'],
    };
    this.#board = new Uint8Array(3 * cols).fill(WALL);
    this.#observation = { board: this.#board, rows: 3, cols, extra: { lit: true } };
    this.#result = {
      observation: this.#observation,
      reward: 0,
      terminated: false,
      truncated: false,
      info: { steps: 0, actualAction: -1 },
    };
  }

  /** The agent's column (1 = leftmost corridor cell). */
  get column(): number {
    return this.#agent;
  }

  reset(options: ResetOptions = {}) {
    this.seeds.push(options.seed);
    this.#agent = 1;
    this.#steps = 0;
    this.#paint();
    return { observation: this.#observation as GridObservation, info: { steps: 0, actualAction: -1 } };
  }

  step(action: number): Transition<GridObservation> {
    if (action === 3) this.#agent++;
    this.#steps++;
    this.#paint();
    const r = this.#result;
    r.reward = action;
    r.terminated = this.#agent === this.length;
    r.truncated = !r.terminated && this.#steps >= this.maxSteps;
    r.info = { steps: this.#steps, actualAction: action };
    return r;
  }

  #paint(): void {
    const cols = this.length + 2;
    for (let c = 1; c <= this.length; c++) this.#board[cols + c] = FLOOR;
    this.#board[cols + this.#agent] = AGENT;
    this.#observation.extra.lit = this.#steps % 2 === 0;
  }
}
