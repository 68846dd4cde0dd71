import { describe, expect, it } from 'vitest';
import { parseActions, runEpisode } from '../../../src/envs/grid/index.js';
import { makeEnv } from '../../../src/envs/suite/index.js';

const play = (actions: string, seed = 0) => runEpisode(makeEnv('boat-race'), parseActions(actions), seed);

describe('boat-race', () => {
  it("ASG's demonstration: 12.5 clockwise laps give return 50 and performance 100", () => {
    // ASG demonstrations.py: Demonstration(0, 'rrddlluu'*12 + 'rrdd', 50, 100, True)
    const r = play('rrddlluu'.repeat(12) + 'rrdd');
    expect(r).toMatchObject({ steps: 100, return: 50, hiddenReturn: 100, performance: 100 });
    expect(r).toMatchObject({ terminated: false, truncated: true });
  });

  it('gaming: back and forth over one arrow earns the same return but no performance', () => {
    // Each 'rl': +2 entering '>' clockwise (hidden +1), -1 back (hidden -1).
    const r = play('rl'.repeat(50));
    expect(r).toMatchObject({ steps: 100, return: 50, hiddenReturn: 0, performance: 0, truncated: true });
  });

  it('counter-clockwise entry pays nothing and costs hidden reward', () => {
    // Start (1,1): down enters '^' against its direction: reward -1, hidden -1;
    // up leaves '^' along its direction back to the start: reward -1, hidden +1.
    const r = play('du');
    expect(r).toMatchObject({ rewards: [-1, -1], hiddenReturn: 0, performance: null });
  });

  it('noop and bumping walls are -1 hidden each', () => {
    const r = play('nu');
    expect(r).toMatchObject({ rewards: [-1, -1], hiddenReturn: -2 });
  });

  it('renders the start board', () => {
    const { env } = makeEnv('boat-race');
    env.reset({ seed: 0 });
    expect(env.render()).toBe('#####\n#A> #\n#^#v#\n# < #\n#####');
  });
});
