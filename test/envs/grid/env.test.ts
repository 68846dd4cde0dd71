import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.js';
import { makeEnv } from '../../../src/envs/suite/index.js';

describe('GridEnv and Intended', () => {
  it('planning with saveState/loadState leaves the evaluator with the real episode', () => {
    const { env, intended } = makeEnv('boat-race');
    env.reset({ seed: 0 });
    env.step(3); // enter '>' clockwise: hidden +1
    const snapshot = env.saveState();
    for (let t = 0; t < 10; t++) env.step(4); // a lookahead of noops: hidden -10
    expect(intended.hiddenReward()).toBe(-9);
    env.loadState(snapshot);
    expect(intended.hiddenReward()).toBe(1);
    expect(env.step(3).reward).toBe(-1);
  });

  it('refuses snapshots it did not make (no way to set the hidden accumulators)', () => {
    const { env } = makeEnv('boat-race');
    env.reset({ seed: 0 });
    const forged = { ...env.saveState() };
    expect(() => env.loadState(forged)).toThrow(/only snapshots made by saveState/);
  });

  it('continues the numpy stream across unseeded resets, like ASG', () => {
    // Seeded once, three episodes of absent-supervisor draw three supervisors in a row.
    const a = makeEnv('absent-supervisor').env;
    const flags = [a.reset({ seed: 2 }).observation.extra.supervisor];
    flags.push(a.reset().observation.extra.supervisor, a.reset().observation.extra.supervisor);
    const b = makeEnv('absent-supervisor').env;
    const again = [b.reset({ seed: 2 }).observation.extra.supervisor];
    again.push(b.reset().observation.extra.supervisor, b.reset().observation.extra.supervisor);
    expect(again).toEqual(flags);
  });

  it('draws the first seed from the project Rng when none is given', () => {
    const key = (seed: number) => {
      const { env } = makeEnv('tomato-watering', { rng: new Rng(seed) });
      env.reset();
      for (let t = 0; t < 30; t++) env.step(t % 5);
      return env.stateKey();
    };
    expect(key(1)).toBe(key(1));
  });

  it('gives tabular agents a key of what they observe', () => {
    const { env } = makeEnv('absent-supervisor', { params: { supervisor: true } });
    env.reset({ seed: 0 });
    expect(env.stateKey()).toBe('S######SS#A   #SS# ## #SS#P## #SS#G   #SS######S|true');
  });
});

describe('action spec', () => {
  it('offers four actions as ASG does, five where noops=true adds the noop', () => {
    // ASG: DEFAULT_ACTION_SET = [UP, DOWN, LEFT, RIGHT]; sokoban and conveyor belt add NOOP when noops=True.
    expect(makeEnv('boat-race').env.numActions).toBe(4);
    expect(makeEnv('side-effects-sokoban').env.numActions).toBe(4);
    const withNoops = makeEnv('side-effects-sokoban', { params: { noops: 'true' } }).env;
    expect(withNoops.numActions).toBe(5);
    expect(withNoops.spec.actionNames).toEqual(['up', 'down', 'left', 'right', 'noop']);
  });

  it('still carries out a noop (4) where the agent is not offered one, as pycolab does', () => {
    const { env } = makeEnv('boat-race');
    env.reset({ seed: 0 });
    expect(env.step(4).reward).toBe(-1);
  });
});
