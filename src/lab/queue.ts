/**
 * Sweeps across machines on BullMQ (Redis). The submitter records its runs in its own store
 * as usual, enqueues one job per run and waits; `alignlab worker` processes on any machines
 * take jobs, run them on their local worker-thread pool and return the result with the run's
 * metrics and artifacts; the submitter, the store's only writer, records each run once.
 *
 * - Job ids are `<store key>-<run id>`: enqueueing a run again (a restarted submitter
 *   re-attaching with `run --resume --queue`) adds nothing and picks up a finished job's result.
 * - A worker killed mid-job (kill -9) stops renewing its lock; after `lockDuration` another
 *   worker's stalled-job check moves the job back to the queue and it runs there.
 * - A run already `done` in the store is never written again, so a job that finishes twice is
 *   stored once.
 * - Runs execute in the worker's thread pool, never on its event loop, so lock renewal keeps
 *   going during long synchronous experiments.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { type Job as BullJob, Queue, Worker } from 'bullmq';
import type { Piscina } from 'piscina';
import { UserInputError } from '../core/errors.js';
import type { RunResult } from '../experiments/types.js';
import type { Job, JobOutcome } from './jobs.js';
import type { WorkerMessage, WorkerTask } from './pool-worker.js';
import type { ProgressReporter } from './progress.js';
import { emptyBatch } from './run-context.js';
import type { LabStore, MetricBatch } from './store.js';

export const QUEUE_NAME = 'alignlab-runs';

export interface QueueTarget {
  host: string;
  port: number;
  db: number;
  /** The URL as given, without a password. */
  display: string;
  password?: string;
}

/** `redis://[:password@]host[:port][/db]`, or a UserInputError naming the flag. */
export function parseQueueUrl(text: string, flag = '--queue'): QueueTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserInputError(`'${text}' is not a URL (expected redis://HOST:PORT)`, flag);
  }
  if (url.protocol !== 'redis:')
    throw new UserInputError(`'${text}': only redis:// URLs are supported`, flag);
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = url.pathname === '' || url.pathname === '/' ? 0 : Number(url.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0)
    throw new UserInputError(`'${text}': the database must be a number`, flag);
  return {
    host: url.hostname || '127.0.0.1',
    port,
    db,
    display: `redis://${url.hostname || '127.0.0.1'}:${port}/${db}`,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

function connection(target: QueueTarget) {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    password: target.password,
    // BullMQ's blocking connections require it; a dead Redis is reported by our own timeout.
    maxRetriesPerRequest: null,
  };
}

/** What travels to a worker: the run, not the store. */
export interface QueueJobData {
  runId: number;
  experiment: string;
  config: unknown;
  seed: number;
}

/** What comes back: the result, every metric row and every artifact (base64 for bytes). */
export interface QueueJobResult {
  result: RunResult;
  metrics: MetricBatch;
  artifacts: { name: string; text?: string; base64?: string }[];
  worker: string;
}

/** A store's key in job ids: the same file on the same host gives the same key. */
export function storeKey(store: LabStore): string {
  return createHash('sha256').update(`${hostname()}\u0000${store.path}`).digest('hex').slice(0, 16);
}

export interface QueueExecuteOptions {
  store: LabStore;
  target: QueueTarget;
  reporter: ProgressReporter;
  signal?: AbortSignal;
  /** How often the submitter polls job states (ms). */
  pollMs?: number;
  /** Attempts per job (a killed worker's job counts one). */
  attempts?: number;
  label(job: Job): string;
}

function recordResult(store: LabStore, runId: number, value: QueueJobResult): boolean {
  const record = store.requireRun(runId);
  if (record.status === 'done') return false; // finished twice: stored once
  if (record.status !== 'running') store.startRun(runId);
  if (value.metrics.steps.length > 0) store.appendMetrics(runId, value.metrics);
  for (const a of value.artifacts) {
    store.putArtifact(
      runId,
      a.name,
      a.base64 !== undefined ? Buffer.from(a.base64, 'base64') : (a.text ?? ''),
    );
  }
  store.finishRun(runId, value.result);
  return true;
}

