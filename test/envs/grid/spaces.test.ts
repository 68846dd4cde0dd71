/**
 * Every world's observation space tells the truth about its observations: every code shown is
 * below `values` (so one-hot planes never overflow), the extras are the ones named, and the
 * action space is ASG's. Random episodes (seeded) over every world, level and variant.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.js';
import { makeEnv, worlds } from '../../../src/envs/suite/index.js';

const configs = worlds.flatMap((w) =>
  w.levels.flatMap((level) => (w.variants ?? [undefined]).map((variant) => ({ id: w.id, level, variant }))),
);

describe.each(configs)('$id level $level $variant', ({ id, level, variant }) => {
  it('shows only codes below values, the agent as agentValue, and the named extras', () => {
    const { env } = makeEnv(id, { level, variant });
    const space = env.observationSpace;
    expect(space).toMatchObject({ kind: 'grid', rows: env.spec.rows, cols: env.spec.cols });
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: env.numActions, names: env.spec.actionNames });
    const rng = new Rng(5);
    const extras = new Set<string>();
    let highest = 0;
    for (let episode = 0; episode < 10; episode++) {
      let observation = env.reset({ seed: episode }).observation;
      expect(observation.board.includes(space.agentValue)).toBe(true);
      for (let t = 0; t < 100; t++) {
        for (const code of observation.board) highest = Math.max(highest, code);
        for (const key of Object.keys(observation.extra)) extras.add(key);
        const step = env.step(rng.int(5));
        observation = step.observation;
        if (step.terminated || step.truncated) break;
      }
    }
    expect(highest).toBeLessThan(space.values);
    expect([...extras].sort()).toEqual([...space.extra].sort());
  });
});
