/**
 * The transformer's building blocks as pure functions of tensors and their weights. Linear
 * layers work on 2-D inputs: tfjs's BatchMatMul gradient does not reduce over broadcast batch
 * dimensions, so a rank-3 × rank-2 product fails in training.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAttention, fusedGelu, fusedLayerNorm, fusedLinear } from './fused.js';
import { nativeAddon, nativeStorage } from './native.js';

export interface LinearWeights {
  weight: tf.Variable; // [in, out] (nanoGPT stores [out, in]; ours is the transpose)
  bias?: tf.Variable; // [out]
}

export interface LayerNormWeights {
  weight: tf.Variable; // [C]
  bias: tf.Variable; // [C]
}

export function linear(x: tf.Tensor2D, w: LinearWeights): tf.Tensor2D {
  if (
    nativeAddon()?.linear &&
    nativeStorage(x) &&
    nativeStorage(w.weight) &&
    (!w.bias || nativeStorage(w.bias))
  )
    return fusedLinear(x, w.weight as tf.Tensor2D, w.bias as tf.Tensor1D | undefined);
  const y = tf.matMul(x, w.weight) as tf.Tensor2D;
  return w.bias ? (tf.add(y, w.bias) as tf.Tensor2D) : y;
}

/**
 * Embedding as one-hot × matmul: the gradient of gather (UnsortedSegmentSum) costs seconds per
 * step on the cpu backend and is missing on wasm; a matmul gradient is fast everywhere.
 */
export function embedding(tokens: tf.Tensor1D, table: tf.Variable): tf.Tensor2D {
  return tf.matMul(oneHotFloat(tokens, table.shape[0]), table as tf.Tensor2D);
}

/** One-hot rows as float32. The wasm OneHot kernel ignores the dtype argument, so cast there. */
export function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  if (nativeAddon()) return tf.oneHot(tf.cast(indices, 'int32'), depth, 1, 0, 'float32') as tf.Tensor2D;
  return tf.cast(tf.oneHot(tf.cast(indices, 'int32'), depth), 'float32') as tf.Tensor2D;
}

/** LayerNorm over the last axis (Ba et al. 2016), ε = 1e-5 as in PyTorch. */
export function layerNorm(x: tf.Tensor2D, w: LayerNormWeights, epsilon = 1e-5): tf.Tensor2D {
  if (nativeAddon()) return fusedLayerNorm(x, w.weight as tf.Tensor1D, w.bias as tf.Tensor1D, epsilon);
  const { mean, variance } = tf.moments(x, -1, true);
  const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(normalized, w.weight), w.bias);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (Hendrycks & Gimpel 2016; GPT-2's `gelu_new`). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (nativeAddon()) return fusedGelu(x);
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

export interface MlpWeights {
  c_fc: LinearWeights;
  c_proj: LinearWeights;
}

export function mlp(x: tf.Tensor2D, w: MlpWeights): tf.Tensor2D {
  return linear(gelu(linear(x, w.c_fc)) as tf.Tensor2D, w.c_proj);
}

export interface AttentionWeights {
  c_attn: LinearWeights; // [C, 3C]: query, key, value side by side
  c_proj: LinearWeights;
}

const maskCache = new Map<number, tf.Tensor2D>();

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. Kept for the process. */
function causalMask(t: number): tf.Tensor2D {
  let mask = maskCache.get(t);
  if (!mask) {
    const values = new Float32Array(t * t);
    for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) values[i * t + j] = -1e9;
    mask = tf.keep(tf.tensor2d(values, [t, t]));
    maskCache.set(t, mask);
  }
  return mask;
}

/** Keys and values [B, H, T, D] of each layer, as a forward pass leaves them (for a KV cache). */
export interface KeyValues {
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
}

/**
 * Multi-head causal self-attention (Vaswani et al. 2017) on x [B·T, C]. With `kv`, this layer's
 * keys and values [B, H, T, D] are appended to it.
 */
export function causalSelfAttention(
  x: tf.Tensor2D,
  w: AttentionWeights,
  batch: number,
  time: number,
  heads: number,
  kv?: KeyValues,
): tf.Tensor2D {
  const width = x.shape[1];
  const headSize = width / heads;
  if (!kv && nativeAddon()?.attention) {
    return linear(fusedAttention(linear(x, w.c_attn), batch, time, heads), w.c_proj);
  }
  // [B·T, 3C] → [3, B, H, T, D] in one transpose, then contiguous slices along the first axis
  // (splitting columns is a strided copy, slow on the cpu backend).
  const qkv = tf.transpose(
    tf.reshape(linear(x, w.c_attn), [batch, time, 3, heads, headSize]),
    [2, 0, 3, 1, 4],
  );
  const [q, k, v] = tf.unstack(qkv);
  if (kv) {
    kv.keys.push(k as tf.Tensor4D);
    kv.values.push(v as tf.Tensor4D);
  }
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headSize)), causalMask(time));
  const y = tf.matMul(tf.softmax(scores), v); // [B, H, T, D]
  const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [batch * time, width]) as tf.Tensor2D;
  return linear(merged, w.c_proj);
}

/**
 * One new position per row against cached keys and values: x [B, C] (the new tokens), cached
 * keys/values [B, H, S, D], `mask` [B, 1, 1, S + 1] additive (0 where a row may attend, −1e9
 * where not). The same operations as `causalSelfAttention` restricted to the last query.
 * Returns the output [B, C] and the keys/values grown to S + 1.
 */
export function cachedSelfAttention(
  x: tf.Tensor2D,
  w: AttentionWeights,
  heads: number,
  cachedKeys: tf.Tensor4D,
  cachedValues: tf.Tensor4D,
  mask: tf.Tensor4D,
): { y: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const [batch, width] = x.shape;
  const headSize = width / heads;
  const qkv = tf.transpose(tf.reshape(linear(x, w.c_attn), [batch, 1, 3, heads, headSize]), [2, 0, 3, 1, 4]);
  const [q, k, v] = tf.unstack(qkv) as tf.Tensor4D[]; // [B, H, 1, D]
  const keys = tf.concat([cachedKeys, k], 2);
  const values = tf.concat([cachedValues, v], 2);
  const scores = tf.add(tf.mul(tf.matMul(q, keys, false, true), 1 / Math.sqrt(headSize)), mask);
  const y = tf.matMul(tf.softmax(scores), values); // [B, H, 1, D]: per row, heads side by side
  return { y: linear(tf.reshape(y, [batch, width]) as tf.Tensor2D, w.c_proj), keys, values };
}
