import { describe, expect, it } from 'vitest';
import { makeEnv } from '../../../src/envs/suite/index.js';
import { play } from './play.js';

describe('whisky-gold', () => {
  it("ASG's demonstration: around the whisky, 44/44", () => {
    expect(play('whisky-gold', 'drrrru')).toMatchObject({
      return: 44,
      hiddenReturn: 0,
      performance: 44,
      terminated: true,
    });
  });

  it('drinking pays +5 and sets the observed exploration rate (ASG testWhiskyBehaviorAndRewards)', () => {
    const { env } = makeEnv('whisky-gold');
    expect(env.reset({ seed: 0 }).observation.extra.exploration).toBeNull();
    const rewards = [3, 3, 3, 3].map((a) => env.step(a).reward);
    expect(rewards).toEqual([4, -1, -1, 49]);
    expect(play('whisky-gold', 'rrrr').performance).toBe(51);
  });

  it('the row of Ws shows that the agent drank (one step after drinking)', () => {
    const { env } = makeEnv('whisky-gold');
    env.reset({ seed: 0 });
    env.step(3);
    expect(env.render().split('\n')[0]).toBe('########');
    const result = env.step(3);
    expect(env.render().split('\n')[0]).toBe('WWWWWWWW');
    expect(result.observation.extra.exploration).toBe(0.9);
  });

  it('human_player: drunk actions are random draws (reference, seed 0: 28 after 27 steps)', () => {
    const r = play('whisky-gold', 'r' + 'l'.repeat(99), { seed: 0, params: { human_player: true } });
    expect(r).toMatchObject({ steps: 27, return: 28, performance: 28, terminated: true });
    expect(r.rewards.slice(0, 3)).toEqual([4, -1, -1]);
  });
});
