/**
 * Generation for the server: the same sampling as `LocalLanguageModel.complete` (same seeds,
 * same tokens), one token step at a time, yielding to the event loop between steps so a long
 * request never starves other clients, and stopping as soon as its signal aborts (a client that
 * disconnected, a server that drains). `onText` sees each row's text as it grows (streaming).
 */
import { Rng } from '../core/rng.js';
import { CompletionRows, type LocalLanguageModel } from './local-model.js';
import type { Completion, GenerateOptions } from './types.js';

export interface StepwiseOptions extends GenerateOptions {
  signal?: AbortSignal;
  /** After every step: row i's text so far, and its completion once finished. */
  onText?: (row: number, text: string, done: Completion | undefined) => void;
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

export async function completeStepwise(
  lm: LocalLanguageModel,
  prompts: readonly string[],
  options: StepwiseOptions = {},
): Promise<Completion[]> {
  const batchSize = options.batchSize ?? 64;
  const rng = new Rng(options.seed ?? 0);
  const out: Completion[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const chunk = prompts.slice(start, start + batchSize);
    out.push(...(await completeChunk(lm, chunk, start, rng, options)));
  }
  return out;
}

async function completeChunk(
  lm: LocalLanguageModel,
  prompts: readonly string[],
  offset: number,
  rng: Rng,
  options: StepwiseOptions,
): Promise<Completion[]> {
  const maxTokens = options.maxTokens ?? 32;
  const rows = prompts.map((p) => lm.encodePrompt(p));
  const batch = new CompletionRows(
    prompts.length,
    lm.tokenizer,
    options,
    prompts.map((_, i) => rng.derive(offset + i)),
    options.onText && ((i, text, done) => options.onText?.(offset + i, text, done)),
  );
  const { generated, results } = batch;
  // As LocalLanguageModel.complete: with a KV cache (one decode step per token, the fused native
  // step on the native path) while prompt + completion fit the context, else whole prefixes.
  const fits = Math.max(...rows.map((r) => r.length)) + maxTokens - 1 <= lm.contextLength;
  if (fits && maxTokens > 0) {
    options.signal?.throwIfAborted();
    const { cache, logits } = lm.model.prefill(rows);
    let current = logits;
    try {
      for (;;) {
        const keep: number[] = [];
        const fed: number[] = [];
        cache.rows.forEach((i, k) => {
          if (batch.advance(i, current[k])) {
            keep.push(k);
            fed.push(batch.last(i));
          }
        });
        await nextTurn();
        if (keep.length === 0) break;
        options.signal?.throwIfAborted();
        cache.retain(keep);
        current = lm.model.decode(cache, fed);
      }
    } finally {
      cache.dispose();
    }
    return results as Completion[];
  }
  while (results.some((r) => r === undefined)) {
    options.signal?.throwIfAborted();
    const active = results.flatMap((r, i) => (r === undefined ? [i] : []));
    const logits = lm.lastLogits(active.map((i) => [...rows[i], ...generated[i]]));
    for (const [k, i] of active.entries()) batch.advance(i, logits[k]);
    await nextTurn();
  }
  return results as Completion[];
}
