/**
 * Sampling completions from a policy as token ids (not text: PPO and the KL measures must score
 * exactly the tokens that were sampled), and the sequence-level KL of a policy from its
 * reference on those samples. All randomness comes from the Rng handed in.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import type { Transformer } from '../nn/transformer.js';
import { sampleToken } from './sampling.js';
import { completionReadout, completionTokens, type EncodedRows, rowsFromTokens } from './sequences.js';
import { EOS, type Tokenizer } from './tokenizer.js';

export interface RolloutOptions {
  /** Most new tokens per completion (<eos> included). */
  maxNewTokens: number;
  /** Sampling temperature (default 1: the policy's own distribution, as PPO needs). */
  temperature?: number;
  rng: Rng;
  /** Rows per forward pass (default 256). */
  batchSize?: number;
  /**
   * Reuse cached keys and values, one forward step per new token (default true). false runs the
   * whole sequence through the model at every step: the same samples, up to float rounding in
   * the logits (kept to test that).
   */
  kvCache?: boolean;
}

export interface Rollouts {
  prompts: string[];
  /** Completion text, special tokens left out. */
  completions: string[];
  /** `<bos> prompt completion [<eos>]` per sample, ready for `completionReadout`. */
  rows: EncodedRows;
}

/** One completion per prompt (repeat a prompt n times for n samples). Sampling streams are per row. */
export function sampleRollouts(
  model: Transformer,
  tokenizer: Tokenizer,
  prompts: readonly string[],
  options: RolloutOptions,
): Rollouts {
  const temperature = options.temperature ?? 1;
  const batchSize = options.batchSize ?? 256;
  const rows: number[][] = [];
  const promptLengths: number[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const chunk = prompts.slice(start, start + batchSize);
    const prefixes = chunk.map((p) => tokenizer.encode(p, { bos: true }));
    const rngs = chunk.map((_, i) => options.rng.derive(start + i));
    const sample = options.kvCache === false ? sampleBatch : sampleBatchCached;
    const grown = sample(model, prefixes, options.maxNewTokens, temperature, rngs);
    rows.push(...grown);
    promptLengths.push(...prefixes.map((p) => p.length));
  }
  const encoded = rowsFromTokens(rows, promptLengths);
  const completions = prompts.map((_, b) => tokenizer.decode(completionTokens(encoded, b)));
  return { prompts: [...prompts], completions, rows: encoded };
}

/** `sampleBatch` on a KV cache: a prefill over the prompts, then one decode step per new token. */
function sampleBatchCached(
  model: Transformer,
  prefixes: number[][],
  maxNewTokens: number,
  temperature: number,
  rngs: Rng[],
): number[][] {
  const rows = prefixes.map((p) => [...p]);
  const context = model.config.contextLength;
  // As in sampleBatch: a row at the context length samples nothing.
  const start = rows.flatMap((r, i) => (r.length < context ? [i] : []));
  if (maxNewTokens <= 0 || start.length === 0) return rows;
  const first = model.prefill(start.map((i) => rows[i]));
  const cache = first.cache;
  let logits = first.logits;
  try {
    for (let step = 1; ; step++) {
      const keep: number[] = [];
      const fed: number[] = [];
      cache.rows.forEach((r, k) => {
        const i = start[r];
        const token = sampleToken(logits[k], temperature, 0, rngs[i]);
        rows[i].push(token);
        if (token !== EOS && rows[i].length < context) {
          keep.push(k);
          fed.push(token);
        }
      });
      if (step >= maxNewTokens || keep.length === 0) break;
      cache.retain(keep);
      logits = model.decode(cache, fed);
    }
  } finally {
    cache.dispose();
  }
  return rows;
}

/** Uncached sampling: the whole (right-padded) sequence through the model at every step. */
function sampleBatch(
  model: Transformer,
  prefixes: number[][],
  maxNewTokens: number,
  temperature: number,
  rngs: Rng[],
): number[][] {
  const rows = prefixes.map((p) => [...p]);
  const done = prefixes.map(() => false);
  const context = model.config.contextLength;
  for (let step = 0; step < maxNewTokens; step++) {
    const active = rows.flatMap((r, i) => (done[i] || r.length >= context ? [] : [i]));
    if (active.length === 0) break;
    const time = Math.max(...active.map((i) => rows[i].length));
    const ids = new Int32Array(active.length * time);
    active.forEach((i, k) => {
      ids.set(rows[i], k * time);
    });
    const last = Int32Array.from(active, (i, k) => k * time + rows[i].length - 1);
    const logits = tf.tidy(() => {
      const hidden = model.hidden(tf.tensor2d(ids, [active.length, time], 'int32'));
      const width = hidden.shape[2];
      const picked = tf.gather(tf.reshape(hidden, [active.length * time, width]), tf.tensor1d(last, 'int32'));
      return model.lmLogits(tf.reshape(picked, [active.length, 1, width]) as tf.Tensor3D);
    });
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    const vocab = model.config.vocabSize;
    active.forEach((i, k) => {
      const token = sampleToken(values.slice(k * vocab, (k + 1) * vocab), temperature, 0, rngs[i]);
      rows[i].push(token);
      if (token === EOS) done[i] = true;
    });
  }
  return rows;
}

/**
 * Per sample, Σ_t log π(y_t|·) − log π_ref(y_t|·) over the completion tokens: the k1 estimate
 * of KL(π ‖ π_ref) whose mean over samples from π is the sequence KL (TRL's `objective/kl`).
 */
export function sequenceKl(policy: Transformer, reference: Transformer, rows: EncodedRows): Float64Array {
  const [p, r] = [policy, reference].map((m) => {
    const readout = completionReadout(m, rows);
    const totals = Float64Array.from(readout.totalLogps.dataSync());
    tf.dispose([readout.tokenLogps, readout.totalLogps, readout.mask]);
    return totals;
  });
  return p.map((x, i) => x - r[i]);
}
