/**
 * A decoder-only transformer in the GPT-2 / nanoGPT layout: learned token and position
 * embeddings, pre-LayerNorm blocks of causal self-attention and a GELU MLP, a final LayerNorm,
 * an untied LM head, and optional scalar heads (value, reward) on the same trunk.
 * Weight names follow nanoGPT (`transformer.h.0.attn.c_attn.weight`); linear weights are
 * stored [in, out], the transpose of PyTorch's.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Rng } from '../core/rng.js';
import {
  fusedDecodeAvailable,
  fusedDecodeStep,
  type NativeKv,
  retainNativeKv,
  toNativeKv,
  weightStorage,
} from './decode.js';
import {
  type AttentionWeights,
  cachedSelfAttention,
  causalSelfAttention,
  embedding,
  type KeyValues,
  type LayerNormWeights,
  type LinearWeights,
  layerNorm,
  linear,
  type MlpWeights,
  mlp,
} from './layers.js';

export const TransformerConfigSchema = z
  .object({
    vocabSize: z.number().int().min(2),
    contextLength: z.number().int().min(1),
    layers: z.number().int().min(1).default(2),
    heads: z.number().int().min(1).default(4),
    width: z.number().int().min(1).default(128),
    /** Names of scalar heads on the trunk, e.g. ['value'] → weights `value_head.weight|bias`. */
    scalarHeads: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).default([]),
  })
  .refine((c) => c.width % c.heads === 0, { message: 'width must be a multiple of heads' });
export type TransformerConfig = z.input<typeof TransformerConfigSchema>;
export type ResolvedTransformerConfig = z.output<typeof TransformerConfigSchema>;

/** Token ids [B, T]: a tensor or equal-length rows. */
export type TokenBatch = tf.Tensor2D | readonly (ArrayLike<number> & Iterable<number>)[];

interface Block {
  ln_1: LayerNormWeights;
  attn: AttentionWeights;
  ln_2: LayerNormWeights;
  mlp: MlpWeights;
}

export interface Transformer {
  readonly config: ResolvedTransformerConfig;
  /** Final hidden states [B, T, C] (after ln_f). */
  hidden(tokens: TokenBatch): tf.Tensor3D;
  /** Next-token logits [B, T, V] from hidden states. */
  lmLogits(hidden: tf.Tensor3D): tf.Tensor3D;
  /** A scalar head's output [B, T]; `head` defaults to the first configured one. */
  scalar(hidden: tf.Tensor3D, head?: string): tf.Tensor2D;
  /** hidden → lmLogits in one call: logits [B, T, V]. */
  forward(tokens: TokenBatch): tf.Tensor3D;
  /**
   * Starts incremental decoding (a KV cache): one forward pass over the prompts (right-padded,
   * as `hidden` would), returning each prompt's next-token logits at its last token and the
   * cache of every layer's keys and values. Then `decode` takes one new token per row.
   */
  prefill(prompts: readonly (readonly number[])[]): { cache: KvCache; logits: Float32Array[] };
  /**
   * Feeds one token per cached row (in `cache.rows` order) and returns each row's next-token
   * logits; the cache grows by one position. Equal to `forward` on the whole sequence, up to
   * float rounding (the same operations on fewer queries). On the native path the step is one
   * addon call (decode.ts) when `prefill` handed the cache to it.
   */
  decode(cache: KvCache, tokens: readonly number[]): Float32Array[];
  /** Every weight by its nanoGPT-style name, in a stable order. */
  namedWeights(): Map<string, tf.Variable>;
  parameterCount(): number;
  dispose(): void;
}

/**
 * Keys and values of every layer for a batch of rows being decoded. Row b holds its prompt at
 * positions [0, promptLength_b) of a block padded to `padded`, then one position per decoded
 * token: the padding between is masked out.
 */
export class KvCache {
  /** Indices (into the prompts given to `prefill`) of the rows still held, in batch order. */
  rows: number[];
  promptLengths: number[];
  /** Tokens fed through `decode` so far (the same for every row held). */
  steps = 0;
  /**
   * On the native path with the fused decode step: the keys and values in plain buffers, each
   * row's positions packed from 0 (then `keys` and `values` are empty). See decode.ts.
   */
  native?: NativeKv;

  constructor(
    public keys: tf.Tensor4D[],
    public values: tf.Tensor4D[],
    promptLengths: number[],
    readonly padded: number,
  ) {
    this.rows = promptLengths.map((_, i) => i);
    this.promptLengths = [...promptLengths];
  }

