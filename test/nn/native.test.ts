// Each native kernel against tfjs's wasm backend on the same inputs, over the broadcasting,
// axis and transpose patterns the transformer uses.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { gelu, initBackend, layerNorm } from '../../src/nn/index.js';

const built = existsSync(new URL('../../native/build/Release/alignlab_native.node', import.meta.url));

type Op = (...xs: tf.Tensor[]) => tf.Tensor;

const rng = new Rng(7);
const random = (shape: number[], positive = false) =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () =>
    positive ? 0.1 + rng.next() : rng.normal(),
  );

/** Runs `op` on the given backend from plain arrays and returns values and shape. */
async function run(backend: string, op: Op, inputs: { shape: number[]; values: number[] }[]) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = op(...inputs.map((i) => tf.tensor(i.values, i.shape)));
    return { shape: out.shape, values: Array.from(out.dataSync()) };
  });
}

const cases: [string, Op, number[][], boolean?][] = [
  [
    'add same shape',
    (a, b) => tf.add(a, b),
    [
      [3, 5],
      [3, 5],
    ],
  ],
  ['add row bias', (a, b) => tf.add(a, b), [[6, 8], [8]]],
  [
    'mul column broadcast',
    (a, b) => tf.mul(a, b),
    [
      [6, 8],
      [6, 1],
    ],
  ],
  [
    'sub both broadcast',
    (a, b) => tf.sub(a, b),
    [
      [4, 1, 3],
      [1, 5, 1],
    ],
  ],
  ['div by scalar', (a, b) => tf.div(a, b), [[7], []], true],
  [
    'mask add [B,H,T,T]+[T,T]',
    (a, b) => tf.add(a, b),
    [
      [2, 3, 4, 4],
      [4, 4],
    ],
  ],
  [
    'squared difference',
    (a, b) => tf.squaredDifference(a, b),
    [
      [5, 4],
      [5, 1],
    ],
  ],
  ['maximum', (a, b) => tf.maximum(a, b), [[9], [9]]],
  ['exp', (a) => tf.exp(a), [[10]]],
  ['log', (a) => tf.log(a), [[10]], true],
  ['tanh', (a) => tf.tanh(a), [[10]]],
  ['rsqrt', (a) => tf.rsqrt(a), [[10]], true],
  ['sum over rows', (a) => tf.sum(a, 0), [[6, 5]]],
  ['sum keepDims last', (a) => tf.sum(a, -1, true), [[6, 5]]],
  ['mean all', (a) => tf.mean(a), [[4, 3, 2]]],
  ['max over middle axes', (a) => tf.max(a, [1, 2]), [[2, 3, 4, 5]]],
  ['sum non-contiguous axes (fallback)', (a) => tf.sum(a, [0, 2]), [[2, 3, 4]]],
  ['transpose heads', (a) => tf.transpose(a, [0, 2, 1, 3]), [[2, 3, 4, 5]]],
  ['transpose qkv', (a) => tf.transpose(a, [2, 0, 3, 1, 4]), [[2, 3, 3, 2, 4]]],
  ['softmax', (a) => tf.softmax(a), [[3, 4, 7]]],
  [
    'stack (Pack) on a middle axis',
    (a, b, c) => tf.stack([a, b, c], 1),
    [
      [2, 3, 4],
      [2, 3, 4],
      [2, 3, 4],
    ],
  ],
  ['unstack (Unpack) on axis 0, stacked back', (a) => tf.stack(tf.unstack(a, 0), 0), [[3, 2, 5]]],
  ['unstack (Unpack) on a middle axis, concatenated', (a) => tf.concat(tf.unstack(a, 1), 0), [[2, 3, 4]]],
  [
    'unstack gradient (Pack of q, k, v gradients)',
    (a, r) => tf.grad((x) => tf.sum(tf.mul(tf.stack(tf.unstack(x, 0).reverse(), 0), r)))(a),
    [
      [3, 2, 4],
      [3, 2, 4],
    ],
  ],
  [
    'gather rows (GatherV2) on axis 0 and 1, repeated and reordered indices',
    (a) =>
      tf.tidy(() => {
        const ids = tf.tensor1d([2, 0, 2, 1], 'int32');
        return tf.concat([tf.reshape(tf.gather(a, ids, 0), [-1]), tf.reshape(tf.gather(a, ids, 1), [-1])]);
      }),
    [[3, 3, 4]],
  ],
  [
    'concat (Concat) along the last and a middle axis',
    (a, b, c) =>
      tf.concat([tf.reshape(tf.concat([a, b], 2), [-1]), tf.reshape(tf.concat([a, a, c], 1), [-1])]),
    [
      [2, 3, 4],
      [2, 3, 1],
      [2, 2, 4],
    ],
  ],
  [
    'one-hot rows (OneHot)',
    (a) =>
      tf.tidy(() => {
        const ids = tf.cast(tf.mul(tf.abs(a), 3), 'int32') as tf.Tensor1D; // ids 0.. ~9, some ≥ depth 6
        // Int32 with default on/off values: wasm's OneHot ignores others and the dtype.
        return tf.cast(tf.oneHot(ids, 6), 'float32');
      }),
    [[12]],
  ],
  [
    'matmul',
    (a, b) => tf.matMul(a, b),
    [
      [5, 3],
      [3, 4],
    ],
  ],
  [
    'matmul transposes',
    (a, b) => tf.matMul(a, b, true, true),
    [
      [3, 5],
      [4, 3],
    ],
  ],
  [
    'batched matmul',
    (a, b) => tf.matMul(a, b, false, true),
    [
      [2, 3, 5, 4],
      [2, 3, 6, 4],
    ],
  ],
  [
    'batched matmul, broadcast b',
    (a, b) => tf.matMul(a, b),
    [
      [2, 5, 4],
      [1, 4, 3],
    ],
  ],
  // Fused on the native path, composed from tfjs ops on wasm: values and gradients must agree.
  ['gelu', (a) => gelu(a), [[6, 7]]],
  [
    'gelu gradient',
    (a, r) => tf.grad((x) => tf.sum(tf.mul(gelu(x), r)))(a),
    [
      [6, 7],
      [6, 7],
    ],
  ],
  ['layer norm', (x, w, b) => layerNorm(x as tf.Tensor2D, lnWeights(w, b)), [[5, 8], [8], [8]]],
  [
    'layer norm gradients',
    (x, w, b, r) => {
      const [dx, dw, db] = tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(xs as tf.Tensor2D, lnWeights(ws, bs)), r)),
      )([x, w, b]);
      return tf.concat([tf.reshape(dx, [-1]), dw, db]);
    },
    [[5, 8], [8], [8], [5, 8]],
  ],
];

