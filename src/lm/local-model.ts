/**
 * A LanguageModel on our own transformer. Rows of different lengths share one forward pass,
 * right-padded: attention is causal, so a row's logits at its own positions never see the
 * padding after them. Generation reuses cached keys and values (one decode step per new token)
 * whenever prompt and completion fit the context; past it, the window slides and every step
 * runs the whole window.
 */
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Transformer } from '../nn/index.js';
import { sampleToken } from './sampling.js';
import { EOS, PAD, type Tokenizer } from './tokenizer.js';
import type { Completion, CompletionLogprobs, GenerateOptions, LanguageModel } from './types.js';

export interface ScoredCompletion extends CompletionLogprobs {
  /** Per completion token, the most likely tokens there (empty when not asked for). */
  top: { token: string; logprob: number }[][];
}

export interface LocalModelOptions {
  /** Rows per forward pass (default 64). */
  batchSize?: number;
  /** Decode with a KV cache (default true; false recomputes every prefix, for comparison). */
  kvCache?: boolean;
}

/** How `completionSteps` samples, besides the `GenerateOptions`. */
export interface CompletionStepOptions extends GenerateOptions {
  /** Rows per forward pass. */
  batchSize: number;
  /** Decode with a KV cache while prompt and completion fit the context. */
  kvCache: boolean;
  /** After every token: row i's text so far, and its completion once finished. */
  onText?: (row: number, text: string, done: Completion | undefined) => void;
}

/** A `LanguageModel` backed by a local transformer checkpoint. */
export class LocalLanguageModel implements LanguageModel {
  private readonly batchSize: number;
  private readonly kvCache: boolean;

  constructor(
    readonly id: string,
    readonly model: Transformer,
    readonly tokenizer: Tokenizer,
    options: LocalModelOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 64;
    this.kvCache = options.kvCache ?? true;
  }

  get contextLength(): number {
    return this.model.config.contextLength;
  }

  /** Prompt tokens as the model sees them: <bos> then the text. */
  encodePrompt(prompt: string): number[] {
    return this.tokenizer.encode(prompt, { bos: true });
  }

  async generate(prompts: readonly string[], options: GenerateOptions = {}): Promise<string[]> {
    return (await this.complete(prompts, options)).map((c) => c.text);
  }

  async complete(prompts: readonly string[], options: GenerateOptions = {}): Promise<Completion[]> {
    const steps = this.completionSteps(prompts, {
      ...options,
      batchSize: this.batchSize,
      kvCache: this.kvCache,
    });
    let next = steps.next();
    while (!next.done) next = steps.next();
    return next.value;
  }

  /**
   * Samples the completions of `prompts` one token step at a time: the generator yields before
   * every forward pass (where a caller may pause or abort) and returns the completions. Row i
   * samples from `new Rng(seed).derive(i)`, so how a caller drives the steps changes no token.
   * With `kvCache`, keys and values are cached (one decode step per token) while prompt and
   * completion fit the context; otherwise every step runs the whole window.
   */
  *completionSteps(
    prompts: readonly string[],
    options: CompletionStepOptions,
  ): Generator<void, Completion[]> {
    const rng = new Rng(options.seed ?? 0);
    const out: Completion[] = [];
    for (let start = 0; start < prompts.length; start += options.batchSize) {
      const chunk = prompts.slice(start, start + options.batchSize);
      out.push(...(yield* this.chunkSteps(chunk, start, rng, options)));
    }
    return out;
  }

