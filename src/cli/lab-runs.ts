/** What the commands that run or read the store share: opening it, worker counts, outcomes and exit codes. */
import { defaultRegistry } from '../experiments/registry.js';
import { reporterFor } from '../lab/progress.js';
import type { QueueTarget } from '../lab/queue.js';
import { defaultWorkers, type JobOutcome, rerunRuns } from '../lab/runner.js';
import { LabStore, RUN_STATUSES, type RunRecord, resolveDbPath } from '../lab/store.js';
import { parseInteger } from './flags.js';
import { interruptible } from './interrupt.js';
import type { CliIo } from './io.js';

export const DB_HELP = 'store file (default $ALIGNLAB_DB or .alignlab/lab.db)';

export function workerCount(text: string | undefined, jobs: number): number {
  return text === undefined ? defaultWorkers(jobs) : parseInteger(text, '--workers', 0, 256);
}

/** `mode` 'read' for commands that only list (they never create a store), 'existing' for rerun. */
export function openStore(db?: string, mode: 'create' | 'existing' | 'read' = 'create'): LabStore {
  return LabStore.open(resolveDbPath(db), { mode });
}

export const interruptNotice = 'marking open runs interrupted (resume with `alignlab run --resume`)';

/** 0 when every run finished, 130 when interrupted, 1 when a run failed. */
export function exitCodeOf(outcomes: readonly JobOutcome[]): number {
  if (outcomes.some((o) => o.status === 'interrupted')) return 130;
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

/** The outcomes in one line of counts, then each failure and the interrupted runs (or JSON). */
export function printOutcomes(io: CliIo, outcomes: readonly JobOutcome[], json = false): void {
  if (json) {
    io.out(`${JSON.stringify(outcomes)}\n`);
    return;
  }
  const counts = RUN_STATUSES.map((s) => [s, outcomes.filter((o) => o.status === s).length] as const).filter(
    ([, n]) => n > 0,
  );
  io.out(`${outcomes.length} run(s): ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}\n`);
  for (const o of outcomes.filter((x) => x.status === 'failed')) io.out(`run ${o.id} failed: ${o.error}\n`);
  if (outcomes.some((o) => o.status === 'interrupted')) {
    io.out(
      `interrupted runs: ${outcomes
        .filter((o) => o.status === 'interrupted')
        .map((o) => o.id)
        .join(' ')} — rerun with \`alignlab run --resume\`\n`,
    );
  }
}

/** Reruns stored runs under their ids (Ctrl-C marks the open ones interrupted). */
export async function rerun(
  io: CliIo,
  store: LabStore,
  records: RunRecord[],
  options: { workers?: string; queue?: QueueTarget; json?: boolean } = {},
): Promise<JobOutcome[]> {
  const outcomes = await interruptible(io, interruptNotice, (signal) =>
    rerunRuns(records, defaultRegistry, {
      store,
      workers: workerCount(options.workers, records.length),
      reporter: reporterFor(io, records.length),
      signal,
      queue: options.queue,
    }),
  );
  printOutcomes(io, outcomes, options.json);
  return outcomes;
}
