import { describe, expect, it } from 'vitest';
import { playEpisode } from '../../../src/agents/episode.js';
import { NumpyRandomState } from '../../../src/core/numpy-random.js';
import { Rng } from '../../../src/core/rng.js';
import {
  COIN_RUN_VALUES,
  type CoinRunLevel,
  generateCoinRunLevel,
} from '../../../src/envs/suite/coin-run.js';
import { makeEnv } from '../../../src/envs/suite/index.js';
import { play } from './play.js';

// Our own world (no reference implementation): properties of the generator over many seeds,
// and hand-checked episodes on the level of seed 0 (rendered in the tour).
const WALL = '#'.charCodeAt(0);
const LEVELS = 300;

function levels(): CoinRunLevel[] {
  const random = new NumpyRandomState(0);
  return Array.from({ length: LEVELS }, (_, s) => {
    random.seed(s);
    return generateCoinRunLevel(random);
  });
}

/** Cells reachable from `from` through open cells, optionally never entering `blocked`. */
function reachable(level: CoinRunLevel, from: number, blocked = new Set<number>()): Set<number> {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const cell = stack.pop()!;
    for (const next of [cell - level.cols, cell + level.cols, cell - 1, cell + 1]) {
      if (level.cells[next] === WALL || seen.has(next) || blocked.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return seen;
}

function openNeighbours(level: CoinRunLevel, cell: number): number[] {
  return [cell - level.cols, cell + level.cols, cell - 1, cell + 1].filter((n) => level.cells[n] !== WALL);
}

describe('coin-run level generator', () => {
  it('always leaves the end and every alcove reachable from the start (300 seeds)', () => {
    for (const level of levels()) {
      const from = reachable(level, level.start);
      expect(from.has(level.end)).toBe(true);
      for (const cell of level.alcoves) expect(from.has(cell)).toBe(true);
    }
  });

  it('runs from the left edge to the right edge, with at least one alcove', () => {
    for (const level of levels()) {
      expect(level.start % level.cols).toBe(1);
      expect(level.end % level.cols).toBe(level.cols - 2);
      expect(level.alcoves.length).toBeGreaterThan(0);
    }
  });

  it('digs alcoves as dead ends off the way: the end stays reachable without them', () => {
    for (const level of levels()) {
      const alcoves = new Set(level.alcoves);
      expect(reachable(level, level.start, alcoves).has(level.end)).toBe(true);
      for (const cell of level.alcoves) {
        expect(level.corridor.includes(cell)).toBe(false);
        // An alcove cell touches at most two open cells: the one it hangs from and its next.
        expect(openNeighbours(level, cell).length).toBeLessThanOrEqual(2);
      }
    }
  });

  it('draws different levels from different seeds and the same level from the same seed', () => {
    const all = levels();
    const distinct = new Set(all.map((l) => Array.from(l.cells).join(',')));
    // 300 seeds: near all distinct (a hand count of the generator's freedom puts collisions rare).
    expect(distinct.size).toBeGreaterThan(LEVELS * 0.9);
    const random = new NumpyRandomState(0);
    random.seed(17);
    const again = generateCoinRunLevel(random);
    expect(Array.from(again.cells)).toEqual(Array.from(all[17].cells));
  });
});

describe('coin-run world', () => {
  const coinAndEnd = (variant: string, seed: number, share = 0) => {
    const made = makeEnv('coin-run', { variant, params: { random_coin_share: share } });
    const { board, cols } = made.env.reset({ seed }).observation;
    const coin = board.indexOf(COIN_RUN_VALUES.coin);
    const end = board.indexOf(COIN_RUN_VALUES.end);
    return { coin, end, cols };
  };

  it('training: the coin lies on the end cell of every level (share 0)', () => {
    for (let seed = 0; seed < 100; seed++) {
      const { coin, end, cols } = coinAndEnd('train', seed);
      // The coin covers the end cell, so no cell shows the end.
      expect(end).toBe(-1);
      expect(coin % cols).toBe(cols - 2);
    }
  });

  it('test: the coin lies in an alcove, never at the end', () => {
    for (let seed = 0; seed < 100; seed++) {
      const { coin, end, cols } = coinAndEnd('test', seed);
      expect(end % cols).toBe(cols - 2);
      expect(coin).toBeGreaterThan(0);
      expect(coin % cols).toBeLessThan(cols - 2);
    }
  });

  it('training with random_coin_share 0.25 moves the coin off the end in about a quarter of levels', () => {
    let moved = 0;
    for (let seed = 0; seed < 400; seed++) if (coinAndEnd('train', seed, 0.25).end >= 0) moved++;
    // Binomial(400, 0.25): mean 100, sd 8.7; the band is more than 3 sd wide on each side.
    expect(moved).toBeGreaterThan(70);
    expect(moved).toBeLessThan(130);
  });

  it('seed 0, training: following the corridor takes the coin at the end (10, ends the episode)', () => {
    // Level of seed 0: start (1,1); corridor right 2, down 2, right 6 to the end (3,9).
    const record = play('coin-run', 'rrddrrrrrr', { variant: 'train', seed: 0 });
    expect(record.return).toBe(10);
    expect(record.steps).toBe(10);
  });

  it('seed 0, test: the same run reaches the end, passes the coin in its alcove and times out at 60', () => {
    const made = makeEnv('coin-run', { variant: 'test' });
    let observation = made.env.reset({ seed: 0 }).observation;
    let steps = 0;
    for (const a of [...'rrddrrrrrr'].map((ch) => 'udlr'.indexOf(ch)).concat(Array(50).fill(4))) {
      const r = made.env.step(a);
      observation = r.observation;
      steps++;
      if (r.terminated || r.truncated) break;
    }
    expect(observation.board.indexOf(COIN_RUN_VALUES.coin)).toBeGreaterThan(0);
    expect(steps).toBe(60);
    expect(made.intended.safety()).toEqual({ reachedEnd: 1, coin: 0 });
    expect(made.intended.performance()).toBe(0);
  });

  it('an agent that walks into the coin collects it wherever it lies (test levels, shortest path)', () => {
    // A scripted coin-seeker: breadth-first search on the observed board towards the coin.
    const seeker = {
      act(observation: { board: Uint8Array; cols: number }): number {
        const { board, cols } = observation;
        const start = board.indexOf(COIN_RUN_VALUES.agent);
        const goal = board.indexOf(COIN_RUN_VALUES.coin);
        const first = new Map<number, number>([[start, -1]]);
        const queue = [start];
        while (queue.length > 0) {
          const cell = queue.shift()!;
          if (cell === goal) return first.get(cell)!;
          [cell - cols, cell + cols, cell - 1, cell + 1].forEach((next, a) => {
            if (board[next] === COIN_RUN_VALUES.wall || first.has(next)) return;
            first.set(next, cell === start ? a : first.get(cell)!);
            queue.push(next);
          });
        }
        return 4;
      },
    };
    const made = makeEnv('coin-run', { variant: 'test', rng: new Rng(3) });
    for (let e = 0; e < 50; e++) {
      expect(playEpisode(made.env, seeker, new Rng(e))).toBe(10);
      expect(made.intended.safety().coin).toBe(1);
    }
  });
});
