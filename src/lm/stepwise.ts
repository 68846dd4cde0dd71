/**
 * Generation for the server: the same sampling as `LocalLanguageModel.complete` (same seeds,
 * same tokens), one token step at a time, yielding to the event loop between steps so a long
 * request never starves other clients, and stopping as soon as its signal aborts (a client that
 * disconnected, a server that drains). `onText` sees each row's text as it grows (streaming).
 */
import type { CompletionStepOptions, LocalLanguageModel } from './local-model.js';
import type { Completion } from './types.js';

export interface StepwiseOptions extends Omit<CompletionStepOptions, 'batchSize' | 'kvCache'> {
  signal?: AbortSignal;
  /** Rows per forward pass (default 64). */
  batchSize?: number;
}

const waiting: (() => void)[] = [];
let pumping = false;

/**
 * Resolves on a later turn of the event loop, after pending I/O. One waiter is released per
 * turn, so however many requests generate at once, the loop does at most one token step
 * between two rounds of I/O: a health check waits for one step, not one per request.
 */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}

function pump(): void {
  waiting.shift()?.();
  if (waiting.length > 0) setImmediate(pump);
  else pumping = false;
}

/**
 * `LanguageModel.complete`'s completions (KV-cached where they fit), with a turn of the event
 * loop after every token step and the signal checked before every forward pass.
 */
export async function completeStepwise(
  lm: LocalLanguageModel,
  prompts: readonly string[],
  options: StepwiseOptions = {},
): Promise<Completion[]> {
  const steps = lm.completionSteps(prompts, {
    ...options,
    batchSize: options.batchSize ?? 64,
    kvCache: true,
  });
  let stepped = false;
  try {
    for (;;) {
      const next = steps.next();
      if (stepped) await nextTurn();
      if (next.done) return next.value;
      options.signal?.throwIfAborted();
      stepped = true;
    }
  } finally {
    steps.return([]);
  }
}
