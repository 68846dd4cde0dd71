import { describe, expect, it } from 'vitest';
import { recording } from '../../../src/envs/wrappers/recording.js';
import { AGENT, Corridor } from './corridor.js';

describe('recording', () => {
  it('records each step with the state acted in, the action, the reward and the note', () => {
    const { env, record } = recording(new Corridor(2), {
      state: (observation) => observation.board.indexOf(AGENT),
      note: (state, result) => state * 100 + result.info.steps,
    });
    env.reset();
    env.step(0);
    env.step(3); // reaches the end
    env.reset();
    env.step(1); // an unfinished episode
    const episodes = record.drain();
    expect(episodes).toEqual([
      [
        { state: 5, action: 0, reward: 0, terminated: false, truncated: false, note: 501 },
        { state: 5, action: 3, reward: 3, terminated: true, truncated: false, note: 502 },
      ],
      [{ state: 5, action: 1, reward: 1, terminated: false, truncated: false, note: 501 }],
    ]);
    expect(record.drain()).toEqual([]);
  });

  it('keeps no empty episodes (a reset before any step)', () => {
    const { env, record } = recording(new Corridor(2), { state: () => 0 });
    env.reset();
    env.reset();
    env.step(3);
    env.reset();
    expect(record.episodes.length).toBe(1);
    expect(record.drain().map((e) => e.length)).toEqual([1]);
  });

  it('hands back an env without the record on it', () => {
    const { env } = recording(new Corridor(2), { state: () => 0 });
    expect(Object.keys(env).sort()).toEqual(['actionSpace', 'maxSteps', 'numActions', 'observationSpace']);
  });
});
