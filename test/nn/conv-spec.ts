// The conv layers' behaviour, run once per backend path (conv.*.test.ts beside this). Gradients
// are checked against central finite differences of a float64 reference implementation (ε = 1e-6,
// so the differences are exact to ~1e-9 away from ReLU kinks and pooling ties, which random inputs
// avoid); the layers compute in float32, so the bound is 1e-3 of the largest gradient — float32
// rounding on any CPU and any sgemm is ~1e-6 of it at these sizes.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { BackendPath } from '../../src/nn/index.js';
import {
  AdamW,
  conv2d,
  createConvNet,
  crossEntropy,
  dropout,
  flatten,
  initBackend,
  judgeLayers,
  maxPool,
  trainStep,
} from '../../src/nn/index.js';

type Shape4 = [number, number, number, number];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const randoms = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => rng.normal());

/** Float64 reference convolution, NHWC, stride 1, explicit top/left padding and output size. */
function refConv(
  x: Float64Array,
  [B, H, W, C]: Shape4,
  w: Float64Array,
  [kh, kw, , O]: Shape4,
  b: Float64Array | undefined,
  pt: number,
  pl: number,
  oh: number,
  ow: number,
  relu: boolean,
): Float64Array {
  const y = new Float64Array(B * oh * ow * O);
  for (let n = 0; n < B; n++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < O; o++) {
          let s = b ? b[o] : 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const iy = oy + ky - pt;
              const ix = ox + kx - pl;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (let c = 0; c < C; c++)
                s += x[((n * H + iy) * W + ix) * C + c] * w[((ky * kw + kx) * C + c) * O + o];
            }
          y[((n * oh + oy) * ow + ox) * O + o] = relu && s < 0 ? 0 : s;
        }
  return y;
}

function refPool(x: Float64Array, [B, H, W, C]: Shape4, s: number, t: number): Float64Array {
  const oh = Math.floor((H - s) / t) + 1;
  const ow = Math.floor((W - s) / t) + 1;
  const y = new Float64Array(B * oh * ow * C).fill(Number.NEGATIVE_INFINITY);
  for (let n = 0; n < B; n++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let c = 0; c < C; c++)
          for (let ky = 0; ky < s; ky++)
            for (let kx = 0; kx < s; kx++) {
              const v = x[((n * H + oy * t + ky) * W + ox * t + kx) * C + c];
              const at = ((n * oh + oy) * ow + ox) * C + c;
              if (v > y[at]) y[at] = v;
            }
  return y;
}

