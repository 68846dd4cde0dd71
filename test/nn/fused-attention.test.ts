// The fused native attention and linear layer (one addon call forward, one backward each)
// against the same layers composed from tfjs ops: output and every gradient within a float
// tolerance.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/nn/index.js';
import { causalSelfAttention, type KeyValues, type LinearWeights, linear } from '../../src/nn/layers.js';
import { nativeAddon } from '../../src/nn/native.js';

let available = false;

beforeAll(async () => {
  const info = await initBackend();
  available = nativeAddon()?.attention !== undefined;
  if (!available) console.warn(`fused attention tests skipped: not on the native path (${info.description})`);
});

const maxRelative = (a: Float32Array, b: Float32Array) => {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { relative: worst / scale, scale };
};

describe('fused linear layer', () => {
  it('gives matMul + bias add and their gradients, with and without a bias', (ctx) => {
    if (!available) ctx.skip();
    const rng = new Rng(3);
    const random = (shape: number[]) =>
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
        shape,
      );
    const x = random([13, 7]) as tf.Tensor2D;
    const weight = random([7, 5]) as tf.Tensor2D;
    const bias = random([5]) as tf.Tensor1D;
    const target = random([13, 5]);
    for (const withBias of [true, false]) {
      const inputs = withBias ? [x, weight, bias] : [x, weight];
      const lossOf = (f: (ts: tf.Tensor[]) => tf.Tensor) =>
        tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(f(ts), target)))(inputs);
      const fused = lossOf(([a, w, b]) =>
        linear(a as tf.Tensor2D, { weight: w, bias: b } as unknown as LinearWeights),
      );
      const plain = lossOf(([a, w, b]) => (b ? tf.add(tf.matMul(a, w), b) : tf.matMul(a, w)));
      expect(fused.length).toBe(inputs.length);
      for (let i = 0; i < inputs.length; i++) {
        const { relative, scale } = maxRelative(
          fused[i].dataSync() as Float32Array,
          plain[i].dataSync() as Float32Array,
        );
        expect(scale).toBeGreaterThan(0.1);
        expect(relative).toBeLessThan(1e-5);
      }
      const y = linear(x, { weight, bias: withBias ? bias : undefined } as unknown as LinearWeights);
      const want = withBias ? tf.add(tf.matMul(x, weight), bias) : tf.matMul(x, weight);
      expect(
        maxRelative(y.dataSync() as Float32Array, want.dataSync() as Float32Array).relative,
      ).toBeLessThan(1e-6);
      tf.dispose([...fused, ...plain, y, want]);
    }
    tf.dispose([x, weight, bias, target]);
  });
});

describe('fused attention', () => {
  it('gives the composed layer’s output and gradients (x and both projections) within float tolerance', (ctx) => {
    if (!available) ctx.skip();
    const [batch, time, heads, width] = [3, 7, 2, 8];
    const rng = new Rng(9);
    const random = (shape: number[], std: number) =>
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, std)),
        shape,
      );
    const x = random([batch * time, width], 1) as tf.Tensor2D;
    const w = {
      c_attn: {
        weight: tf.variable(random([width, 3 * width], 0.5)),
        bias: tf.variable(random([3 * width], 0.1)),
      },
      c_proj: { weight: tf.variable(random([width, width], 0.5)), bias: tf.variable(random([width], 0.1)) },
    };
    const target = random([batch * time, width], 1);
    const gradients = (kv?: KeyValues) => {
      const { value, grads } = tf.variableGrads(() =>
        tf.sum(tf.mul(causalSelfAttention(x, w, batch, time, heads, kv), target)),
      );
      const dx = tf.grad((input: tf.Tensor) =>
        tf.sum(tf.mul(causalSelfAttention(input as tf.Tensor2D, w, batch, time, heads, kv), target)),
      )(x);
      const y = causalSelfAttention(x, w, batch, time, heads, kv);
      const out = {
        y: y.dataSync() as Float32Array,
        loss: value.dataSync()[0],
        dx: dx.dataSync() as Float32Array,
        dAttn: grads[w.c_attn.weight.name].dataSync() as Float32Array,
        dAttnBias: grads[w.c_attn.bias.name].dataSync() as Float32Array,
        dProj: grads[w.c_proj.weight.name].dataSync() as Float32Array,
      };
      tf.dispose([value, dx, y, ...Object.values(grads), ...(kv ? [...kv.keys, ...kv.values] : [])]);
      return out;
    };
    const fused = gradients();
    const composed = gradients({ keys: [], values: [] });
    for (const key of ['y', 'dx', 'dAttn', 'dAttnBias', 'dProj'] as const) {
      const { relative, scale } = maxRelative(fused[key], composed[key]);
      expect(scale, key).toBeGreaterThan(1e-2);
      expect(relative, key).toBeLessThan(1e-4);
    }
    // Causality: changing the last position's input leaves earlier outputs alone.
    const xs = x.arraySync();
    for (let b = 0; b < batch; b++) xs[b * time + time - 1] = xs[b * time + time - 1].map((v) => v + 1);
    const moved = causalSelfAttention(tf.tensor2d(xs), w, batch, time, heads).arraySync();
    const before = causalSelfAttention(x, w, batch, time, heads).arraySync();
    for (let b = 0; b < batch; b++)
      for (let t = 0; t < time - 1; t++) expect(moved[b * time + t]).toEqual(before[b * time + t]);
    tf.dispose([x, target, w.c_attn.weight, w.c_attn.bias, w.c_proj.weight, w.c_proj.bias]);
  });
});
