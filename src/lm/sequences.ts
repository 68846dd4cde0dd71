/**
 * Prompt + completion rows as the preference trainers see them, and the three readouts every
 * one of them needs from a transformer in one forward pass:
 *
 *   - per-token log-probabilities of the completion tokens (DPO, PPO's ratio and KL),
 *   - a scalar head at each position that predicts a completion token (PPO's values),
 *   - a scalar head at the last real token of the row (a reward model's score, as TRL reads it).
 *
 * A row is `<bos> prompt completion <eos>`, right-padded with <pad>. Attention is causal, so
 * padding after a row's end changes nothing before it. Position j of the input predicts token
 * j+1; the completion mask marks the j whose target is a completion token (its <eos> included).
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotFloat } from '../nn/layers.js';
import type { Transformer } from '../nn/transformer.js';
import type { Tokenizer } from './tokenizer.js';
import { PAD } from './tokenizer.js';

/** A prompt and one completion of it, as text. */
export interface PromptCompletion {
  prompt: string;
  completion: string;
}

export interface EncodedRows {
  /** [batch, time] token ids, <pad> after each row's end. */
  ids: Int32Array;
  batch: number;
  time: number;
  /** Tokens of `<bos> prompt` per row: the first completion token sits at this index. */
  promptLengths: Int32Array;
  /** Real tokens per row (prompt, completion and <eos>). */
  lengths: Int32Array;
}

export interface EncodeRowsOptions {
  /** Append <eos> to each completion (default true: the model learns where to stop). */
  eos?: boolean;
  /** Pad every row to at least this length (lets batches share one shape). */
  minTime?: number;
}

/**
 * Encodes rows. With `maxTime` (a model's context), completions that would run past it are
 * cut there (a policy may ramble; a reward model still scores what fits); a prompt that does
 * not fit is an error.
 */
export function encodeRows(
  tokenizer: Tokenizer,
  items: readonly PromptCompletion[],
  options: EncodeRowsOptions & { maxTime?: number } = {},
): EncodedRows {
  const eos = options.eos ?? true;
  const max = options.maxTime ?? Number.POSITIVE_INFINITY;
  const rows = items.map((item) => {
    const prompt = tokenizer.encode(item.prompt, { bos: true });
    if (prompt.length >= max) {
      throw new RangeError(`a prompt of ${prompt.length} tokens leaves no room in a context of ${max}`);
    }
    const ids = [...prompt, ...tokenizer.encode(item.completion, { eos })];
    return { prompt: prompt.length, ids: ids.length > max ? ids.slice(0, max) : ids };
  });
  return rowsFromTokens(
    rows.map((r) => r.ids),
    rows.map((r) => r.prompt),
    options,
  );
}

/** Encoded rows from token ids already split into prompt (with <bos>) and completion. */
export function rowsFromTokens(
  rows: readonly (readonly number[])[],
  promptLengths: readonly number[],
  options: { minTime?: number; contextLength?: number } = {},
): EncodedRows {
  const time = Math.max(options.minTime ?? 0, 2, ...rows.map((r) => r.length));
  if (options.contextLength !== undefined && time > options.contextLength) {
    throw new RangeError(`a row of ${time} tokens exceeds the model's context of ${options.contextLength}`);
  }
  const ids = new Int32Array(rows.length * time).fill(PAD);
  rows.forEach((r, b) => {
    ids.set(r, b * time);
  });
  return {
    ids,
    batch: rows.length,
    time,
    promptLengths: Int32Array.from(promptLengths),
    lengths: Int32Array.from(rows, (r) => r.length),
  };
}

/** The rows at `indices`, in that order, keeping the shared width. */
export function selectRows(rows: EncodedRows, indices: readonly number[]): EncodedRows {
  const ids = new Int32Array(indices.length * rows.time);
  indices.forEach((i, k) => {
    ids.set(rows.ids.subarray(i * rows.time, (i + 1) * rows.time), k * rows.time);
  });
  return {
    ids,
    batch: indices.length,
    time: rows.time,
    promptLengths: Int32Array.from(indices, (i) => rows.promptLengths[i]),
    lengths: Int32Array.from(indices, (i) => rows.lengths[i]),
  };
}

