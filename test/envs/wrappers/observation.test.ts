import { describe, expect, it } from 'vitest';
import { makeEnv } from '../../../src/envs/suite/index.js';
import { egocentricCrop, flat, mapObservation, oneHot } from '../../../src/envs/wrappers/observation.js';
import { timeLimit } from '../../../src/envs/wrappers/time-limit.js';
import { AGENT, Corridor, FLOOR, WALL } from './corridor.js';

const W = WALL;
const F = FLOOR;
const A = AGENT;

describe('egocentricCrop', () => {
  it('shows the 3 × 3 cells around the agent, walls past the board', () => {
    // Corridor of 3: board rows [#####] [#A  #] [#####]; the agent at row 1, column 1.
    const env = egocentricCrop(new Corridor(3), 1);
    expect(env.observationSpace).toMatchObject({ kind: 'grid', rows: 3, cols: 3 });
    const first = env.reset().observation;
    expect([...first.board]).toEqual([W, W, W, W, A, F, W, W, W]);
    // One step right: the agent at column 2, the end cell and the right wall in view.
    expect([...env.step(3).observation.board]).toEqual([W, W, W, F, A, F, W, W, W]);
  });

  it('pads with walls beyond the board edge (radius 2 on a 3-row board)', () => {
    const env = egocentricCrop(new Corridor(3), 2);
    const { board, rows, cols } = env.reset().observation;
    expect([rows, cols]).toEqual([5, 5]);
    // Rows: outside, top wall, corridor, bottom wall, outside; the agent in the centre.
    expect([...board]).toEqual([W, W, W, W, W, W, W, W, W, W, W, W, A, F, F, W, W, W, W, W, W, W, W, W, W]);
    expect(board[12]).toBe(A);
  });

  it('passes the extras through', () => {
    const env = egocentricCrop(new Corridor(3), 1);
    env.reset();
    expect(env.step(0).observation.extra).toEqual({ lit: false });
  });
});

describe('oneHot', () => {
  it('writes one plane per code, then the extras', () => {
    // Corridor of 1: board [###] [#A#] [###] (9 cells, codes below 3), extra lit = true at reset.
    const env = oneHot(new Corridor(1));
    expect(env.observationSpace).toMatchObject({ kind: 'box', shape: [3 * 9 + 1] });
    const x = [...env.reset().observation];
    const walls = [1, 1, 1, 1, 0, 1, 1, 1, 1];
    const floor = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const agent = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    expect(x).toEqual([...walls, ...floor, ...agent, 1]);
  });

  it('has exactly one 1 per cell on a world board (island navigation)', () => {
    const env = oneHot(makeEnv('island-navigation').env);
    const space = makeEnv('island-navigation').env.observationSpace;
    const cells = space.rows * space.cols;
    const x = env.reset({ seed: 0 }).observation;
    expect(x.length).toBe(space.values * cells + space.extra.length);
    for (let i = 0; i < cells; i++) {
      let ones = 0;
      for (let v = 0; v < space.values; v++) ones += x[v * cells + i];
      expect(ones).toBe(1);
    }
  });
});

describe('flat', () => {
  it('lists the codes row by row, then the extras as numbers', () => {
    const env = flat(new Corridor(2));
    expect(env.observationSpace).toMatchObject({ kind: 'box', shape: [12 + 1] });
    expect([...env.reset().observation]).toEqual([W, W, W, W, W, A, F, W, W, W, W, W, 1]);
    // After one step the agent is at the end, and lit (step 1 is odd) reads 0.
    expect([...env.step(3).observation]).toEqual([W, W, W, W, W, F, A, W, W, W, W, W, 0]);
  });

  it('composes with the crop and the time limit', () => {
    const env = flat(egocentricCrop(timeLimit(new Corridor(5), 2), 1));
    expect(env.observationSpace).toMatchObject({ shape: [9 + 1] });
    env.reset();
    env.step(0);
    const last = env.step(3);
    expect(last.truncated).toBe(true);
    // Centre = agent, right of it floor, left of it floor (it moved one cell right).
    expect([...last.observation].slice(3, 6)).toEqual([F, A, F]);
  });
});

describe('mapObservation', () => {
  it('keeps reward, flags and info, and changes only the observation', () => {
    const env = mapObservation(new Corridor(2), { kind: 'discrete', n: 4 }, (o) => o.board.indexOf(AGENT));
    expect(env.reset().observation).toBe(5);
    const step = env.step(3);
    expect([step.observation, step.reward, step.terminated, step.truncated, step.info.steps]).toEqual([
      6,
      3,
      true,
      false,
      1,
    ]);
  });

  it('rejects a grid transform on a non-grid env', () => {
    const numbers = mapObservation(new Corridor(2), { kind: 'box', shape: [1], low: 0, high: 1 }, () => 0);
    // @ts-expect-error: the observation is a number, not a grid; the space check catches it at run time too.
    expect(() => oneHot(numbers)).toThrow(/grid observation space/);
  });
});