  /** Keeps only the rows at these batch positions (e.g. the ones that have not stopped). */
  retain(positions: readonly number[]): void {
    if (positions.length === this.rows.length && positions.every((p, i) => p === i)) return;
    if (this.native) {
      retainNativeKv(this.native, positions);
      this.rows = positions.map((p) => this.rows[p]);
      this.promptLengths = positions.map((p) => this.promptLengths[p]);
      return;
    }
    const index = tf.tensor1d(Int32Array.from(positions), 'int32');
    const pick = (ts: tf.Tensor4D[]) =>
      ts.map((t) => {
        const kept = tf.gather(t, index, 0) as tf.Tensor4D;
        t.dispose();
        return kept;
      });
    this.keys = pick(this.keys);
    this.values = pick(this.values);
    index.dispose();
    this.rows = positions.map((p) => this.rows[p]);
    this.promptLengths = positions.map((p) => this.promptLengths[p]);
  }

  /** Additive mask [B, 1, 1, S + 1] for the next position: each row's prompt and decoded tokens. */
  nextMask(): tf.Tensor4D {
    const span = this.padded + this.steps + 1;
    const values = new Float32Array(this.rows.length * span);
    this.promptLengths.forEach((length, b) => {
      values.fill(-1e9, b * span + length, b * span + this.padded);
    });
    return tf.tensor4d(values, [this.rows.length, 1, 1, span]);
  }

  dispose(): void {
    tf.dispose([...this.keys, ...this.values]);
    this.keys = [];
    this.values = [];
    this.native = undefined;
    this.rows = [];
  }
}

export function toTokenTensor(tokens: TokenBatch): tf.Tensor2D {
  if (tokens instanceof tf.Tensor) return tokens;
  const batch = tokens.length;
  const time = batch === 0 ? 0 : tokens[0].length;
  const flat = new Int32Array(batch * time);
  tokens.forEach((row, b) => {
    if (row.length !== time) throw new Error(`token rows differ in length: ${row.length} vs ${time}`);
    flat.set(row, b * time);
  });
  return tf.tensor2d(flat, [batch, time], 'int32');
}

