/**
 * The runner: expands an experiment, its config, seeds and an optional sweep into runs,
 * records them in the store, and executes them — on a piscina worker pool (one seed per
 * task, from the compiled `dist/`) or in-process (`workers: 0`, for tests and debugging).
 *
 * Interruption: when `signal` aborts (the CLI wires SIGINT and SIGTERM to it) every
 * unfinished run is marked 'interrupted' in one transaction, the workers are terminated,
 * and nothing more is written for those runs. A killed process is handled by the store
 * on its next open. Either way the runs are rerun by id with `rerunRuns`.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ExperimentRegistry } from '../experiments/registry.js';
import type { Experiment, RunResult, SweepValue } from '../experiments/types.js';
import { codeVersion } from './code-version.js';
import { configHash, type PlainObject, setPath, validateConfig } from './config.js';
import type { Job, JobOutcome } from './jobs.js';
import type { WorkerMessage, WorkerTask } from './pool-worker.js';
import { type ProgressReporter, silentReporter } from './progress.js';
import { executeOnQueue, type QueueTarget } from './queue.js';
import { createRunContext } from './run-context.js';
import type { LabStore, MetricBatch, RunRecord } from './store.js';

export interface SweepSpec {
  /** A config key, dotted for nested objects. */
  param: string;
  values: readonly SweepValue[];
}

export interface RunPlan {
  experiment: Experiment;
  /** The merged raw config (see `mergeConfigSources`); validated here per sweep point. */
  raw: PlainObject;
  seeds: readonly number[];
  sweep?: SweepSpec;
  /** The command line, kept with the batch. */
  command: string;
}

export type { Job, JobOutcome, JobStatus } from './jobs.js';

export interface ExecuteOptions {
  store: LabStore;
  /** Worker threads; 0 runs in-process on the calling thread. */
  workers: number;
  reporter?: ProgressReporter;
  signal?: AbortSignal;
  /**
   * A pool from `createWorkerPool` shared across several plans (`reproduce` runs many
   * experiments: the workers load the registry once). Without it each call makes its own.
   */
  pool?: Piscina;
  /** Run on `alignlab worker` processes through this Redis queue instead of locally. */
  queue?: QueueTarget;
}

export interface BatchOutcome {
  batch: number;
  outcomes: JobOutcome[];
  interrupted: boolean;
}

const WORKER_URL = new URL('./pool-worker.js', import.meta.url);

/** The pool needs the compiled worker; under TypeScript sources (vitest) only in-process runs exist. */
export function poolAvailable(): boolean {
  return import.meta.url.endsWith('.js');
}

/** A pool of `workers` threads running `pool-worker.js`; destroy it when done. */
export function createWorkerPool(workers: number): Piscina {
  if (!poolAvailable()) {
    throw new Error(
      'the worker pool runs the compiled dist/ build (npm run build); use workers: 0 under TS sources',
    );
  }
  return new Piscina({
    filename: WORKER_URL.href,
    maxThreads: workers,
    minThreads: workers,
    idleTimeout: 1000,
  });
}

/** Workers for `jobs` runs: one per run up to the machine's cores; 0 when the pool is unavailable. */
export function defaultWorkers(jobs: number): number {
  return poolAvailable() ? Math.max(1, Math.min(jobs, availableParallelism())) : 0;
}

/** Validated configs for every sweep point × seed, in the order they will run. */
export function planPoints(plan: RunPlan): { config: unknown; seed: number; power?: SweepValue }[] {
  const points = plan.sweep
    ? plan.sweep.values.map((value) => ({
        power: value,
        config: validateConfig(plan.experiment, setPath(plan.raw, plan.sweep!.param, value)),
      }))
    : [{ power: undefined, config: validateConfig(plan.experiment, plan.raw) }];
  return points.flatMap((point) => plan.seeds.map((seed) => ({ ...point, seed })));
}

export function jobLabel(
  job: Pick<Job, 'experiment' | 'seed' | 'power'>,
  sweepParam?: string | null,
): string {
  return `${job.experiment.id} seed=${job.seed}${job.power !== undefined ? ` ${sweepParam ?? 'power'}=${job.power}` : ''}`;
}

