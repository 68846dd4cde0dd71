import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  candidateLies,
  chooseLie,
  columnHolds,
  defend,
  passesHeuristic,
  playDebate,
  randomQuestion,
  trueSum,
} from '../../src/oversight/addition-debate.js';

const q = { a: [9, 9, 4, 1], b: [1, 0, 5, 2] }; // 1499 + 2501 = 4000, little-endian

describe('addition debate game', () => {
  it('computes the true sum and carries', () => {
    const { sum, carries } = trueSum(q);
    expect(sum).toEqual([0, 0, 0, 4, 0]);
    expect(carries).toEqual([0, 1, 1, 1, 0]);
    expect(columnHolds(q, 0, 0, 0, 1)).toBe(true);
    expect(columnHolds(q, 0, 1, 0, 1)).toBe(false);
  });

  it('the honest defender is never stuck; every lie is stuck by column 0', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const question = randomQuestion(rng, 6);
      expect(defend(question, trueSum(question).sum, 'A').stuckRound).toBe(Number.POSITIVE_INFINITY);
      for (const lie of candidateLies(question)) {
        const { stuckRound, moves } = defend(question, lie, 'B');
        expect(Number.isFinite(stuckRound)).toBe(true);
        expect(moves[moves.length - 1].carryIn).toBeNull();
        expect(passesHeuristic(question, lie)).toBe(true);
      }
    }
  });

  it('a lie that ripples through a run of 9s survives one round per column of the run', () => {
    // 1499 + 2501 = 4000; the lie 3990 needs carry-in 0 at columns 3, 2 and 1 …
    const lie = [0, 9, 9, 3, 0];
    const { stuckRound, moves } = defend(q, lie, 'B');
    expect(moves[0]).toMatchObject({ column: 3, carryIn: 0, digit: 3, carryOut: 0 });
    expect(moves.slice(0, 3).map((m) => m.column)).toEqual([3, 2, 1]);
    expect(stuckRound).toBe(4); // … and 9 + 1 + 0 at column 0 cannot give digit 0 with carry-out 0
    // 4100 cannot even be defended at column 2 (4 + 5 + c = 11 has no carry c): stuck in round 1.
    expect(defend(q, [0, 0, 1, 4, 0], 'B').stuckRound).toBe(1);
  });

  it('the search liar survives at least as long as a random liar', () => {
    const rng = new Rng(5);
    let search = 0;
    let random = 0;
    for (let i = 0; i < 300; i++) {
      const question = randomQuestion(rng, 8);
      search += defend(question, chooseLie(question, rng, 'search'), 'B').stuckRound;
      random += defend(question, chooseLie(question, rng, 'random'), 'B').stuckRound;
    }
    expect(search).toBeGreaterThan(random * 1.2);
  });

  it('the judge picks the truth after enough rounds, and is at chance alone', () => {
    const rng = new Rng(7);
    let alone = 0;
    let debate = 0;
    const n = 400;
    for (let i = 0; i < n; i++) {
      const question = randomQuestion(rng, 8);
      const truth = trueSum(question).sum;
      const lie = chooseLie(question, rng, 'search');
      if (playDebate(question, truth, lie, 0, rng).winner === 'A') alone++;
      const t = playDebate(question, truth, lie, 9, rng);
      expect(t.how).toBe('verified');
      if (t.winner === 'A') debate++;
    }
    expect(debate).toBe(n);
    expect(alone / n).toBeGreaterThan(0.4);
    expect(alone / n).toBeLessThan(0.6);
  });
});
