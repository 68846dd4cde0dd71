/**
 * The learners depend on the Env interface only: they train on any env that implements it,
 * here a wrapped toy corridor rather than a world.
 */
import { describe, expect, it } from 'vitest';
import { playEpisode } from '../../src/agents/episode.js';
import { QLearning } from '../../src/agents/q-learning.js';
import { Sarsa } from '../../src/agents/sarsa.js';
import { tdConfig } from '../../src/agents/tabular.js';
import { Rng } from '../../src/core/rng.js';
import { learnedReward } from '../../src/envs/wrappers/learned-reward.js';
import { timeLimit } from '../../src/envs/wrappers/time-limit.js';
import { AGENT, Corridor } from '../envs/wrappers/corridor.js';

/** Corridor of 4 (columns 1-4, board width 6): the end cell is board index 6 + 4 = 10. */
const END = 10;

function corridorTask() {
  // -1 per step, +10 on reaching the end; at most 10 steps an episode.
  return timeLimit(
    learnedReward(new Corridor(4), {
      key: () => 0,
      reward: (_key, _action, next) => (next.board.indexOf(AGENT) === END ? 10 : -1),
    }),
    10,
  );
}

describe.each([
  ['Q-learning', QLearning],
  ['SARSA', Sarsa],
] as const)('%s on a wrapped toy env', (_name, Learner) => {
  it('learns the shortest way to the end: -1, -1, +10 = 8', () => {
    const env = corridorTask();
    const learner = new Learner(env, tdConfig.parse({ episodes: 300 }), new Rng(3));
    learner.train();
    expect(playEpisode(env, learner.policy(), new Rng(4))).toBe(8);
  });
});