  private *chunkSteps(
    prompts: readonly string[],
    offset: number,
    rng: Rng,
    options: CompletionStepOptions,
  ): Generator<void, Completion[]> {
    const maxTokens = options.maxTokens ?? 32;
    const rows = prompts.map((p) => this.encodePrompt(p));
    const { onText } = options;
    const batch = new CompletionRows(
      prompts.length,
      this.tokenizer,
      options,
      prompts.map((_, i) => rng.derive(offset + i)),
      onText && ((i, text, done) => onText(offset + i, text, done)),
    );
    const { generated, results } = batch;
    // The last forward pass sees prompt + maxTokens − 1 tokens: within the context, no window slides.
    const fits = Math.max(...rows.map((r) => r.length)) + maxTokens - 1 <= this.contextLength;
    if (options.kvCache && fits && maxTokens > 0) {
      yield;
      const { cache, logits } = this.model.prefill(rows);
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
          if (keep.length === 0) break;
          yield;
          cache.retain(keep);
          current = this.model.decode(cache, fed);
        }
      } finally {
        cache.dispose();
      }
      return results as Completion[];
    }
    while (results.some((r) => r === undefined)) {
      yield;
      const active = results.flatMap((r, i) => (r === undefined ? [i] : []));
      const logits = this.lastLogits(active.map((i) => [...rows[i], ...generated[i]]));
      for (const [k, i] of active.entries()) batch.advance(i, logits[k]);
    }
    return results as Completion[];
  }

  /** Next-token logits after each row (rows longer than the context keep their last tokens). */
  lastLogits(rows: number[][]): Float32Array[] {
    const windows = rows.map((r) => r.slice(-this.contextLength));
    const time = Math.max(...windows.map((w) => w.length));
    const batch = windows.length;
    const ids = padRows(windows, time);
    const last = Int32Array.from(windows, (w, b) => b * time + w.length - 1);
    const logits = tf.tidy(() => {
      const hidden = this.model.hidden(tf.tensor2d(ids, [batch, time], 'int32'));
      const width = hidden.shape[2];
      const picked = tf.gather(tf.reshape(hidden, [batch * time, width]), tf.tensor1d(last, 'int32'));
      return this.model.lmLogits(tf.reshape(picked, [batch, 1, width]) as tf.Tensor3D);
    });
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    const vocab = values.length / batch;
    return windows.map((_, b) => values.slice(b * vocab, (b + 1) * vocab));
  }

  async logprobs(prompt: string, completions: readonly string[]): Promise<CompletionLogprobs[]> {
    return this.score(prompt, completions, 0);
  }

  /** logprobs, plus the `top` most likely tokens at each completion position (for OpenAI's top_logprobs). */
  async score(prompt: string, completions: readonly string[], top: number): Promise<ScoredCompletion[]> {
    const promptIds = this.encodePrompt(prompt);
    const out: ScoredCompletion[] = [];
    for (let start = 0; start < completions.length; start += this.batchSize) {
      const chunk = completions.slice(start, start + this.batchSize).map((c) => this.tokenizer.encode(c));
      out.push(...this.scoreBatch(promptIds, chunk, top));
    }
    return out;
  }

  /** log p(token | everything before it) for each completion token, one forward pass for the batch. */
  private scoreBatch(promptIds: number[], completions: number[][], top: number): ScoredCompletion[] {
    const rows = completions.map((c) => [...promptIds, ...c]);
    const time = Math.max(...rows.map((r) => r.length));
    if (time > this.contextLength) {
      throw new UserInputError(
        `prompt + completion is ${time} tokens, longer than the model's context of ${this.contextLength}`,
        'logprobs',
      );
    }
    const ids = padRows(rows, time);
    const logLikelihoods = tf.tidy(() => {
      const logits = this.model.forward(tf.tensor2d(ids, [rows.length, time], 'int32'));
      return tf.logSoftmax(logits);
    });
    const values = logLikelihoods.dataSync() as Float32Array;
    logLikelihoods.dispose();
    const vocab = this.model.config.vocabSize;
    return completions.map((c, b) => {
      const logprobs = new Float32Array(c.length);
      let total = 0;
      const alternatives: { token: string; logprob: number }[][] = [];
      c.forEach((token, k) => {
        const at = (b * time + promptIds.length + k - 1) * vocab; // the logits that predict this token
        logprobs[k] = values[at + token];
        total += logprobs[k];
        if (top > 0) {
          const row = values.subarray(at, at + vocab);
          const best = [...row.keys()].sort((x, y) => row[y] - row[x]).slice(0, top);
          alternatives.push(best.map((t) => ({ token: this.tokenizer.tokenText(t), logprob: row[t] })));
        }
      });
      return { tokens: c.map((t) => this.tokenizer.tokenText(t)), logprobs, total, top: alternatives };
    });
  }
}

/**
 * One sampling batch's rows: the tokens each has generated and, once it ends (<eos>, a stop
 * string or `maxTokens`), its completion. `onText` sees a row's text after every token.
 */
export class CompletionRows {
  readonly generated: number[][];
  readonly results: (Completion | undefined)[];
  private readonly maxTokens: number;

  constructor(
    count: number,
    private readonly tokenizer: Tokenizer,
    private readonly options: GenerateOptions,
    private readonly rngs: readonly Rng[],
    private readonly onText?: (i: number, text: string, done: Completion | undefined) => void,
  ) {
    this.maxTokens = options.maxTokens ?? 32;
    this.generated = Array.from({ length: count }, () => []);
    this.results = Array.from({ length: count }, () => undefined);
    if (this.maxTokens <= 0) for (let i = 0; i < count; i++) this.finish(i, '', 'length');
  }

  /** Samples row i's next token from its logits; true when the row goes on. */
  advance(i: number, logits: Float32Array): boolean {
    const generated = this.generated[i];
    const token = sampleToken(logits, this.options.temperature ?? 1, this.options.topK ?? 0, this.rngs[i]);
    if (token === EOS) {
      this.finish(i, this.tokenizer.decode(generated), 'stop');
      return false;
    }
    generated.push(token);
    const text = this.tokenizer.decode(generated);
    const cut = firstStop(text, this.options.stop ?? []);
    if (cut !== undefined) this.finish(i, text.slice(0, cut), 'stop');
    else if (generated.length >= this.maxTokens) this.finish(i, text, 'length');
    else this.onText?.(i, text, undefined);
    return this.results[i] === undefined;
  }

  /** The token row i generated last (the one a KV-cached step feeds next). */
  last(i: number): number {
    return this.generated[i][this.generated[i].length - 1];
  }

  private finish(i: number, text: string, reason: Completion['finishReason']): void {
    this.results[i] = { text, finishReason: reason, tokenCount: this.generated[i].length };
    this.onText?.(i, text, this.results[i]);
  }
}

function padRows(rows: number[][], time: number): Int32Array {
  const ids = new Int32Array(rows.length * time).fill(PAD);
  for (const [b, r] of rows.entries()) ids.set(r, b * time);
  return ids;
}

/** Index of the earliest stop string in `text`, if any. */
export function firstStop(text: string, stop: readonly string[]): number | undefined {
  let cut: number | undefined;
  for (const s of stop) {
    if (s === '') continue;
    const at = text.indexOf(s);
    if (at >= 0 && (cut === undefined || at < cut)) cut = at;
  }
  return cut;
}
