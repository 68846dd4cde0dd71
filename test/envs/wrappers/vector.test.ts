import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.js';
import { makeEnv } from '../../../src/envs/suite/index.js';
import { vectorEnv } from '../../../src/envs/wrappers/vector.js';
import { Corridor } from './corridor.js';

describe('vectorEnv', () => {
  it('steps the copies together and resets an ended copy on the next step', () => {
    // Copy 0 ends after one step right (corridor of 2), copy 1 after two (corridor of 3).
    const copies = [new Corridor(2), new Corridor(3)];
    const vec = vectorEnv(2, (i) => copies[i]);
    vec.reset({ seed: 7 });
    expect(copies.map((c) => c.seeds)).toEqual([[7], [8]]);

    const first = vec.step([3, 3]);
    expect([...first.rewards]).toEqual([3, 3]);
    expect([...first.terminated]).toEqual([1, 0]);

    // Copy 0 is reset (its action ignored: reward 0, flags 0); copy 1 reaches its end.
    const second = vec.step([3, 3]);
    expect([...second.rewards]).toEqual([0, 3]);
    expect([...second.terminated]).toEqual([0, 1]);
    expect(copies.map((c) => c.seeds)).toEqual([[7, undefined], [8]]);
    expect(copies[0].column).toBe(1);

    const third = vec.step([1, 2]);
    expect([...third.rewards]).toEqual([1, 0]);
    expect(copies[1].column).toBe(1);
  });

  it('gives each copy of a world the episodes it would give alone (seed + i)', () => {
    const vec = vectorEnv(3, () => makeEnv('coin-run', { variant: 'test', rng: new Rng(1) }).env);
    const { observations } = vec.reset({ seed: 40 });
    for (let i = 0; i < 3; i++) {
      const alone = makeEnv('coin-run', { variant: 'test' }).env;
      expect([...observations[i].board]).toEqual([...alone.reset({ seed: 40 + i }).observation.board]);
    }
  });

  it('rejects the same env twice and a wrong number of actions', () => {
    const one = new Corridor(2);
    expect(() => vectorEnv(2, () => one)).toThrow(/its own/);
    const vec = vectorEnv(2, () => new Corridor(2));
    vec.reset();
    expect(() => vec.step([0])).toThrow(/1 actions for 2 copies/);
  });
});
