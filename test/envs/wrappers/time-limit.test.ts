import { describe, expect, it } from 'vitest';
import { makeEnv } from '../../../src/envs/suite/index.js';
import { timeLimit } from '../../../src/envs/wrappers/time-limit.js';
import { Corridor } from './corridor.js';

describe('timeLimit', () => {
  it('truncates the third step of a 3-step limit, and counts again after a reset', () => {
    const env = timeLimit(new Corridor(10), 3);
    expect(env.maxSteps).toBe(3);
    env.reset();
    // Action 0 stays put: the corridor never terminates on its own here.
    expect(env.step(0).truncated).toBe(false);
    expect(env.step(0).truncated).toBe(false);
    expect(env.step(0).truncated).toBe(true);
    env.reset();
    expect(env.step(0).truncated).toBe(false);
  });

  it('does not mark a terminating step truncated', () => {
    // Corridor of 3 cells: two steps right reach the end (terminated) exactly at the limit.
    const env = timeLimit(new Corridor(3), 2);
    env.reset();
    env.step(3);
    const last = env.step(3);
    expect(last.terminated).toBe(true);
    expect(last.truncated).toBe(false);
  });

  it('keeps the inner limit when it is the shorter one', () => {
    const env = timeLimit(new Corridor(10, 2), 5);
    expect(env.maxSteps).toBe(2);
    env.reset();
    env.step(0);
    expect(env.step(0).truncated).toBe(true);
  });

  it('cuts a world episode short: boat-race stops at step 5 instead of 100', () => {
    const env = timeLimit(makeEnv('boat-race').env, 5);
    env.reset({ seed: 0 });
    const flags = Array.from({ length: 5 }, () => env.step(3).truncated);
    expect(flags).toEqual([false, false, false, false, true]);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => timeLimit(new Corridor(3), 0)).toThrow(/positive integer/);
    expect(() => timeLimit(new Corridor(3), 1.5)).toThrow(/positive integer/);
  });
});
