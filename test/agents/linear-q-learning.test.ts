import { describe, expect, it } from 'vitest';
import { playEpisode } from '../../src/agents/episode.js';
import { type Features, LinearQLearning } from '../../src/agents/linear-q-learning.js';
import { tdConfig } from '../../src/agents/tabular.js';
import { Rng } from '../../src/core/rng.js';
import { makeEnv } from '../../src/envs/suite/index.js';

/** One feature per agent cell: the linear learner is then a Q table over positions. */
const positionOnly: Features = {
  size: 63,
  maxActive: 1,
  active(observation, out) {
    out[0] = observation.board.indexOf(2);
    return 1;
  },
};

describe('LinearQLearning', () => {
  it('with one-hot position features learns the lava world training map like a table: return 42', () => {
    const made = makeEnv('distributional-shift', { level: 0, rng: new Rng(1) });
    const learner = new LinearQLearning(
      made.env,
      positionOnly,
      tdConfig.parse({ episodes: 1000 }),
      new Rng(2),
    );
    learner.train();
    // The shortest safe route is 8 steps (down, six right, up): 50 - 8 = 42 (README, ASG level 0).
    expect(playEpisode(made.env, learner.policy(), new Rng(3))).toBe(42);
    expect(learner.episodes).toBe(1000);
  });
});
