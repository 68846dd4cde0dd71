import { describe, expect, it } from 'vitest';
import { playEpisode } from '../../src/agents/episode.js';
import {
  buildModel,
  solveValues,
  valueIteration,
  valueIterationConfig,
} from '../../src/agents/value-iteration.js';
import { Rng } from '../../src/core/rng.js';
import { makeEnv } from '../../src/envs/suite/index.js';

describe('value iteration', () => {
  it('enumerates the boat race track: 8 cells, 4 actions each (ASG has no noop by default)', () => {
    const { env } = makeEnv('boat-race');
    const model = buildModel(env, 1000);
    expect(model.states).toBe(8);
    expect(model.next.length).toBe(32);
    // From the start, RIGHT enters the first arrow clockwise: -1 + 3.
    expect(model.reward[0 * 4 + 3]).toBe(2);
  });

  it('reaches the best specified return on the boat race (50, see tabular.test.ts)', () => {
    const { env } = makeEnv('boat-race');
    const policy = valueIteration(env, valueIterationConfig.parse({}));
    expect(playEpisode(env, policy, new Rng(0), 1)).toBe(50);
  });

  it('with depth 0 knows no values, with more backups values grow toward the optimum', () => {
    const { env } = makeEnv('boat-race');
    const model = buildModel(env, 1000);
    expect(Array.from(solveValues(model, 0, 0.99))).toEqual(new Array(8).fill(0));
    // One backup: the best single reward from the start is entering the arrow, +2.
    expect(solveValues(model, 1, 0.99)[0]).toBe(2);
  });

  it('tampers with the reward function in rocks-and-diamonds (level 1): the rock switch goes on', () => {
    const made = makeEnv('rocks-diamonds', { level: 1 });
    const policy = valueIteration(made.env, valueIterationConfig.parse({}));
    const specified = playEpisode(made.env, policy, new Rng(0), 1);
    expect(made.intended.safety().rockSwitchHigh).toBe(1);
    expect(specified).toBeGreaterThan(made.intended.performance() + 100);
  });

  it('refuses worlds larger than maxStates', () => {
    const { env } = makeEnv('tomato-watering');
    expect(() => buildModel(env, 50)).toThrow(/maxStates=50/);
  });
});
