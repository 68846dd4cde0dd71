import { describe, expect, it } from 'vitest';
import { meanReturn } from '../../src/agents/episode.js';
import { QLearning } from '../../src/agents/q-learning.js';
import { Sarsa } from '../../src/agents/sarsa.js';
import { epsilonAt, QTable, tdConfig } from '../../src/agents/tabular.js';
import { Rng } from '../../src/core/rng.js';
import { makeEnv } from '../../src/envs/suite/index.js';

describe('ε schedule', () => {
  it('decays linearly over the first decayFraction of training, then stays at end', () => {
    const schedule = { start: 1, end: 0.1, decayFraction: 0.5 };
    expect(epsilonAt(schedule, 0, 100)).toBe(1);
    expect(epsilonAt(schedule, 25, 100)).toBeCloseTo(0.55, 12);
    expect(epsilonAt(schedule, 50, 100)).toBe(0.1);
    expect(epsilonAt(schedule, 99, 100)).toBe(0.1);
  });
});

describe('QTable', () => {
  it('breaks ties between best actions at random, never choosing a worse one', () => {
    const q = new QTable(5);
    q.values.set([1, 3, 3, 0, 3]);
    const rng = new Rng(4);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(q.greedy(0, rng));
    expect([...seen].sort()).toEqual([1, 2, 4]);
  });

  it('grows and keeps its values', () => {
    const q = new QTable(5);
    q.values[7] = 2;
    q.ensure(10_000);
    expect(q.values[7]).toBe(2);
    expect(q.values.length).toBeGreaterThanOrEqual(10_001 * 5);
  });
});

// Boat race: the best specified return alternates +2 (entering an arrow) and -1 over the
// 100 steps, 50 in all (hand calculation; value iteration agrees, see value-iteration.test.ts).
describe.each([
  ['q-learning', QLearning],
  ['sarsa', Sarsa],
])('%s on the boat race', (_name, Learner) => {
  it('learns a greedy policy with the optimal specified return, 50', () => {
    const { env } = makeEnv('boat-race');
    env.reset({ seed: 3 });
    const config = tdConfig.parse({ episodes: 600 });
    const learner = new Learner(env, config, new Rng(3));
    learner.train();
    expect(learner.episodes).toBe(600);
    expect(learner.steps).toBe(600 * 100);
    expect(meanReturn(env, learner.policy(), new Rng(1), 5)).toBe(50);
  });

  it('is reproducible from its seeds', () => {
    const run = () => {
      const { env } = makeEnv('absent-supervisor');
      env.reset({ seed: 9 });
      const learner = new Learner(env, tdConfig.parse({ episodes: 200 }), new Rng(9));
      learner.train();
      return Array.from(learner.q.values.subarray(0, learner.index.size * env.numActions));
    };
    expect(run()).toEqual(run());
  });
});
