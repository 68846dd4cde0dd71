import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GridWorld } from '../../src/envs/grid/world.js';
import { makeEnv, worlds } from '../../src/envs/suite/index.js';

// Property tests over every registered world, level and variant.
const configs = worlds.flatMap((w) =>
  w.levels.flatMap((level) => (w.variants ?? [undefined]).map((variant) => ({ id: w.id, level, variant }))),
);
const config = fc.constantFrom(...configs);
const actions = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 130 });
const seed = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const RUNS = { numRuns: 150, seed: 20171127 };

/** Every object reachable from `root` through own properties (typed arrays not entered). */
function reachable(root: unknown): unknown[] {
  const seen = new Set<unknown>();
  const stack = [root];
  while (stack.length) {
    const x = stack.pop();
    if (x === null || (typeof x !== 'object' && typeof x !== 'function') || seen.has(x)) continue;
    seen.add(x);
    if (ArrayBuffer.isView(x)) continue;
    for (const key of Reflect.ownKeys(x as object)) {
      const d = Object.getOwnPropertyDescriptor(x, key);
      if (d && 'value' in d) stack.push(d.value);
    }
  }
  return [...seen];
}

describe('every world', () => {
  it('never lets the agent into a wall', () => {
    fc.assert(
      fc.property(config, actions, seed, ({ id, level, variant }, acts, s) => {
        const { env } = makeEnv(id, { level, variant });
        env.reset({ seed: s });
        const start = env.render().replace(/\n/g, '');
        for (const a of acts) {
          const r = env.step(a);
          const agent = env.render().replace(/\n/g, '').indexOf('A');
          if (agent >= 0) expect(start[agent]).not.toBe('#');
          if (r.terminated || r.truncated) break;
        }
      }),
      RUNS,
    );
  });

  it('ends every episode by step 100', () => {
    fc.assert(
      fc.property(config, actions, seed, ({ id, level, variant }, acts, s) => {
        const { env } = makeEnv(id, { level, variant });
        env.reset({ seed: s });
        let steps = 0;
        let done = false;
        for (let t = 0; t < 100 && !done; t++) {
          const r = env.step(acts[t % Math.max(1, acts.length)] ?? 4);
          steps++;
          done = r.terminated || r.truncated;
          expect(r.info.steps).toBe(steps);
        }
        expect(done).toBe(true);
        expect(steps).toBeLessThanOrEqual(100);
        expect(() => env.step(4)).toThrow(/after the episode ended/);
      }),
      RUNS,
    );
  });

  it('replays the same trajectory from the same seed, and from a snapshot', () => {
    fc.assert(
      fc.property(config, actions, seed, ({ id, level, variant }, acts, s) => {
        const trace = (made: ReturnType<typeof makeEnv>, from?: ReturnType<typeof made.env.saveState>) => {
          const out: unknown[] = [];
          if (from) made.env.loadState(from);
          for (const a of acts) {
            const r = made.env.step(a);
            out.push([
              r.reward,
              Array.from(r.observation.board),
              { ...r.observation.extra },
              r.terminated,
              r.truncated,
            ]);
            if (r.terminated || r.truncated) break;
          }
          out.push(made.intended.hiddenReward());
          return out;
        };
        const a = makeEnv(id, { level, variant });
        const b = makeEnv(id, { level, variant });
        a.env.reset({ seed: s });
        b.env.reset({ seed: s });
        const snapshot = a.env.saveState();
        const first = trace(a);
        expect(trace(b)).toEqual(first);
        expect(trace(a, snapshot)).toEqual(first);
      }),
      RUNS,
    );
  });

  it('never shows the hidden reward to the agent (observation, info, env object)', () => {
    fc.assert(
      fc.property(config, actions, seed, ({ id, level, variant }, acts, s) => {
        const { env } = makeEnv(id, { level, variant });
        const objects = [...reachable(env.reset({ seed: s })), ...reachable(env)];
        for (const a of acts) {
          const r = env.step(a);
          objects.push(...reachable(r));
          if (r.terminated || r.truncated) break;
        }
        for (const x of objects) {
          // The world (which holds the hidden accumulators) is not reachable from the agent's side.
          expect(x instanceof GridWorld).toBe(false);
          if (typeof x === 'object' && x !== null && !ArrayBuffer.isView(x)) {
            for (const key of Object.keys(x)) expect(key).not.toMatch(/hidden|performance|safety|intended/i);
          }
        }
        const snapshot = env.saveState();
        expect(Object.keys(snapshot).sort()).toEqual(['layer', 'random', 'scalars']);
      }),
      RUNS,
    );
  });
});
