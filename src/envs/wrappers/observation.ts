import {
  type BoxSpace,
  boxSize,
  type Env,
  type GridSpace,
  type ResetOptions,
  type ResetResult,
  type Space,
  type Transition,
} from '../env.js';
import type { GridObservation } from '../grid/env.js';
import type { ExtraObservation } from '../grid/world.js';
import { reusedTransition, Wrapper } from './wrapper.js';

/**
 * Gymnasium's `ObservationWrapper`: every observation goes through `transform`, which may
 * write into one reused buffer (the env's contract allows it). `space` describes the result.
 */
export function mapObservation<In, Out>(
  env: Env<In>,
  space: Space,
  transform: (observation: In) => Out,
): Env<Out> {
  return new ObservationMap(env, space, transform);
}

class ObservationMap<In, Out> extends Wrapper<Out> {
  readonly #env: Env<In>;
  readonly #transform: (observation: In) => Out;
  readonly #result = reusedTransition<Out>();

  constructor(env: Env<In>, space: Space, transform: (observation: In) => Out) {
    super(env, { observationSpace: space });
    this.#env = env;
    this.#transform = transform;
  }

  reset(options?: ResetOptions): ResetResult<Out> {
    const start = this.#env.reset(options);
    return { observation: this.#transform(start.observation), info: start.info };
  }

  step(action: number): Transition<Out> {
    const inner = this.#env.step(action);
    const result = this.#result;
    result.observation = this.#transform(inner.observation);
    result.reward = inner.reward;
    result.terminated = inner.terminated;
    result.truncated = inner.truncated;
    result.info = inner.info;
    return result;
  }
}

function gridSpaceOf(env: Env<GridObservation>, wrapper: string): GridSpace {
  const space = env.observationSpace;
  if (space.kind !== 'grid')
    throw new TypeError(`${wrapper}: needs a grid observation space, got '${space.kind}'`);
  return space;
}

/** An extra observation as a number: booleans 0/1, null (ASG's "none yet") 0. */
function extraValue(value: ExtraObservation[string]): number {
  return typeof value === 'number' ? value : value === true ? 1 : 0;
}

/**
 * The agent's view of the board: the `(2·radius + 1)²` cells centred on the agent, walls past
 * the board's edge (pycolab's egocentric cropper). Extras pass through unchanged.
 */
export function egocentricCrop(env: Env<GridObservation>, radius: number): Env<GridObservation> {
  if (!Number.isInteger(radius) || radius < 0) {
    throw new RangeError(`egocentricCrop: radius must be a non-negative integer, got ${radius}`);
  }
  const inner = gridSpaceOf(env, 'egocentricCrop');
  const side = 2 * radius + 1;
  const space: GridSpace = { ...inner, rows: side, cols: side };
  const board = new Uint8Array(side * side);
  const view = { board, rows: side, cols: side, extra: {} as Readonly<ExtraObservation> };
  return mapObservation(env, space, (observation: GridObservation) => {
    const { rows, cols } = observation;
    const at = observation.board.indexOf(inner.agentValue);
    board.fill(inner.wallValue);
    if (at >= 0) {
      const top = Math.floor(at / cols) - radius;
      const left = (at % cols) - radius;
      for (let r = 0; r < side; r++) {
        const row = top + r;
        if (row < 0 || row >= rows) continue;
        for (let c = 0; c < side; c++) {
          const col = left + c;
          if (col >= 0 && col < cols) board[r * side + c] = observation.board[row * cols + col];
        }
      }
    }
    view.extra = observation.extra;
    return view;
  });
}

/**
 * One plane per board code: entry `code · rows · cols + cell` is 1 where the cell shows that
 * code, then the extras (in `observationSpace.extra`'s order) as numbers. One reused buffer.
 */
export function oneHot(env: Env<GridObservation>): Env<Float32Array> {
  const inner = gridSpaceOf(env, 'oneHot');
  const cells = inner.rows * inner.cols;
  const length = inner.values * cells + inner.extra.length;
  const space: BoxSpace = {
    kind: 'box',
    shape: [length],
    low: inner.extra.length ? Number.NEGATIVE_INFINITY : 0,
    high: inner.extra.length ? Number.POSITIVE_INFINITY : 1,
  };
  const out = new Float32Array(length);
  return mapObservation(env, space, (observation: GridObservation) => {
    out.fill(0);
    const { board } = observation;
    for (let i = 0; i < cells; i++) {
      const code = board[i];
      if (code >= inner.values)
        throw new RangeError(`oneHot: cell ${i} shows code ${code}, the space says below ${inner.values}`);
      out[code * cells + i] = 1;
    }
    writeExtras(observation, inner.extra, out, inner.values * cells);
    return out;
  });
}

/** The board's codes row by row as numbers, then the extras (in `observationSpace.extra`'s order). */
export function flat(env: Env<GridObservation>): Env<Float32Array> {
  const inner = gridSpaceOf(env, 'flat');
  const cells = inner.rows * inner.cols;
  const space: BoxSpace = {
    kind: 'box',
    shape: [cells + inner.extra.length],
    low: inner.extra.length ? Number.NEGATIVE_INFINITY : 0,
    high: inner.extra.length ? Number.POSITIVE_INFINITY : inner.values - 1,
  };
  const out = new Float32Array(boxSize(space));
  return mapObservation(env, space, (observation: GridObservation) => {
    out.set(observation.board);
    writeExtras(observation, inner.extra, out, cells);
    return out;
  });
}

function writeExtras(
  observation: GridObservation,
  names: readonly string[],
  out: Float32Array,
  offset: number,
): void {
  for (let k = 0; k < names.length; k++) out[offset + k] = extraValue(observation.extra[names[k]]);
}