/** Records the plan's runs as one batch and executes them. */
export async function runPlan(plan: RunPlan, options: ExecuteOptions): Promise<BatchOutcome> {
  const { batch, jobs } = recordPlan(plan, options.store);
  const outcomes = await executeJobs(jobs, options, plan.sweep?.param);
  return { batch, outcomes, interrupted: outcomes.some((o) => o.status === 'interrupted') };
}

/**
 * Records the plan's runs as one queued batch (a control arm of `control.parent` when given)
 * and returns the jobs that execute them.
 */
export function recordPlan(
  plan: RunPlan,
  store: LabStore,
  control?: { arm: string; parent: number },
): { batch: number; jobs: Job[] } {
  const points = planPoints(plan);
  const batch = store.createBatch(plan.experiment.id, plan.command, control);
  const version = codeVersion();
  const ids = store.createRuns(
    points.map((p) => ({
      batch,
      experiment: plan.experiment.id,
      config: p.config,
      configHash: configHash(p.config),
      seed: p.seed,
      sweepParam: plan.sweep?.param,
      sweepValue: p.power,
      codeVersion: version,
    })),
  );
  return { batch, jobs: points.map((p, i) => ({ id: ids[i], experiment: plan.experiment, ...p })) };
}

/** Reruns stored runs under their own ids (metrics cleared first), with their stored config and seed. */
export async function rerunRuns(
  records: readonly RunRecord[],
  registry: ExperimentRegistry,
  options: ExecuteOptions,
): Promise<JobOutcome[]> {
  const jobs = records.map((record) => {
    const experiment = registry.get(record.experiment);
    return {
      id: record.id,
      experiment,
      config: validateConfig(experiment, record.config as PlainObject),
      seed: record.seed,
      power: record.sweepValue ?? undefined,
    };
  });
  for (const job of jobs) options.store.resetForRerun(job.id);
  return executeJobs(jobs, options, records[0]?.sweepParam);
}

