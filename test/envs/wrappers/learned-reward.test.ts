import { describe, expect, it } from 'vitest';
import type { GridObservation } from '../../../src/envs/grid/env.js';
import { makeEnv } from '../../../src/envs/suite/index.js';
import { learnedReward, type TransitionScorer } from '../../../src/envs/wrappers/learned-reward.js';
import { AGENT, Corridor } from './corridor.js';

/** r̂(cell, action) from a table: 10 · cell + action, so every entry is told apart. */
const table: TransitionScorer<GridObservation> = {
  key: (observation) => observation.board.indexOf(AGENT),
  reward: (cell, action) => 10 * cell + action,
};

describe('learnedReward', () => {
  it("pays the model's reward for the state acted in and the action carried out", () => {
    // Corridor of 3 (5 columns): the agent starts at board index 6, moves right to 7, then 8.
    const env = learnedReward(new Corridor(3), table);
    env.reset();
    expect(env.step(0).reward).toBe(60); // stays at 6: 10·6 + 0
    expect(env.step(3).reward).toBe(63); // acted in 6, moved to 7
    const last = env.step(3);
    expect(last.reward).toBe(73); // acted in 7, reached the end (8)
    expect(last.terminated).toBe(true);
  });

  it('scores the first step of a new episode from the reset state', () => {
    const env = learnedReward(new Corridor(2), table);
    env.reset();
    env.step(3);
    env.reset();
    expect(env.step(1).reward).toBe(51);
  });

  it("never lets the world's own reward through (boat race: every step reads the model's 0.25)", () => {
    const env = learnedReward(makeEnv('boat-race').env, { key: () => 0, reward: () => 0.25 });
    env.reset({ seed: 0 });
    const rewards = [3, 3, 1, 1, 2, 2, 0, 0].map((a) => env.step(a).reward);
    expect(rewards).toEqual(Array(8).fill(0.25));
  });
});
