/**
 * A small binary classifier on typed arrays: inputs → tanh hidden layer → one logit, trained
 * with Adam on minibatches against soft targets in [0, 1] (binary cross-entropy; the gradient
 * at the logit is σ(z) − target). Written here rather than on src/nn's tfjs because the
 * weak-to-strong nets are tiny and tfjs's per-op overhead would dominate (the same reasoning as
 * src/agents/grid-ppo.ts, whose MLP this one imitates). test/oversight/mlp.test.ts checks the
 * backward pass against finite differences.
 */
import type { Rng } from '../core/rng.js';

export class BinaryMlp {
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
  private readonly params: Float64Array[];
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(
    readonly inputs: number,
    readonly hidden: number,
    rng: Rng,
  ) {
    this.w1 = Float64Array.from({ length: inputs * hidden }, () => rng.normal(0, 1 / Math.sqrt(inputs)));
    this.b1 = new Float64Array(hidden);
    this.w2 = Float64Array.from({ length: hidden }, () => rng.normal(0, 1 / Math.sqrt(hidden)));
    this.b2 = new Float64Array(1);
    this.params = [this.w1, this.b1, this.w2, this.b2];
    this.m = this.params.map((p) => new Float64Array(p.length));
    this.v = this.params.map((p) => new Float64Array(p.length));
  }

  /** The logit for one input row `x[offset .. offset + inputs)`; fills `h` with the hidden layer if given. */
  logit(x: ArrayLike<number>, offset = 0, h?: Float64Array): number {
    const { inputs, hidden } = this;
    let z = this.b2[0];
    for (let k = 0; k < hidden; k++) {
      let a = this.b1[k];
      for (let i = 0; i < inputs; i++) a += x[offset + i] * this.w1[i * hidden + k];
      const t = Math.tanh(a);
      if (h) h[k] = t;
      z += t * this.w2[k];
    }
    return z;
  }

  /** P(class 1) for every row of `x` (row-major, `inputs` columns). */
  predict(x: Float64Array): Float64Array {
    const n = x.length / this.inputs;
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = sigmoid(this.logit(x, r * this.inputs));
    return out;
  }

  /** Gradients of the mean BCE over `rows` against `targets` (one per row), into `grads`. */
  gradients(
    x: Float64Array,
    rows: readonly number[],
    targets: readonly number[],
    grads: Float64Array[],
  ): number {
    const { inputs, hidden } = this;
    for (const g of grads) g.fill(0);
    const [gw1, gb1, gw2, gb2] = grads;
    const h = new Float64Array(hidden);
    let loss = 0;
    const scale = 1 / rows.length;
    rows.forEach((r, idx) => {
      const off = r * inputs;
      const z = this.logit(x, off, h);
      const p = sigmoid(z);
      const t = targets[idx];
      loss -= (t * Math.log(Math.max(p, 1e-12)) + (1 - t) * Math.log(Math.max(1 - p, 1e-12))) * scale;
      const dz = (p - t) * scale;
      gb2[0] += dz;
      for (let k = 0; k < hidden; k++) {
        gw2[k] += dz * h[k];
        const da = dz * this.w2[k] * (1 - h[k] * h[k]);
        gb1[k] += da;
        for (let i = 0; i < inputs; i++) gw1[i * hidden + k] += da * x[off + i];
      }
    });
    return loss;
  }

  newGradients(): Float64Array[] {
    return this.params.map((p) => new Float64Array(p.length));
  }

  /** One Adam step (β1 0.9, β2 0.999, ε 1e-8). */
  adam(grads: Float64Array[], lr: number): void {
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    this.params.forEach((p, j) => {
      const g = grads[j];
      const m = this.m[j];
      const v = this.v[j];
      for (let i = 0; i < p.length; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
      }
    });
  }
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