/** "interrupted (SIGINT)" when the abort carried a reason. */
function interruptReason(signal?: AbortSignal): string {
  const reason = signal?.reason;
  return reason instanceof Error && reason.name !== 'AbortError'
    ? `interrupted (${reason.message})`
    : 'interrupted';
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function summaryLine(result: RunResult): string {
  return `specified=${result.specified.toFixed(3)} intended=${result.intended.toFixed(3)}`;
}

export async function executeJobs(
  jobs: readonly Job[],
  options: ExecuteOptions,
  sweepParam?: string | null,
): Promise<JobOutcome[]> {
  const reporter = options.reporter ?? silentReporter;
  try {
    if (options.queue) {
      return await executeOnQueue(jobs, {
        store: options.store,
        target: options.queue,
        reporter,
        signal: options.signal,
        label: (job) => jobLabel(job, sweepParam),
      });
    }
    return options.workers > 0
      ? await executeInPool(jobs, options, reporter, sweepParam)
      : await executeInProcess(jobs, options, reporter, sweepParam);
  } finally {
    reporter.close();
  }
}

async function executeInProcess(
  jobs: readonly Job[],
  { store, signal }: ExecuteOptions,
  reporter: ProgressReporter,
  sweepParam?: string | null,
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  const never = new AbortController().signal;
  for (const job of jobs) {
    if (signal?.aborted) {
      outcomes.push({ ...job, status: 'interrupted' });
      continue;
    }
    store.startRun(job.id);
    reporter.runStarted(job.id, jobLabel(job, sweepParam));
    const { ctx, flush } = createRunContext(
      job.seed,
      {
        metrics: (batch) => store.appendMetrics(job.id, batch),
        progress: (done, total) => reporter.runProgress(job.id, done, total),
        artifact: (name, data) => store.putArtifact(job.id, name, data),
      },
      signal ?? never,
    );
    try {
      const result = await job.experiment.run(job.config, ctx);
      flush();
      store.finishRun(job.id, result);
      reporter.runFinished(job.id, 'done', summaryLine(result));
      outcomes.push({ ...job, status: 'done', result });
    } catch (error) {
      if (signal?.aborted) {
        outcomes.push({ ...job, status: 'interrupted' });
        reporter.runFinished(job.id, 'interrupted');
      } else {
        store.failRun(job.id, describeError(error));
        reporter.runFinished(job.id, 'failed', describeError(error));
        outcomes.push({ ...job, status: 'failed', error: describeError(error) });
      }
    }
  }
  const interrupted = outcomes.filter((o) => o.status === 'interrupted').map((o) => o.id);
  store.markInterrupted(interrupted, interruptReason(signal));
  return outcomes;
}

async function executeInPool(
  jobs: readonly Job[],
  options: ExecuteOptions,
  reporter: ProgressReporter,
  sweepParam?: string | null,
): Promise<JobOutcome[]> {
  const { store, signal, workers } = options;
  const owned = !options.pool;
  const pool = options.pool ?? createWorkerPool(Math.min(workers, Math.max(1, jobs.length)));
  const open = new Set(jobs.map((j) => j.id));
  const ports = new Map<number, MessagePort>();
  let stopped = false;
  let storeFailure: unknown;

  // Stops everything: the store learns first, then the workers are terminated mid-step.
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const port of ports.values()) port.postMessage('abort');
    try {
      store.markInterrupted([...open], interruptReason(signal));
    } catch (error) {
      storeFailure ??= error;
    }
    void pool.destroy().catch(() => {});
  };
  const onAbort = () => stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) stop();

  const runOne = async (job: Job): Promise<JobOutcome> => {
    if (stopped) return { ...job, status: 'interrupted' };
    const { port1, port2 } = new MessageChannel();
    ports.set(job.id, port1);
    let markEnded!: () => void;
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    port1.on('message', (message: WorkerMessage) => {
      if (message.type === 'end') markEnded();
      if (stopped) return;
      try {
        if (message.type === 'start') {
          store.startRun(job.id);
          reporter.runStarted(job.id, jobLabel(job, sweepParam));
        } else if (message.type === 'metrics') {
          store.appendMetrics(job.id, message as MetricBatch);
        } else if (message.type === 'progress') {
          reporter.runProgress(job.id, message.done, message.total);
        } else if (message.type === 'artifact') {
          store.putArtifact(job.id, message.name, message.data);
        }
      } catch (error) {
        storeFailure ??= error;
        stop();
      }
    });
    const task: WorkerTask = {
      experiment: job.experiment.id,
      config: job.config,
      seed: job.seed,
      port: port2,
    };
    try {
      const result = (await pool.run(task, { transferList: [port2] })) as RunResult;
      await ended;
      if (stopped) return { ...job, status: 'interrupted' };
      store.finishRun(job.id, result);
      open.delete(job.id);
      reporter.runFinished(job.id, 'done', summaryLine(result));
      return { ...job, status: 'done', result };
    } catch (error) {
      if (stopped) return { ...job, status: 'interrupted' };
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 500))]);
      store.failRun(job.id, describeError(error));
      open.delete(job.id);
      reporter.runFinished(job.id, 'failed', describeError(error));
      return { ...job, status: 'failed', error: describeError(error) };
    } finally {
      ports.delete(job.id);
      port1.close();
    }
  };

  try {
    const outcomes = await Promise.all(jobs.map(runOne));
    if (storeFailure) throw storeFailure;
    return outcomes;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (owned && !stopped) await pool.destroy();
  }
}

/** Runs one experiment for one seed with no store, returning its result and metrics (for tests). */
export async function runExperimentInProcess<C>(
  experiment: Experiment<C>,
  config: C,
  seed: number,
): Promise<{ result: RunResult; metrics: MetricBatch }> {
  const metrics: MetricBatch = { steps: [], names: [], values: [] };
  const { ctx, flush } = createRunContext(
    seed,
    {
      metrics: (batch) => {
        metrics.steps.push(...batch.steps);
        metrics.names.push(...batch.names);
        metrics.values.push(...batch.values);
      },
      progress: () => {},
      artifact: () => {},
    },
    new AbortController().signal,
  );
  const result = await experiment.run(config, ctx);
  flush();
  return { result, metrics };
}
