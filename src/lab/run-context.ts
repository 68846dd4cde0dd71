/**
 * Builds the `RunContext` an experiment sees, on top of three event callbacks. The same code
 * serves runs in a pool worker (events become messages) and in-process runs (events go to
 * the store), so both paths record exactly the same thing.
 */
import { Rng } from '../core/rng.js';
import type { RunContext } from '../experiments/types.js';
import type { MetricBatch } from './store.js';

export interface RunEvents {
  metrics(batch: MetricBatch): void;
  progress(done: number, total: number): void;
  artifact(name: string, data: string | Uint8Array): void;
}

/** Metrics per message/transaction: large enough to amortise, small enough to lose little on a kill. */
export const METRIC_BATCH_SIZE = 2048;

export function emptyBatch(): MetricBatch {
  return { steps: [], names: [], values: [] };
}

export function createRunContext(
  seed: number,
  events: RunEvents,
  signal: AbortSignal,
): { ctx: RunContext; flush(): void } {
  let batch = emptyBatch();
  let lastPermille = -1;
  const flush = () => {
    if (batch.steps.length === 0) return;
    const full = batch;
    batch = emptyBatch();
    events.metrics(full);
  };
  const ctx: RunContext = {
    seed,
    rng: new Rng(seed),
    signal,
    log(step, name, value) {
      if (!Number.isFinite(step))
        throw new RangeError(`metric '${name}': step must be a finite number, got ${step}`);
      batch.steps.push(step);
      batch.names.push(name);
      batch.values.push(value);
      if (batch.steps.length >= METRIC_BATCH_SIZE) flush();
    },
    progress(done, total) {
      // At most one event per 0.1 %, so a tight loop can report every step.
      const permille = total > 0 ? Math.floor((1000 * done) / total) : 0;
      if (permille === lastPermille) return;
      lastPermille = permille;
      events.progress(done, total);
    },
    artifact(name, data) {
      events.artifact(name, data);
    },
  };
  return { ctx, flush };
}
