/**
 * `alignlab worker --queue redis://HOST:PORT`: consume queued runs from any submitter
 * (`run|reproduce … --queue`) on this machine's worker-thread pool until SIGINT/SIGTERM,
 * then finish the jobs in hand and exit.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { parseQueueUrl, runQueueWorker } from '../../lab/queue.js';
import { createWorkerPool, poolAvailable } from '../../lab/runner.js';
import { parseInteger } from '../flags.js';
import type { CliIo } from '../io.js';

export function registerWorkerCommand(program: Command, io: CliIo): void {
  program
    .command('worker')
    .description('consume queued runs (from `run|reproduce --queue`) until SIGINT/SIGTERM')
    .requiredOption('--queue <url>', 'the Redis the submitters use (redis://HOST:PORT[/DB])')
    .option('--concurrency <n>', 'runs at once (default: the cores)')
    .option('--lock-ms <ms>', "how long a killed worker's job stays locked before another takes it", '30000')
    .option('--stalled-ms <ms>', 'how often to look for the jobs of killed workers', '30000')
    .action(async (flags: { queue: string; concurrency?: string; lockMs: string; stalledMs: string }) => {
      const target = parseQueueUrl(flags.queue);
      const concurrency =
        flags.concurrency === undefined
          ? availableParallelism()
          : parseInteger(flags.concurrency, '--concurrency', 1, 256);
      const lockDurationMs = parseInteger(flags.lockMs, '--lock-ms', 100, 3_600_000);
      const stalledIntervalMs = parseInteger(flags.stalledMs, '--stalled-ms', 100, 3_600_000);
      if (!poolAvailable()) throw new UserInputError('alignlab worker runs from the build (npm run build)');
      const pool = createWorkerPool(concurrency);
      const controller = new AbortController();
      const stop = (name: string) => {
        io.err(`alignlab worker: ${name}: finishing the jobs in hand\n`);
        controller.abort();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      try {
        const processed = await runQueueWorker(
          { target, pool, concurrency, lockDurationMs, stalledIntervalMs, log: (text) => io.err(text) },
          controller.signal,
        );
        io.err(`alignlab worker: ${processed} job(s) done\n`);
      } finally {
        await pool.destroy().catch(() => {});
      }
    });
}