/** LayerNorm weights as the layer expects them (variables in the model; plain tensors suffice here). */
function lnWeights(w: tf.Tensor, b: tf.Tensor) {
  return { weight: w, bias: b } as unknown as Parameters<typeof layerNorm>[1];
}

describe.skipIf(!built)('native kernels agree with the wasm backend', () => {
  beforeAll(async () => {
    expect((await initBackend()).path).toBe('native');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  it('one-hot rows as float32 with on/off values (wasm cannot be the reference here)', async () => {
    await tf.setBackend('cpu');
    const out = tf.tidy(() => tf.oneHot(tf.tensor1d([2, 0, 5], 'int32'), 3, 4, -1, 'float32'));
    expect(out.dtype).toBe('float32');
    // Row per id; id 5 is out of range, so its row is all "off".
    expect(Array.from(out.dataSync())).toEqual([-1, -1, 4, 4, -1, -1, -1, -1, -1]);
    out.dispose();
  });
  it('casts int32 and bool to float32 storage, so native kernels take the result', async () => {
    await tf.setBackend('cpu');
    const { nativeStorage } = await import('../../src/nn/native.js');
    const ints = tf.tensor1d([3, -2, 0, 7], 'int32');
    const bools = tf.tensor1d([1, 0, 1], 'bool');
    const fromInts = tf.cast(ints, 'float32');
    const fromBools = tf.cast(bools, 'float32');
    // tfjs's own kernel keeps the Int32Array as the float tensor's storage.
    expect(nativeStorage(fromInts)).toBeInstanceOf(Float32Array);
    expect(Array.from(fromInts.dataSync())).toEqual([3, -2, 0, 7]);
    expect(Array.from(fromBools.dataSync())).toEqual([1, 0, 1]);
    const product = tf.matMul(tf.reshape(fromInts, [2, 2]), tf.eye(2));
    expect(Array.from(product.dataSync())).toEqual([3, -2, 0, 7]);
    tf.dispose([ints, bools, fromInts, fromBools, product]);
  });
  for (const [name, op, shapes, positive] of cases) {
    it(name, async () => {
      const inputs = shapes.map((shape) => ({ shape, values: random(shape, positive) }));
      const native = await run('cpu', op, inputs);
      const reference = await run('wasm', op, inputs);
      expect(native.shape).toEqual(reference.shape);
      for (const [i, v] of native.values.entries()) expect(v).toBeCloseTo(reference.values[i], 4);
    });
  }
});
