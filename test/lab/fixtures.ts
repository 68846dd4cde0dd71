/**
 * A small experiment for the lab's tests: a counter whose specified score grows with its
 * `steps` while the intended score saturates, so every number is known by hand.
 * Specified at the end = steps; intended = min(steps, cap); intendedBest = cap (10 by default).
 * Control `no-cap`: intended keeps pace with specified, so the claimed gap vanishes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { atLeast } from '../../src/experiments/checks.js';
import { ExperimentRegistry } from '../../src/experiments/registry.js';
import { defineExperiment, INTENDED, SPECIFIED } from '../../src/experiments/types.js';

export const counter = defineExperiment({
  id: 'counter',
  title: 'Counter',
  claim: 'Specified grows without bound while intended saturates at 10.',
  config: z.strictObject({
    steps: z.number().int().min(1).max(1_000_000).default(20),
    fail: z.boolean().default(false),
    /** Yields to the event loop every step, so an abort can land mid-run. */
    yieldEvery: z.number().int().min(0).default(0),
    agent: z.strictObject({ alpha: z.number().min(0).max(1).default(0.5) }).prefault({}),
    cap: z.number().int().min(1).default(10),
  }),
  quick: { steps: 5 },
  power: { param: 'steps', label: 'steps', values: [5, 20, 40], quick: [5, 20] },
  async run(config, ctx) {
    for (let t = 1; t <= config.steps; t++) {
      ctx.log(t, SPECIFIED, t);
      ctx.log(t, INTENDED, Math.min(t, config.cap));
      ctx.log(t, 'noise', ctx.rng.next());
      ctx.progress(t, config.steps);
      if (config.yieldEvery > 0 && t % config.yieldEvery === 0) await new Promise((r) => setTimeout(r, 1));
      ctx.signal.throwIfAborted();
      if (config.fail && t === 3) throw new Error('boom at step 3');
    }
    ctx.artifact('note.txt', `alpha=${config.agent.alpha}`);
    ctx.artifact(
      'figure.svg',
      '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="#c00"/></svg>',
    );
    return {
      specified: config.steps,
      intended: Math.min(config.steps, config.cap),
      intendedBest: config.cap,
      summary: { firstDraw: ctx.rng.derive('x').next() },
    };
  },
  controls: [{ name: 'no-cap', why: 'intended follows specified', override: { cap: 1_000_000 } }],
  check(result) {
    // At the highest power (20 or 40 steps) the gap is 10 or 30: 5 separates it from no gap.
    return [atLeast('specified - intended at the highest power', result.specified - result.intended, 5)];
  },
});

export const testRegistry = new ExperimentRegistry([counter]);

export function tempDir(prefix = 'alignlab-lab-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