/** [batch, time − 1]: 1 at input positions whose next token is a completion token. */
export function completionMask(rows: EncodedRows): Float32Array {
  const width = rows.time - 1;
  const mask = new Float32Array(rows.batch * width);
  for (let b = 0; b < rows.batch; b++) {
    for (let j = rows.promptLengths[b] - 1; j < rows.lengths[b] - 1; j++) mask[b * width + j] = 1;
  }
  return mask;
}

export interface CompletionReadout {
  /** [batch, time − 1] log p(token j+1 | tokens ≤ j), zero outside the completion. */
  tokenLogps: tf.Tensor2D;
  /** [batch] Σ of tokenLogps over the completion: log p(completion | prompt). */
  totalLogps: tf.Tensor1D;
  /** [batch, time − 1] the named scalar head at the same positions, zero outside the completion. */
  values?: tf.Tensor2D;
  /** [batch, time − 1] the completion mask as a tensor. */
  mask: tf.Tensor2D;
  /** [batch, time − 1] entropy of the next-token distribution, zero outside the completion (when asked). */
  entropy?: tf.Tensor2D;
}

/**
 * One forward pass: the completion tokens' log-probabilities and, with `valueHead`, that head's
 * output at the positions that predict them (PPO's V(s_t)). Differentiable; call inside
 * tf.tidy / variableGrads and dispose what you keep.
 */
export function completionReadout(
  model: Transformer,
  rows: EncodedRows,
  options: { valueHead?: string; entropy?: boolean } = {},
): CompletionReadout {
  const kept = tf.tidy(() => {
    const { batch, time } = rows;
    const width = time - 1;
    const all = tf.tensor2d(rows.ids, [batch, time], 'int32');
    const inputs = tf.slice(all, [0, 0], [batch, width]);
    const targets = tf.reshape(tf.slice(all, [0, 1], [batch, width]), [batch * width]) as tf.Tensor1D;
    const mask = tf.tensor2d(completionMask(rows), [batch, width]);
    const hidden = model.hidden(inputs as tf.Tensor2D);
    const logits = model.lmLogits(hidden);
    const vocab = logits.shape[2];
    const logp = tf.logSoftmax(tf.reshape(logits, [batch * width, vocab]));
    const picked = tf.sum(tf.mul(logp, oneHotFloat(targets, vocab)), -1);
    const tokenLogps = tf.mul(tf.reshape(picked, [batch, width]), mask) as tf.Tensor2D;
    const out: Record<string, tf.Tensor> = { tokenLogps, totalLogps: tf.sum(tokenLogps, 1), mask };
    if (options.valueHead !== undefined) out.values = tf.mul(model.scalar(hidden, options.valueHead), mask);
    if (options.entropy) {
      const h = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1));
      out.entropy = tf.mul(tf.reshape(h, [batch, width]), mask);
    }
    return out;
  });
  return kept as unknown as CompletionReadout;
}

/** The named scalar head at each row's last real token: [batch] (a reward model's score). */
export function lastTokenScalar(model: Transformer, rows: EncodedRows, head?: string): tf.Tensor1D {
  return tf.tidy(() => {
    const { batch, time } = rows;
    const scalars = model.scalar(model.hidden(tf.tensor2d(rows.ids, [batch, time], 'int32')), head);
    // A one-hot mask rather than tf.gather: gather's gradient leaves a tensor behind.
    const pick = new Float32Array(batch * time);
    rows.lengths.forEach((n, b) => {
      pick[b * time + n - 1] = 1;
    });
    return tf.sum(tf.mul(scalars, tf.tensor2d(pick, [batch, time])), 1) as tf.Tensor1D;
  });
}

/** Rows' completion token ids (the part after the prompt, <eos> included when present). */
export function completionTokens(rows: EncodedRows, b: number): Int32Array {
  return rows.ids.slice(b * rows.time + rows.promptLengths[b], b * rows.time + rows.lengths[b]);
}
