/**
 * The piscina worker: runs one experiment for one seed. It loads the experiment registry
 * itself (workers share no module state with the CLI) and talks to the runner through the
 * MessagePort handed over with the task: 'start', metric batches, progress, artifacts,
 * and 'end' after the last batch, so the runner knows every metric arrived.
 */
import type { MessagePort } from 'node:worker_threads';
import { defaultRegistry } from '../experiments/registry.js';
import type { RunResult } from '../experiments/types.js';
import { createRunContext } from './run-context.js';

export interface WorkerTask {
  experiment: string;
  /** Already validated by the runner; validated again here through the same schema. */
  config: unknown;
  seed: number;
  port: MessagePort;
}

export type WorkerMessage =
  | { type: 'start' }
  | { type: 'metrics'; steps: number[]; names: string[]; values: number[] }
  | { type: 'progress'; done: number; total: number }
  | { type: 'artifact'; name: string; data: string | Uint8Array }
  | { type: 'end' };

export default async function runTask(task: WorkerTask): Promise<RunResult> {
  const { port } = task;
  const post = (message: WorkerMessage) => port.postMessage(message);
  const controller = new AbortController();
  port.on('message', (message) => {
    if (message === 'abort') controller.abort();
  });
  post({ type: 'start' });
  const { ctx, flush } = createRunContext(
    task.seed,
    {
      metrics: (batch) => post({ type: 'metrics', ...batch }),
      progress: (done, total) => post({ type: 'progress', done, total }),
      artifact: (name, data) => post({ type: 'artifact', name, data }),
    },
    controller.signal,
  );
  try {
    const experiment = defaultRegistry.get(task.experiment);
    return await experiment.run(experiment.config.parse(task.config), ctx);
  } finally {
    flush();
    // The runner closes the channel after 'end', so nothing posted before it is lost.
    post({ type: 'end' });
  }
}
