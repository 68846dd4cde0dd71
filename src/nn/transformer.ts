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
  type AttentionWeights,
  causalSelfAttention,
  embedding,
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
  /** Every weight by its nanoGPT-style name, in a stable order. */
  namedWeights(): Map<string, tf.Variable>;
  parameterCount(): number;
  dispose(): void;
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

  const hidden = (tokens: TokenBatch): tf.Tensor3D =>
    tf.tidy(() => {
      const ids = toTokenTensor(tokens);
      const [batch, time] = ids.shape;
      if (time > c.contextLength)
        throw new Error(`sequence length ${time} exceeds context ${c.contextLength}`);
      const tok = embedding(tf.reshape(ids, [batch * time]) as tf.Tensor1D, wte);
      // Slicing only when needed: the slice's gradient is a padded copy.
      const pos = time === c.contextLength ? wpe : tf.slice(wpe, [0, 0], [time, c.width]);
      let x = tf.reshape(tf.add(tf.reshape(tok, [batch, time, c.width]), pos), [
        batch * time,
        c.width,
      ]) as tf.Tensor2D;
      for (const b of blocks) {
        x = tf.add(x, causalSelfAttention(layerNorm(x, b.ln_1), b.attn, batch, time, c.heads));
        x = tf.add(x, mlp(layerNorm(x, b.ln_2), b.mlp));
      }
      return tf.reshape(layerNorm(x, ln_f), [batch, time, c.width]);
    });

  const flat = (h: tf.Tensor3D) => tf.reshape(h, [h.shape[0] * h.shape[1], h.shape[2]]) as tf.Tensor2D;

  const lmLogits = (h: tf.Tensor3D): tf.Tensor3D =>
    tf.tidy(() => tf.reshape(linear(flat(h), lm_head), [h.shape[0], h.shape[1], c.vocabSize]));

  return {
    config: c,
    hidden,
    lmLogits,
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
