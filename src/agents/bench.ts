/**
 * Learning throughput of tabular Q-learning: environment steps per second including the
 * ε-greedy choice, the observation lookup and the update, on one core, per world. Each
 * world is measured in its own worker thread so its JIT state is its own (as `bench envs`).
 */
import { Worker } from 'node:worker_threads';
import { Rng } from '../core/rng.js';
import { makeEnv } from '../envs/suite/index.js';
import { QLearning } from './q-learning.js';

export interface AgentBenchConfig {
  id: string;
  level: number;
  /** Environment steps per timed run. */
  steps: number;
}

export interface AgentThroughput {
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  /**
   * Steps per second of CPU time the process used (its other threads idle meanwhile): on a
   * machine shared with other jobs this is the one-core figure, wall time is not.
   */
  stepsPerCpuSecond: number;
  /** Distinct observations in the learner's table at the end. */
  states: number;
}

/**
 * Trains Q-learning on one world for at least `steps` steps (whole episodes) after a warm-up,
 * best of `repeats` timed runs (on a shared machine the slower runs measure the neighbours).
 */
export function measureQLearning(config: AgentBenchConfig, repeats = 3): AgentThroughput {
  const { env } = makeEnv(config.id, { level: config.level, rng: new Rng(1) });
  env.reset({ seed: 1 });
  const learner = new QLearning(
    env,
    { episodes: 1e8, alpha: 0.5, gamma: 0.99, epsilon: { start: 1, end: 0.05, decayFraction: 0.001 } },
    new Rng(1),
  );
  const run = (steps: number) => {
    const before = learner.steps;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    while (learner.steps - before < steps) learner.train(100);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    return { steps: learner.steps - before, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
  };
  run(Math.min(config.steps, 300_000)); // warm up the JIT and fill the table
  let best = { steps: 0, seconds: Number.POSITIVE_INFINITY, cpuSeconds: Number.POSITIVE_INFINITY };
  for (let r = 0; r < repeats; r++) {
    const timed = run(config.steps);
    if (timed.steps / timed.seconds > best.steps / best.seconds) best = timed;
  }
  return {
    steps: best.steps,
    seconds: best.seconds,
    stepsPerSecond: best.steps / best.seconds,
    stepsPerCpuSecond: best.steps / best.cpuSeconds,
    states: learner.index.size,
  };
}

/** Measures one world in a fresh worker thread (in-process under TypeScript sources). */
export async function measureQLearningIsolated(config: AgentBenchConfig): Promise<AgentThroughput> {
  if (!import.meta.url.endsWith('.js')) return measureQLearning(config);
  return await new Promise<AgentThroughput>((resolve, reject) => {
    const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { workerData: config });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}
