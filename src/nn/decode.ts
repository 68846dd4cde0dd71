/**
 * The fused decode step of the native path: one addon call (`decodeStep`, native/) runs a whole
 * KV-cached decode step — embeddings, every block's LayerNorms, attention over the cache, MLP,
 * ln_f and the LM head — reading the weights straight from tfjs's cpu storage (no copy) and
 * writing the logits into one Float32Array. Through tfjs the same step is ~50 kernel calls, each
 * with the engine's per-op cost, plus the logits readback: at the text stack's shapes those cost
 * several times the arithmetic.
 *
 * The cache then lives in plain Float32Arrays [rows, heads, contextLength, headSize] per layer,
 * each row's positions packed from 0 (its prompt, then one position per decoded token; no
 * padding to mask). The tfjs step (`ALIGNLAB_FUSED_DECODE=0`, or `setFusedDecode(false)`) is the
 * reference: the same operations, so the same logits up to float rounding.
 */
import type * as tf from '@tensorflow/tfjs';
import { nativeAddon, nativeStorage } from './native.js';

/** Keys and values of every layer for the fused step; row b holds positions [0, lengths). */
export interface NativeKv {
  keys: Float32Array[];
  values: Float32Array[];
  /** Positions each row can hold (the context length). */
  capacity: number;
  heads: number;
  headSize: number;
}

let enabled = typeof process === 'undefined' || process.env?.ALIGNLAB_FUSED_DECODE !== '0';

/** Turns the fused decode step on or off (for comparisons); returns the previous setting. */
export function setFusedDecode(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** The addon's decodeStep when the native path is active, the addon has it, and it is enabled. */
function decodeKernel() {
  if (!enabled) return undefined;
  const addon = nativeAddon();
  return addon?.decodeStep ? addon : undefined;
}

/** Whether `prefill` should hand decoding to the fused step. */
export function fusedDecodeAvailable(): boolean {
  return decodeKernel() !== undefined;
}

/** The weights' float32 storage in decodeStep's order, or undefined if one is not on the native path. */
export function weightStorage(weights: readonly tf.Variable[]): Float32Array[] | undefined {
  const out: Float32Array[] = [];
  for (const w of weights) {
    const v = nativeStorage(w);
    if (!v) return undefined;
    out.push(v);
  }
  return out;
}

/**
 * Moves prefill's tfjs keys/values (each [B, H, padded, D], row b valid on [0, promptLength_b))
 * into fused-step buffers sized to the context. The tensors are left to the caller.
 */
export function toNativeKv(
  keys: readonly tf.Tensor4D[],
  values: readonly tf.Tensor4D[],
  promptLengths: readonly number[],
  capacity: number,
): NativeKv | undefined {
  if (keys.length === 0) return undefined;
  const [batch, heads, padded, headSize] = keys[0].shape;
  const copy = (t: tf.Tensor4D): Float32Array | undefined => {
    const src = nativeStorage(t);
    if (!src) return undefined;
    const dst = new Float32Array(batch * heads * capacity * headSize);
    for (let b = 0; b < batch; b++) {
      const n = promptLengths[b] * headSize;
      for (let h = 0; h < heads; h++) {
        const from = (b * heads + h) * padded * headSize;
        dst.set(src.subarray(from, from + n), (b * heads + h) * capacity * headSize);
      }
    }
    return dst;
  };
  const k = keys.map(copy);
  const v = values.map(copy);
  if (k.some((a) => !a) || v.some((a) => !a)) return undefined;
  return { keys: k as Float32Array[], values: v as Float32Array[], capacity, heads, headSize };
}

/** Keeps the rows at `positions` (in batch order), packed to the front of the buffers. */
export function retainNativeKv(kv: NativeKv, positions: readonly number[]): void {
  const row = kv.heads * kv.capacity * kv.headSize;
  const increasing = positions.every((p, i) => i === 0 || p > positions[i - 1]);
  const move = (a: Float32Array): Float32Array => {
    if (increasing) {
      positions.forEach((p, i) => {
        if (p !== i) a.copyWithin(i * row, p * row, (p + 1) * row);
      });
      return a;
    }
    const out = new Float32Array(a.length);
    positions.forEach((p, i) => {
      out.set(a.subarray(p * row, (p + 1) * row), i * row);
    });
    return out;
  };
  kv.keys = kv.keys.map(move);
  kv.values = kv.values.map(move);
}

export interface DecodeDims {
  layers: number;
  heads: number;
  width: number;
  vocabSize: number;
  contextLength: number;
}

/**
 * One fused step: row b (of `tokens.length`) feeds tokens[b] at position lengths[b]; its
 * key/value is written there. Returns the next-token logits, one view per row of one array.
 */
export function fusedDecodeStep(
  weights: Float32Array[],
  dims: DecodeDims,
  kv: NativeKv,
  lengths: Int32Array,
  tokens: readonly number[],
): Float32Array[] {
  const addon = nativeAddon();
  if (!addon?.decodeStep) throw new Error('fused decode: the native path is not active');
  const batch = tokens.length;
  const logits = new Float32Array(batch * dims.vocabSize);
  addon.decodeStep(
    weights,
    Int32Array.of(
      dims.layers,
      dims.heads,
      dims.width,
      dims.vocabSize,
      kv.capacity,
      batch,
      dims.contextLength,
    ),
    kv.keys,
    kv.values,
    lengths,
    Int32Array.from(tokens),
    logits,
  );
  return Array.from({ length: batch }, (_, b) =>
    logits.subarray(b * dims.vocabSize, (b + 1) * dims.vocabSize),
  );
}