/** ∂(Σ r·f)/∂arg by central differences in float64, one coordinate at a time. */
function finiteDifferences(
  f: (arg: Float64Array) => Float64Array,
  arg: Float64Array,
  r: Float64Array,
  eps = 1e-6,
): Float64Array {
  const dot = (y: Float64Array) => y.reduce((s, v, i) => s + v * r[i], 0);
  const g = new Float64Array(arg.length);
  for (let i = 0; i < arg.length; i++) {
    const keep = arg[i];
    arg[i] = keep + eps;
    const up = dot(f(arg));
    arg[i] = keep - eps;
    const down = dot(f(arg));
    arg[i] = keep;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

/** max |a − b| / max |b|: the largest error relative to the gradient's scale. */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

const f32 = (a: Float64Array, shape: number[]) => tf.tensor(Float32Array.from(a), shape, 'float32');

interface ConvCase {
  name: string;
  x: Shape4;
  w: Shape4;
  padding: 'same' | 'valid';
  relu: boolean;
  bias: boolean;
}

const convCases: ConvCase[] = [
  {
    name: "5×5 'same' + ReLU, 2 → 3 channels",
    x: [2, 6, 5, 2],
    w: [5, 5, 2, 3],
    padding: 'same',
    relu: true,
    bias: true,
  },
  {
    name: "3×3 'same', no bias, linear",
    x: [2, 5, 7, 3],
    w: [3, 3, 3, 4],
    padding: 'same',
    relu: false,
    bias: false,
  },
  {
    name: "2×2 'same' (uneven padding) + ReLU",
    x: [1, 4, 5, 2],
    w: [2, 2, 2, 3],
    padding: 'same',
    relu: true,
    bias: true,
  },
  { name: "3×2 'valid' + ReLU", x: [3, 5, 4, 2], w: [3, 2, 2, 2], padding: 'valid', relu: true, bias: true },
];

/** The conv layers' behaviour on one backend path. */
export function describeConv(expectPath: (path: BackendPath) => void): void {
  beforeAll(async () => {
    expectPath((await initBackend()).path);
  });

  describe('conv2d', () => {
    for (const c of convCases) {
      it(`${c.name}: output and gradients (input, filter, bias) match float64 finite differences`, () => {
        const rng = new Rng(size(c.x) + size(c.w));
        const [, H, W] = c.x;
        const [kh, kw, , O] = c.w;
        const same = c.padding === 'same';
        const pt = same ? Math.floor((kh - 1) / 2) : 0;
        const pl = same ? Math.floor((kw - 1) / 2) : 0;
        const oh = same ? H : H - kh + 1;
        const ow = same ? W : W - kw + 1;
        const x = randoms(rng, size(c.x));
        const w = randoms(rng, size(c.w));
        const b = c.bias ? randoms(rng, O) : undefined;
        const r = randoms(rng, c.x[0] * oh * ow * O);
        const ref = (xs: Float64Array, ws: Float64Array, bs?: Float64Array) =>
          refConv(xs, c.x, ws, c.w, bs, pt, pl, oh, ow, c.relu);

        const xt = f32(x, c.x) as tf.Tensor4D;
        const weight = tf.variable(f32(w, c.w));
        const bias = b ? tf.variable(f32(b, [O])) : undefined;
        const options = { padding: c.padding, activation: c.relu ? ('relu' as const) : ('linear' as const) };
        const y = conv2d(xt, { weight, bias }, options);
        expect(y.shape).toEqual([c.x[0], oh, ow, O]);
        expect(scaledError(y.dataSync(), ref(x, w, b))).toBeLessThan(1e-5);

        const rt = f32(r, y.shape);
        const loss = (xs: tf.Tensor4D, ws: tf.Tensor, bs?: tf.Tensor) =>
          tf.sum(
            tf.mul(conv2d(xs, { weight: ws as tf.Variable, bias: bs as tf.Variable }, options), rt),
          ) as tf.Scalar;
        const grads = b
          ? tf.grads((xs, ws, bs) => loss(xs as tf.Tensor4D, ws, bs))([xt, weight, bias as tf.Variable])
          : tf.grads((xs, ws) => loss(xs as tf.Tensor4D, ws))([xt, weight]);
        expect(
          scaledError(
            grads[0].dataSync(),
            finiteDifferences((a) => ref(a, w, b), x, r),
          ),
        ).toBeLessThan(1e-3);
        expect(
          scaledError(
            grads[1].dataSync(),
            finiteDifferences((a) => ref(x, a, b), w, r),
          ),
        ).toBeLessThan(1e-3);
        if (b)
          expect(
            scaledError(
              grads[2].dataSync(),
              finiteDifferences((a) => ref(x, w, a), b, r),
            ),
          ).toBeLessThan(1e-3);
        tf.dispose([xt, weight, y, rt, ...grads]);
        if (bias) bias.dispose();
      });
    }

    it('rejects a filter whose channels do not match the input, naming both shapes', () => {
      const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
      const weight = tf.variable(tf.zeros([3, 3, 3, 1]));
      expect(() => conv2d(x, { weight })).toThrow(/filter \[3,3,3,1\].*input \[1,4,4,2\]/);
      tf.dispose([x, weight]);
    });
  });

  describe('maxPool', () => {
    for (const [shape, s, t] of [
      [[2, 6, 4, 3], 2, 2],
      [[1, 5, 7, 2], 2, 2],
      [[2, 7, 7, 1], 3, 2],
    ] as [Shape4, number, number][]) {
      it(`${s}×${s} stride ${t} on [${shape}]: output and input gradient match finite differences`, () => {
        const rng = new Rng(size(shape) + s);
        const x = randoms(rng, size(shape));
        const expected = refPool(x, shape, s, t);
        const r = randoms(rng, expected.length);
        const xt = f32(x, shape) as tf.Tensor4D;
        const y = maxPool(xt, s, t);
        expect(scaledError(y.dataSync(), expected)).toBeLessThan(1e-6);
        const rt = f32(r, y.shape);
        const [g] = tf.grads((xs) => tf.sum(tf.mul(maxPool(xs as tf.Tensor4D, s, t), rt)))([xt]);
        expect(
          scaledError(
            g.dataSync(),
            finiteDifferences((a) => refPool(a, shape, s, t), x, r),
          ),
        ).toBeLessThan(1e-3);
        tf.dispose([xt, y, rt, g]);
      });
    }
  });

  describe('dropout', () => {
    it('in training zeroes about `rate` of the elements, scales the rest by 1/(1 − rate), repeats with the seed', () => {
      const x = tf.ones([64, 100]);
      const a = dropout(x, 0.4, new Rng(5), true);
      const b = dropout(x, 0.4, new Rng(5), true);
      const c = dropout(x, 0.4, new Rng(6), true);
      const va = a.dataSync();
      const zeros = va.filter((v) => v === 0).length / va.length;
      // 6,400 draws: the standard error of the zeroed fraction is 0.006, so ±0.05 is > 8 SE.
      expect(Math.abs(zeros - 0.4)).toBeLessThan(0.05);
      for (const v of va) if (v !== 0) expect(v).toBeCloseTo(1 / 0.6, 5);
      expect(Array.from(b.dataSync())).toEqual(Array.from(va));
      expect(Array.from(c.dataSync())).not.toEqual(Array.from(va));
      tf.dispose([x, a, b, c]);
    });

    it('is the identity outside training, and its gradient is the mask', () => {
      const x = tf.randomNormal([4, 8], 0, 1, 'float32', 3);
      expect(dropout(x, 0.5, new Rng(1), false)).toBe(x);
      const [g] = tf.grads((xs) => tf.sum(dropout(xs, 0.5, new Rng(2), true)))([x]);
      const mask = dropout(tf.onesLike(x), 0.5, new Rng(2), true);
      expect(Array.from(g.dataSync())).toEqual(Array.from(mask.dataSync()));
      expect(() => dropout(x, 1, new Rng(1), true)).toThrow(/rate 1/);
      tf.dispose([x, g, mask]);
    });
  });

  describe('ConvNet', () => {
    it("the judge's shapes and parameter count (Irving et al. 2018: conv 32, conv 64, dense 1024)", () => {
      const net = createConvNet(judgeLayers(), { seed: 1 });
      expect(net.shapes).toEqual([
        [28, 28, 32],
        [14, 14, 32],
        [14, 14, 64],
        [7, 7, 64],
        [3136],
        [1024],
        [1024],
        [10],
      ]);
      // conv 5·5·2·32 + 32, conv 5·5·32·64 + 64, dense 3136·1024 + 1024, dense 1024·10 + 10.
      expect(net.parameterCount()).toBe(1632 + 51264 + 3212288 + 10250);
      expect([...net.namedWeights().keys()]).toEqual([
        'layers.0.weight',
        'layers.0.bias',
        'layers.2.weight',
        'layers.2.bias',
        'layers.5.weight',
        'layers.5.bias',
        'layers.7.weight',
        'layers.7.bias',
      ]);
      const x = tf.zeros([2, 28, 28, 2]) as tf.Tensor4D;
      const y = net.forward(x);
      expect(y.shape).toEqual([2, 10]);
      tf.dispose([x, y]);
      net.dispose();
    });

    it('rejects inputs of the wrong shape and layer stacks that do not fit, saying where', () => {
      const net = createConvNet(judgeLayers({ hidden: 8 }), { seed: 1 });
      const x = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
      expect(() => net.forward(x)).toThrow(/input \[1,28,28,1\] is not \[B, 28,28,2\]/);
      expect(() => createConvNet({ input: [8, 8, 1], layers: [{ kind: 'dense', units: 3 }] })).toThrow(
        /layer 0 \(dense\).*flatten/,
      );
      tf.dispose(x);
      net.dispose();
    });

    it('eval mode is deterministic; training mode applies dropout', () => {
      const net = createConvNet(
        {
          input: [6, 6, 2],
          layers: [
            { kind: 'conv', filters: 4, kernel: 3 },
            { kind: 'maxPool' },
            { kind: 'flatten' },
            { kind: 'dense', units: 16 },
            { kind: 'dropout', rate: 0.5 },
            { kind: 'dense', units: 3, activation: 'linear' },
          ],
        },
        { seed: 4 },
      );
      const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 9) as tf.Tensor4D;
      const a = net.forward(x);
      const b = net.forward(x);
      const t = net.forward(x, { training: true, rng: new Rng(1) });
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      expect(scaledError(t.dataSync(), a.dataSync())).toBeGreaterThan(1e-3);
      tf.dispose([x, a, b, t]);
      net.dispose();
    });

    it('learns to tell horizontal from vertical bars with Adam, and keeps the live tensor count constant', () => {
      const rng = new Rng(11);
      // 8×8 single-channel images holding one bright bar (horizontal: class 0, vertical: class 1) in noise.
      const batch = (n: number) => {
        const pixels = new Float32Array(n * 64);
        const labels = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          labels[i] = rng.int(2);
          const at = rng.int(8);
          for (let p = 0; p < 64; p++) {
            const onBar = labels[i] === 0 ? Math.floor(p / 8) === at : p % 8 === at;
            pixels[i * 64 + p] = (onBar ? 1 : 0) + 0.3 * rng.normal();
          }
        }
        return { x: tf.tensor4d(pixels, [n, 8, 8, 1]), y: tf.tensor1d(labels, 'int32') };
      };
      const net = createConvNet(
        {
          input: [8, 8, 1],
          layers: [
            { kind: 'conv', filters: 8, kernel: 3 },
            { kind: 'maxPool' },
            { kind: 'conv', filters: 8, kernel: 3 },
            { kind: 'maxPool' },
            { kind: 'flatten' },
            { kind: 'dense', units: 32 },
            { kind: 'dropout', rate: 0.2 },
            { kind: 'dense', units: 2, activation: 'linear' },
          ],
        },
        { seed: 2 },
      );
      const adam = new AdamW(net.namedWeights(), { learningRate: 3e-3, weightDecay: 0 });
      const step = () => {
        const { x, y } = batch(32);
        const result = trainStep(net, adam, (m) => crossEntropy(m.forward(x, { training: true }), y));
        tf.dispose([x, y]);
        return result.loss;
      };
      const first = step();
      const live = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < 60; i++) {
        last = step();
        expect(tf.memory().numTensors).toBe(live);
      }
      const test = batch(200);
      const predicted = tf.tidy(() => tf.argMax(net.forward(test.x), 1).dataSync());
      const truth = test.y.dataSync();
      const accuracy = predicted.filter((p, i) => p === truth[i]).length / truth.length;
      expect(first).toBeGreaterThan(0.5); // ≈ ln 2 = 0.69 at initialization
      expect(last).toBeLessThan(0.35);
      expect(accuracy).toBeGreaterThan(0.9); // chance is 0.5
      tf.dispose([test.x, test.y]);
      adam.dispose();
      net.dispose();
    });
  });

  it('flatten keeps the batch axis', () => {
    const x = tf.zeros([3, 2, 2, 5]);
    const y = flatten(x);
    expect(y.shape).toEqual([3, 20]);
    tf.dispose([x, y]);
  });
}