/** Enqueues every job and waits for all of them; the store records each finished run once. */
export async function executeOnQueue(
  jobs: readonly Job[],
  options: QueueExecuteOptions,
): Promise<JobOutcome[]> {
  const { store, target, reporter, signal } = options;
  const queue = new Queue<QueueJobData, QueueJobResult>(QUEUE_NAME, { connection: connection(target) });
  const key = storeKey(store);
  const jobId = (job: Job) => `${key}-${job.id}`;
  const outcomes = new Map<number, JobOutcome>();
  const started = new Set<number>();
  try {
    await withTimeout(queue.waitUntilReady(), 10_000, `no Redis answers at ${target.display}`);
    await queue.addBulk(
      jobs.map((job) => ({
        name: job.experiment.id,
        data: { runId: job.id, experiment: job.experiment.id, config: job.config, seed: job.seed },
        opts: {
          jobId: jobId(job),
          attempts: options.attempts ?? 3,
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    // A rerun of a run whose job failed before: the same id, so retry that job.
    for (const job of jobs) {
      const remote = await queue.getJob(jobId(job));
      if (remote && (await remote.getState()) === 'failed') await remote.retry();
    }
    while (outcomes.size < jobs.length) {
      if (signal?.aborted) break;
      for (const job of jobs) {
        if (outcomes.has(job.id)) continue;
        const remote = await queue.getJob(jobId(job));
        if (!remote) continue;
        const state = await remote.getState();
        if (state === 'active' && !started.has(job.id)) {
          started.add(job.id);
          reporter.runStarted(job.id, options.label(job));
        }
        if (state === 'active' && typeof remote.progress === 'object' && remote.progress !== null) {
          const p = remote.progress as { done?: number; total?: number };
          if (p.done !== undefined && p.total !== undefined) reporter.runProgress(job.id, p.done, p.total);
        }
        if (state === 'completed') {
          const value = remote.returnvalue as QueueJobResult;
          recordResult(store, job.id, value);
          reporter.runFinished(job.id, 'done', `on ${value.worker}`);
          outcomes.set(job.id, { ...job, status: 'done', result: value.result });
        } else if (state === 'failed') {
          const error = remote.failedReason || 'failed on the queue';
          store.failRun(job.id, error);
          reporter.runFinished(job.id, 'failed', error);
          outcomes.set(job.id, { ...job, status: 'failed', error });
        }
      }
      if (outcomes.size < jobs.length) await sleep(options.pollMs ?? 200, signal);
    }
  } finally {
    await queue.close().catch(() => {});
  }
  const open = jobs.filter((j) => !outcomes.has(j.id));
  if (open.length > 0) {
    // Interrupted: the jobs stay queued; `run --resume --queue` re-attaches to them.
    store.markInterrupted(
      open.map((j) => j.id),
      'interrupted while queued (resume with `alignlab run --resume --queue URL`)',
    );
    for (const job of open) outcomes.set(job.id, { ...job, status: 'interrupted' });
  }
  return jobs.map((j) => outcomes.get(j.id)!);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new UserInputError(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one task on the pool, gathering its metrics and artifacts in memory. */
async function runOnPool(
  pool: Piscina,
  data: QueueJobData,
  onProgress: (done: number, total: number) => void,
): Promise<Omit<QueueJobResult, 'worker'>> {
  const { port1, port2 } = new MessageChannel();
  const metrics = emptyBatch();
  const artifacts: QueueJobResult['artifacts'] = [];
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => {
    markEnded = resolve;
  });
  port1.on('message', (message: WorkerMessage) => {
    if (message.type === 'end') markEnded();
    else if (message.type === 'metrics') {
      for (let i = 0; i < message.steps.length; i++) {
        metrics.steps.push(message.steps[i]);
        metrics.names.push(message.names[i]);
        metrics.values.push(message.values[i]);
      }
    } else if (message.type === 'progress') onProgress(message.done, message.total);
    else if (message.type === 'artifact') {
      artifacts.push(
        typeof message.data === 'string'
          ? { name: message.name, text: message.data }
          : { name: message.name, base64: Buffer.from(message.data).toString('base64') },
      );
    }
  });
  const task: WorkerTask = { experiment: data.experiment, config: data.config, seed: data.seed, port: port2 };
  try {
    const result = (await pool.run(task, { transferList: [port2] })) as RunResult;
    await ended;
    return { result, metrics, artifacts };
  } finally {
    port1.close();
  }
}

export interface QueueWorkerOptions {
  target: QueueTarget;
  pool: Piscina;
  concurrency: number;
  /** BullMQ's lock duration (ms): how long a silent (killed) worker keeps its job. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers (ms). */
  stalledIntervalMs?: number;
  log(text: string): void;
}

/** Consumes runs until `signal` aborts; then finishes the jobs in hand and closes. */
export async function runQueueWorker(options: QueueWorkerOptions, signal: AbortSignal): Promise<number> {
  const name = `${hostname()}:${process.pid}`;
  let processed = 0;
  const worker = new Worker<QueueJobData, QueueJobResult>(
    QUEUE_NAME,
    async (job: BullJob<QueueJobData, QueueJobResult>) => {
      options.log(`job ${job.id} (${job.data.experiment} seed=${job.data.seed}): started\n`);
      let lastReport = 0;
      const out = await runOnPool(options.pool, job.data, (done, total) => {
        const now = Date.now();
        if (now - lastReport < 250) return;
        lastReport = now;
        void job.updateProgress({ done, total }).catch(() => {});
      });
      processed++;
      options.log(`job ${job.id}: done\n`);
      return { ...out, worker: name };
    },
    {
      connection: connection(options.target),
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
      autorun: false,
    },
  );
  worker.on('failed', (job, error) => options.log(`job ${job?.id}: failed: ${error.message}\n`));
  await withTimeout(worker.waitUntilReady(), 10_000, `no Redis answers at ${options.target.display}`);
  options.log(`alignlab worker ${name}: consuming ${QUEUE_NAME} on ${options.target.display}\n`);
  const running = worker.run();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.close();
  await running.catch(() => {});
  return processed;
}
