/**
 * The residual stream of a transformer, layer by layer: the forward pass of
 * `src/nn/transformer.ts` run again from the model's named weights, keeping the stream after
 * the embeddings (layer 0) and after every block (layer l), then the final LayerNorm's output
 * (layer L + 1, what the LM head reads). Probes read these vectors; nothing here trains.
 */
import * as tf from '@tensorflow/tfjs';
import { PAD } from '../lm/tokenizer.js';
import {
  type AttentionWeights,
  causalSelfAttention,
  embedding,
  type LayerNormWeights,
  layerNorm,
  type MlpWeights,
  mlp,
} from '../nn/layers.js';
import type { Transformer } from '../nn/transformer.js';

/** Per layer (0 = embeddings … L = last block, L + 1 = after ln_f), one vector per row. */
export type LayerStates = Float32Array[][];

function weightsOf(model: Transformer) {
  const w = model.namedWeights();
  const get = (name: string) => {
    const v = w.get(name);
    if (!v) throw new Error(`residual stream: the model has no weight '${name}'`);
    return v;
  };
  const norm = (p: string): LayerNormWeights => ({ weight: get(`${p}.weight`), bias: get(`${p}.bias`) });
  const lin = (p: string) => ({ weight: get(`${p}.weight`), bias: w.get(`${p}.bias`) });
  const blocks = Array.from({ length: model.config.layers }, (_, i) => {
    const p = `transformer.h.${i}`;
    return {
      ln_1: norm(`${p}.ln_1`),
      attn: { c_attn: lin(`${p}.attn.c_attn`), c_proj: lin(`${p}.attn.c_proj`) } as AttentionWeights,
      ln_2: norm(`${p}.ln_2`),
      mlp: { c_fc: lin(`${p}.mlp.c_fc`), c_proj: lin(`${p}.mlp.c_proj`) } as MlpWeights,
    };
  });
  return {
    wte: get('transformer.wte.weight'),
    wpe: get('transformer.wpe.weight'),
    blocks,
    ln_f: norm('transformer.ln_f'),
  };
}

/**
 * The residual stream at each row's last token (rows are token ids, any lengths: right-padded,
 * causal attention keeps the padding out of every earlier position). Returns `layers + 2`
 * lists of `rows.length` vectors of the model's width.
 */
export function lastTokenStates(
  model: Transformer,
  rows: readonly (readonly number[])[],
  chunk = 256,
): LayerStates {
  const { wte, wpe, blocks, ln_f } = weightsOf(model);
  const c = model.config;
  const out: LayerStates = Array.from({ length: c.layers + 2 }, () => []);
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const time = Math.max(...part.map((r) => r.length));
    if (time > c.contextLength)
      throw new Error(`residual stream: ${time} tokens exceed context ${c.contextLength}`);
    const ids = new Int32Array(part.length * time).fill(PAD);
    part.forEach((r, b) => {
      ids.set(r, b * time);
    });
    const last = Int32Array.from(part, (r, b) => b * time + r.length - 1);
    const picked = tf.tidy(() => {
      const batch = part.length;
      const index = tf.tensor1d(last, 'int32');
      const tok = embedding(tf.tensor1d(ids, 'int32'), wte);
      const pos = tf.slice(wpe, [0, 0], [time, c.width]);
      let x = tf.reshape(tf.add(tf.reshape(tok, [batch, time, c.width]), pos), [
        batch * time,
        c.width,
      ]) as tf.Tensor2D;
      const keep = [tf.gather(x, index)];
      for (const b of blocks) {
        x = tf.add(x, causalSelfAttention(layerNorm(x, b.ln_1), b.attn, batch, time, c.heads));
        x = tf.add(x, mlp(layerNorm(x, b.ln_2), b.mlp));
        keep.push(tf.gather(x, index));
      }
      keep.push(tf.gather(layerNorm(x, ln_f), index));
      return keep;
    });
    picked.forEach((t, l) => {
      const values = t.dataSync() as Float32Array;
      for (let b = 0; b < part.length; b++) out[l].push(values.slice(b * c.width, (b + 1) * c.width));
      t.dispose();
    });
  }
  return out;
}