/** Creates a transformer with GPT-2 initialization: N(0, 0.02), residual projections scaled by 1/√(2L). */
export function createTransformer(config: TransformerConfig, options: { seed?: number } = {}): Transformer {
  const c = TransformerConfigSchema.parse(config);
  const rng = new Rng(options.seed ?? 0);
  const weights = new Map<string, tf.Variable>();
  const normal = (name: string, shape: number[], std: number) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const r = rng.derive(name);
    for (let i = 0; i < values.length; i++) values[i] = r.normal(0, std);
    return add(name, tf.tensor(values, shape));
  };
  const constant = (name: string, shape: number[], value: number) => add(name, tf.fill(shape, value));
  const add = (name: string, initial: tf.Tensor) => {
    const v = tf.variable(initial, true);
    initial.dispose();
    weights.set(name, v);
    return v;
  };
  const residualStd = 0.02 / Math.sqrt(2 * c.layers);
  const lin = (name: string, fanIn: number, fanOut: number, std = 0.02, bias = true): LinearWeights => ({
    weight: normal(`${name}.weight`, [fanIn, fanOut], std),
    bias: bias ? constant(`${name}.bias`, [fanOut], 0) : undefined,
  });
  const norm = (name: string): LayerNormWeights => ({
    weight: constant(`${name}.weight`, [c.width], 1),
    bias: constant(`${name}.bias`, [c.width], 0),
  });

  const wte = normal('transformer.wte.weight', [c.vocabSize, c.width], 0.02);
  const wpe = normal('transformer.wpe.weight', [c.contextLength, c.width], 0.02);
  const blocks: Block[] = [];
  for (let i = 0; i < c.layers; i++) {
    const p = `transformer.h.${i}`;
    blocks.push({
      ln_1: norm(`${p}.ln_1`),
      attn: {
        c_attn: lin(`${p}.attn.c_attn`, c.width, 3 * c.width),
        c_proj: lin(`${p}.attn.c_proj`, c.width, c.width, residualStd),
      },
      ln_2: norm(`${p}.ln_2`),
      mlp: {
        c_fc: lin(`${p}.mlp.c_fc`, c.width, 4 * c.width),
        c_proj: lin(`${p}.mlp.c_proj`, 4 * c.width, c.width, residualStd),
      },
    });
  }
  const ln_f = norm('transformer.ln_f');
  const lm_head = lin('lm_head', c.width, c.vocabSize, 0.02, false);
  const scalarHeads = new Map(c.scalarHeads.map((h) => [h, lin(`${h}_head`, c.width, 1)]));
  /** The weights the fused decode step reads, in its order (decode.ts, native/decodeStep). */
  const decodeWeights: tf.Variable[] = [
    wte,
    wpe,
    ...blocks.flatMap((b) => [
      b.ln_1.weight,
      b.ln_1.bias,
      b.attn.c_attn.weight,
      b.attn.c_attn.bias as tf.Variable,
      b.attn.c_proj.weight,
      b.attn.c_proj.bias as tf.Variable,
      b.ln_2.weight,
      b.ln_2.bias,
      b.mlp.c_fc.weight,
      b.mlp.c_fc.bias as tf.Variable,
      b.mlp.c_proj.weight,
      b.mlp.c_proj.bias as tf.Variable,
    ]),
    ln_f.weight,
    ln_f.bias,
    lm_head.weight,
  ];
  const decodeDims = {
    layers: c.layers,
    heads: c.heads,
    width: c.width,
    vocabSize: c.vocabSize,
    contextLength: c.contextLength,
  };

  /** The trunk without tidy; with `kv`, every layer's keys and values are collected in it. */
  const trunk = (tokens: TokenBatch, kv?: KeyValues): tf.Tensor3D => {
    const ids = toTokenTensor(tokens);
    const [batch, time] = ids.shape;
    if (time > c.contextLength) throw new Error(`sequence length ${time} exceeds context ${c.contextLength}`);
    const tok = embedding(tf.reshape(ids, [batch * time]) as tf.Tensor1D, wte);
    // Slicing only when needed: the slice's gradient is a padded copy.
    const pos = time === c.contextLength ? wpe : tf.slice(wpe, [0, 0], [time, c.width]);
    let x = tf.reshape(tf.add(tf.reshape(tok, [batch, time, c.width]), pos), [
      batch * time,
      c.width,
    ]) as tf.Tensor2D;
    for (const b of blocks) {
      x = tf.add(x, causalSelfAttention(layerNorm(x, b.ln_1), b.attn, batch, time, c.heads, kv));
      x = tf.add(x, mlp(layerNorm(x, b.ln_2), b.mlp));
    }
    return tf.reshape(layerNorm(x, ln_f), [batch, time, c.width]);
  };
  const hidden = (tokens: TokenBatch): tf.Tensor3D => tf.tidy(() => trunk(tokens));

  const flat = (h: tf.Tensor3D) => tf.reshape(h, [h.shape[0] * h.shape[1], h.shape[2]]) as tf.Tensor2D;

  const lmLogits = (h: tf.Tensor3D): tf.Tensor3D =>
    tf.tidy(() => tf.reshape(linear(flat(h), lm_head), [h.shape[0], h.shape[1], c.vocabSize]));

  /** Logits [B, V] as one Float32Array per row. */
  const rowsOf = (logits: tf.Tensor): Float32Array[] => {
    const values = logits.dataSync() as Float32Array;
    const rows = logits.shape[0];
    logits.dispose();
    return Array.from({ length: rows }, (_, b) => values.slice(b * c.vocabSize, (b + 1) * c.vocabSize));
  };

  const prefill = (prompts: readonly (readonly number[])[]) => {
    const lengths = prompts.map((p) => p.length);
    if (lengths.some((n) => n < 1)) throw new Error('prefill: every prompt needs at least one token');
    const time = Math.max(...lengths);
    if (time > c.contextLength) throw new Error(`sequence length ${time} exceeds context ${c.contextLength}`);
    const ids = new Int32Array(prompts.length * time);
    prompts.forEach((p, b) => {
      ids.set(p, b * time);
    });
    const last = Int32Array.from(lengths, (n, b) => b * time + n - 1);
    const { logits, keys, values } = tf.tidy(() => {
      const kv: KeyValues = { keys: [], values: [] };
      const h = trunk(tf.tensor2d(ids, [prompts.length, time], 'int32'), kv);
      const picked = tf.gather(tf.reshape(h, [prompts.length * time, c.width]), tf.tensor1d(last, 'int32'));
      return { logits: linear(picked as tf.Tensor2D, lm_head), keys: kv.keys, values: kv.values };
    });
    const cache = new KvCache(keys, values, lengths, time);
    if (fusedDecodeAvailable() && weightStorage(decodeWeights)) {
      const native = toNativeKv(keys, values, lengths, c.contextLength);
      if (native) {
        tf.dispose([...keys, ...values]);
        cache.keys = [];
        cache.values = [];
        cache.native = native;
      }
    }
    return { cache, logits: rowsOf(logits) };
  };

  const decode = (cache: KvCache, tokens: readonly number[]): Float32Array[] => {
    const batch = cache.rows.length;
    if (tokens.length !== batch) throw new Error(`decode: ${tokens.length} tokens for ${batch} cached rows`);
    const positions = Int32Array.from(cache.promptLengths, (n) => n + cache.steps);
    if (positions.some((p) => p >= c.contextLength))
      throw new Error(`decode: position ${Math.max(...positions)} exceeds context ${c.contextLength}`);
    if (cache.native) {
      const storage = weightStorage(decodeWeights);
      if (!storage) throw new Error('decode: the cache is native but the weights are not on the native path');
      const rows = fusedDecodeStep(storage, decodeDims, cache.native, positions, tokens);
      cache.steps++;
      return rows;
    }
    const { logits, keys, values } = tf.tidy(() => {
      const mask = cache.nextMask();
      const tok = tf.gather(wte, tf.tensor1d(Int32Array.from(tokens), 'int32'));
      let x = tf.add(tok, tf.gather(wpe, tf.tensor1d(positions, 'int32'))) as tf.Tensor2D;
      const keys: tf.Tensor4D[] = [];
      const values: tf.Tensor4D[] = [];
      blocks.forEach((b, l) => {
        const a = cachedSelfAttention(
          layerNorm(x, b.ln_1),
          b.attn,
          c.heads,
          cache.keys[l],
          cache.values[l],
          mask,
        );
        keys.push(a.keys);
        values.push(a.values);
        x = tf.add(x, a.y);
        x = tf.add(x, mlp(layerNorm(x, b.ln_2), b.mlp));
      });
      return { logits: linear(layerNorm(x, ln_f), lm_head), keys, values };
    });
    tf.dispose([...cache.keys, ...cache.values]);
    cache.keys = keys;
    cache.values = values;
    cache.steps++;
    return rowsOf(logits);
  };

  return {
    config: c,
    hidden,
    lmLogits,
    prefill,
    decode,
    scalar: (h, head = c.scalarHeads[0]) =>
      tf.tidy(() => {
        const w = head === undefined ? undefined : scalarHeads.get(head);
        if (!w)
          throw new Error(`no scalar head '${head}' (configured: ${c.scalarHeads.join(', ') || 'none'})`);
        return tf.reshape(linear(flat(h), w), [h.shape[0], h.shape[1]]);
      }),
    forward: (tokens) => tf.tidy(() => lmLogits(hidden(tokens))),
    namedWeights: () => new Map(weights),
    parameterCount: () => [...weights.values()].reduce((n, v) => n + v.size, 0),
    dispose: () => {
      for (const v of weights.values()) v.dispose();
      weights.clear();
    },
  };
}

/**
 * Copies every weight of `source` whose name and shape `target` also has (an SFT trunk into a
 * reward model or a policy with a value head; a policy into its frozen reference). Returns the
 * names of target weights left as they were (e.g. a new scalar head).
 */
export function copyWeights(source: Transformer, target: Transformer): string[] {
  const from = source.namedWeights();
  const kept: string[] = [];
  for (const [name, v] of target.namedWeights()) {
    const w = from.get(name);
    if (w && w.shape.length === v.shape.length && w.shape.every((d, i) => d === v.shape[i])) v.assign(w);
    else kept.push(name);
  }
  return kept;
}

/** A new transformer with `source`'s weights and config, plus (or minus) scalar heads. */
export function cloneTransformer(
  source: Transformer,
  options: { scalarHeads?: string[]; seed?: number } = {},
): Transformer {
  const clone = createTransformer(
    { ...source.config, scalarHeads: options.scalarHeads ?? source.config.scalarHeads },
    { seed: options.seed ?? 0 },
  );
  copyWeights(source, clone);
  return clone;
}
