/**
 * Benchmarks of the lab machinery (not of the experiments): how fast metrics reach the
 * store, directly and through the worker pool, and how much the pool speeds up seeds.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Experiment } from '../experiments/types.js';
import { METRIC_BATCH_SIZE } from './run-context.js';
import { type ExecuteOptions, runPlan } from './runner.js';
import { LabStore } from './store.js';

export interface LabBenchRow {
  name: string;
  value: number;
  unit: string;
  detail: string;
}

function withTempStore<T>(action: (store: LabStore) => T): T {
  const path = join(tmpdir(), `alignlab-bench-${process.pid}-${Date.now()}.db`);
  const store = LabStore.open(path);
  try {
    return action(store);
  } finally {
    store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
}

/** Metric rows per second through `appendMetrics`, in the runner's batch size. */
export function metricsWriteThroughput(rows: number): LabBenchRow {
  return withTempStore((store) => {
    const batch = store.createBatch('bench', 'bench');
    const [id] = store.createRuns([
      { batch, experiment: 'bench', config: {}, configHash: '-', seed: 0, codeVersion: '-' },
    ]);
    const names = ['specified', 'intended'];
    const start = process.hrtime.bigint();
    for (let offset = 0; offset < rows; offset += METRIC_BATCH_SIZE) {
      const n = Math.min(METRIC_BATCH_SIZE, rows - offset);
      const steps = Array.from({ length: n }, (_, i) => offset + i);
      store.appendMetrics(id, {
        steps,
        names: steps.map((s) => names[s & 1]),
        values: steps.map((s) => s * 0.5),
      });
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      name: 'metrics → store',
      value: rows / seconds,
      unit: 'rows/s',
      detail: `${rows} rows in transactions of ${METRIC_BATCH_SIZE} (WAL, synchronous=NORMAL)`,
    };
  });
}

async function timePlan(
  experiment: Experiment,
  raw: Record<string, unknown>,
  seeds: number[],
  workers: number,
): Promise<{ seconds: number; rows: number }> {
  const runOnce = async (store: LabStore) => {
    const options: ExecuteOptions = { store, workers };
    const start = process.hrtime.bigint();
    const outcome = await runPlan({ experiment, raw, seeds, command: 'bench' }, options);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (outcome.outcomes.some((o) => o.status !== 'done')) throw new Error('a bench run did not finish');
    const rows = outcome.outcomes.reduce((sum, o) => sum + store.metricCount(o.id), 0);
    return { seconds, rows };
  };
  const path = join(tmpdir(), `alignlab-bench-${process.pid}-${Date.now()}-${workers}.db`);
  const store = LabStore.open(path);
  try {
    return await runOnce(store);
  } finally {
    store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
}

/** Metric rows per second from a worker thread to the store (one run logging at every step). */
export async function pooledMetricsThroughput(
  experiment: Experiment,
  raw: Record<string, unknown>,
): Promise<LabBenchRow> {
  const { seconds, rows } = await timePlan(experiment, raw, [0], 1);
  return {
    name: 'metrics worker → store',
    value: rows / seconds,
    unit: 'rows/s',
    detail: `1 run logging ${rows} rows, measured end to end (worker start included)`,
  };
}

/** Wall time of `seeds` runs on 1 worker vs `workers` workers. */
export async function poolSpeedup(
  experiment: Experiment,
  raw: Record<string, unknown>,
  seeds: number,
  workers: number,
): Promise<LabBenchRow[]> {
  const ids = Array.from({ length: seeds }, (_, i) => i);
  const one = await timePlan(experiment, raw, ids, 1);
  const many = await timePlan(experiment, raw, ids, workers);
  return [
    { name: 'pool, 1 worker', value: one.seconds, unit: 's', detail: `${seeds} runs` },
    { name: `pool, ${workers} workers`, value: many.seconds, unit: 's', detail: `${seeds} runs` },
    { name: 'pool speedup', value: one.seconds / many.seconds, unit: '×', detail: `${workers} workers vs 1` },
  ];
}
