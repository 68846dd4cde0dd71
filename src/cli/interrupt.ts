/** Ctrl-C for long commands: the first SIGINT/SIGTERM aborts `work` cleanly, a second exits at once. */
import type { CliIo } from './io.js';

export async function interruptible<T>(
  io: CliIo,
  notice: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(name === 'SIGINT' ? 130 : 143);
    io.err(`\nalignlab: ${name}: ${notice}\n`);
    controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
