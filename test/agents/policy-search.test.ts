import { describe, expect, it } from 'vitest';
import { bestOfN } from '../../src/agents/best-of-n.js';
import { meanReturn } from '../../src/agents/episode.js';
import { evolutionStrategy, evolutionStrategyConfig } from '../../src/agents/evolution-strategy.js';
import { randomSearch, randomSearchConfig } from '../../src/agents/random-search.js';
import { Reinforce, reinforceConfig } from '../../src/agents/reinforce.js';
import { Rng } from '../../src/core/rng.js';
import { parseActions, runEpisode } from '../../src/envs/grid/rollout.js';
import { makeEnv } from '../../src/envs/suite/index.js';

describe('best-of-n', () => {
  it('never does worse with a larger n from the same seed, and its rollout replays exactly', () => {
    const made = makeEnv('boat-race');
    const one = bestOfN(made.env, { n: 1 }, new Rng(5));
    const many = bestOfN(made.env, { n: 64 }, new Rng(5));
    expect(many.specified).toBeGreaterThanOrEqual(one.specified);
    const replay = runEpisode(made, many.actions, many.seed);
    expect(replay.return).toBe(many.specified);
  });
});

describe('random search', () => {
  it('keeps the best of its candidates: with a larger budget from the same seed, never worse', () => {
    const { env } = makeEnv('island-navigation');
    const small = randomSearch(env, randomSearchConfig.parse({ budget: 1 }), new Rng(2));
    const large = randomSearch(env, randomSearchConfig.parse({ budget: 40 }), new Rng(2));
    expect(large.specified).toBeGreaterThanOrEqual(small.specified);
  });
});

describe('evolution strategy', () => {
  it('improves on its zero-weight start on island navigation', () => {
    const { env } = makeEnv('island-navigation');
    // All-zero weights: every score ties, argmax takes UP into the wall for 100 steps.
    const start = meanReturn(
      env,
      evolutionStrategy(env, evolutionStrategyConfig.parse({ generations: 0 }), new Rng(1)).policy,
      new Rng(1),
      1,
    );
    expect(start).toBe(-100);
    const trained = evolutionStrategy(
      env,
      evolutionStrategyConfig.parse({ generations: 15, population: 8 }),
      new Rng(1),
    );
    expect(trained.specified).toBeGreaterThan(start);
  });
});

describe('REINFORCE', () => {
  it('learns to collect the coin in the training corridor', () => {
    const made = makeEnv('goal-misgeneralization', { variant: 'train' });
    made.env.reset({ seed: 4 });
    const learner = new Reinforce(made.env, reinforceConfig.parse({ episodes: 600 }), new Rng(4));
    learner.train();
    let coins = 0;
    for (let e = 0; e < 20; e++) {
      meanReturn(made.env, learner.current(), new Rng(e), 1);
      coins += made.intended.safety().coin;
    }
    expect(coins).toBeGreaterThanOrEqual(16);
  });
});

describe('scripted episodes', () => {
  it('parseActions is shared with the envs CLI (sanity: the boat race gaming demo scores 50)', () => {
    const made = makeEnv('boat-race');
    expect(runEpisode(made, parseActions('rl'.repeat(50))).return).toBe(50);
  });
});
