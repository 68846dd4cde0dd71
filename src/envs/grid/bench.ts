import { Worker } from 'node:worker_threads';
import type { GridEnv } from './env.js';

export interface ThroughputResult {
  steps: number;
  seconds: number;
  stepsPerSecond: number;
}

/** A fixed table of uniformly random actions (xorshift32), so the timed loop draws nothing. */
function randomActionTable(length: number, seed: number): Uint8Array {
  const table = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    table[i] = (x >>> 0) % 5;
  }
  return table;
}

/**
 * Random-policy throughput of one environment: `steps` steps of uniformly random actions
 * (0-4), resetting whenever an episode ends. Resets are counted in the time, not in steps.
 * The best of `repeats` timed runs is reported (as timeit does): on a shared machine the
 * slower runs measure the neighbours' load, not the code.
 */
export function measureThroughput(env: GridEnv, steps: number, seed = 1, repeats = 3): ThroughputResult {
  const actions = randomActionTable(1 << 16, seed);
  const mask = (1 << 16) - 1;
  const run = (n: number): number => {
    env.reset({ seed });
    const start = process.hrtime.bigint();
    for (let t = 0; t < n; t++) {
      const result = env.step(actions[t & mask]);
      if (result.terminated || result.truncated) env.reset();
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  run(Math.min(steps, 200_000)); // warm up the JIT
  let seconds = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) seconds = Math.min(seconds, run(steps));
  return { steps, seconds, stepsPerSecond: steps / seconds };
}

export interface BenchConfig {
  id: string;
  level: number;
  variant?: string;
  steps: number;
}

/**
 * Measures one world in a fresh worker thread, so that its JIT state is its own: an agent
 * training on one world never runs the others' code, and sharing call sites across world
 * classes would make the later worlds look slower than they are. From TypeScript sources
 * (tests) it measures in-process instead.
 */
export async function measureIsolated(config: BenchConfig): Promise<ThroughputResult> {
  const workerUrl = new URL('./bench-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.js')) {
    const { makeEnv } = await import('../suite/index.js');
    return measureThroughput(makeEnv(config.id, config).env, config.steps);
  }
  return await new Promise<ThroughputResult>((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: config });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}
