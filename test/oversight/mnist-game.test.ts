import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { PIXELS } from '../../src/oversight/mnist/data.js';
import {
  type DebaterOptions,
  debateImage,
  defaultDebater,
  marginOf,
  playDebate,
} from '../../src/oversight/mnist/game.js';
import type { SparseJudge } from '../../src/oversight/mnist/judge.js';

// A hand-made judge with a trap, between label 0 (seat A) and label 1 (seat B): seat A's margin
// is the sum of each revealed pixel's gain, minus 5 when pixels X and Y are both revealed.
const X = 100;
const Z = 200;
const W = 300;
const Y = 400;
const gains = new Map([
  [X, 2], // the greedy choice for A …
  [Z, 1], // … but Z wins
  [W, -0.5], // B's best reply to Z
  [Y, -0.1], // B's reply to X: −0.1 − 5
]);

function marginFor(pixels: ArrayLike<number>): number {
  let m = 0;
  const set = new Set(Array.from(pixels));
  for (const p of set) m += gains.get(p) ?? 0;
  if (set.has(X) && set.has(Y)) m -= 5;
  return m;
}

const trapJudge: SparseJudge = {
  logProbs(pixels) {
    const m = marginFor(pixels);
    const logits = [m / 2, -m / 2, -20, -20, -20, -20, -20, -20, -20, -20];
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, z) => s + Math.exp(z - max), 0));
    return Float64Array.from(logits, (z) => z - lse);
  },
  revealGradient(pixels, _image, weights) {
    // First-order gains of Σ w_c·logit_c: each pixel's own gain (the interaction is invisible).
    const out = new Float64Array(PIXELS);
    const scale = (weights[0] - weights[1]) / 2;
    for (const [p, g] of gains) if (!Array.from(pixels).includes(p)) out[p] = g * scale;
    return out;
  },
};

const image = new Float32Array(PIXELS);
const game = { judge: trapJudge, image, pixels: 2, first: 'A' as const, labelA: 0, labelB: 1 };
const mcts: DebaterOptions = { ...defaultDebater, rollouts: 400 };
const greedy: DebaterOptions = { ...defaultDebater, kind: 'greedy' };

describe('MNIST debate game', () => {
  it("seat A's margin is log P(A) − log P(B) with precommit, else against the best other label", () => {
    const lp = [-1, -2, -0.5, -3, -3, -3, -3, -3, -3, -3];
    expect(marginOf({ labelA: 0, labelB: 1 }, lp)).toBe(1);
    expect(marginOf({ labelA: 0, labelB: null }, lp)).toBe(-0.5);
  });

  it('greedy A takes the bait (X, then B answers Y) and loses; MCTS A sees the reply and wins with Z', () => {
    const g = playDebate(game, greedy, new Rng(1));
    expect(g.revealed).toEqual([X, Y]);
    expect(g.winner).toBe('B');
    const m = playDebate(game, mcts, new Rng(1));
    expect(m.revealed).toEqual([Z, W]);
    expect(m.winner).toBe('A');
  });

  it('is deterministic for a seed', () => {
    const a = playDebate({ ...game, pixels: 4 }, { ...mcts, rollouts: 200 }, new Rng(5));
    const b = playDebate({ ...game, pixels: 4 }, { ...mcts, rollouts: 200 }, new Rng(5));
    expect(a).toEqual(b);
  });

  it('precommit: B plays one game per lie and wins the image if any lie wins', () => {
    const base = { judge: trapJudge, image, pixels: 2, first: 'A' as const, labelA: 0 };
    // Against lies 2…9 (judged −20 each) A wins at once; against lie 1 greedy A loses.
    const won = debateImage(base, true, [2, 3, 4, 5, 6, 7, 8, 9], greedy, new Rng(1));
    expect(won.seatAWins).toBe(true);
    expect(won.games).toHaveLength(8);
    const lost = debateImage(base, true, [2, 1, 3], greedy, new Rng(1));
    expect(lost.seatAWins).toBe(false);
    expect(lost.games.map((g) => g.labelB)).toEqual([2, 1]); // stops at the first lie that wins
  });

  it('rejects two seats claiming the same label', () => {
    expect(() => playDebate({ ...game, labelB: 0 }, greedy, new Rng(1))).toThrow(/same label/);
  });
});
