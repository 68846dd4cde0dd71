/**
 * The learner X of iterated amplification: an MLP over one-hot fields (here the element x and the
 * power k) → tanh hidden layer → softmax over answers, trained with Adam on cross-entropy against
 * class targets. One-hot inputs make the first layer a sum of one row per field, so a forward pass
 * costs `hidden · (fields + classes)`. Typed-array code like src/oversight/mlp.ts (the binary MLP
 * of weak-to-strong), for the same reason: tfjs's per-op overhead would dominate at this size.
 * test/oversight/amplification.test.ts checks the backward pass against finite differences.
 */
import type { Rng } from '../../core/rng.js';

export class OneHotMlp {
  /** Row f_offset + v of `w1` is the embedding of value v of field f. */
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  /** hidden × classes, row-major. */
  readonly w2: Float64Array;
  readonly b2: Float64Array;
  readonly inputs: number;
  private readonly offsets: number[];
  private readonly params: Float64Array[];
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(
    readonly fieldSizes: readonly number[],
    readonly hidden: number,
    readonly classes: number,
    /** Draws the initial weights; without it they are zero (for `clone`). */
    rng?: Rng,
  ) {
    this.offsets = [];
    let inputs = 0;
    for (const size of fieldSizes) {
      this.offsets.push(inputs);
      inputs += size;
    }
    this.inputs = inputs;
    // Pre-activations are sums of one row per field: scale so their std is ~1.
    const s1 = 1 / Math.sqrt(fieldSizes.length);
    const s2 = 1 / Math.sqrt(hidden);
    this.w1 = Float64Array.from({ length: inputs * hidden }, () => (rng ? rng.normal(0, s1) : 0));
    this.b1 = new Float64Array(hidden);
    this.w2 = Float64Array.from({ length: hidden * classes }, () => (rng ? rng.normal(0, s2) : 0));
    this.b2 = new Float64Array(classes);
    this.params = [this.w1, this.b1, this.w2, this.b2];
    this.m = this.params.map((p) => new Float64Array(p.length));
    this.v = this.params.map((p) => new Float64Array(p.length));
  }

  /** A copy of the weights without optimizer state (the frozen X an amplification round consults). */
  clone(): OneHotMlp {
    const copy = new OneHotMlp(this.fieldSizes, this.hidden, this.classes);
    copy.params.forEach((p, j) => {
      p.set(this.params[j]);
    });
    return copy;
  }

  /** Hidden activations (into `h`) and logits (into `z`) for one input, given its value per field. */
  forward(values: ArrayLike<number>, h: Float64Array, z: Float64Array): void {
    const { hidden, classes } = this;
    h.set(this.b1);
    for (let f = 0; f < this.offsets.length; f++) {
      const row = (this.offsets[f] + values[f]) * hidden;
      for (let j = 0; j < hidden; j++) h[j] += this.w1[row + j];
    }
    for (let j = 0; j < hidden; j++) h[j] = Math.tanh(h[j]);
    z.set(this.b2);
    for (let j = 0; j < hidden; j++) {
      const a = h[j];
      const row = j * classes;
      for (let c = 0; c < classes; c++) z[c] += a * this.w2[row + c];
    }
  }

  /** The most probable answer for one input. */
  answer(values: ArrayLike<number>, scratch = this.scratch()): number {
    this.forward(values, scratch.h, scratch.z);
    let best = 0;
    for (let c = 1; c < this.classes; c++) if (scratch.z[c] > scratch.z[best]) best = c;
    return best;
  }

  scratch(): { h: Float64Array; z: Float64Array } {
    return { h: new Float64Array(this.hidden), z: new Float64Array(this.classes) };
  }

  newGradients(): Float64Array[] {
    return this.params.map((p) => new Float64Array(p.length));
  }

  /**
   * Gradients of the mean cross-entropy over a batch into `grads`; returns that loss.
   * `inputs` holds `fieldSizes.length` values per row; `targets` one class per row.
   */
  gradients(inputs: Int32Array, targets: Int32Array, grads: Float64Array[]): number {
    const { hidden, classes } = this;
    const fields = this.offsets.length;
    const rows = targets.length;
    for (const g of grads) g.fill(0);
    const [gw1, gb1, gw2, gb2] = grads;
    const h = new Float64Array(hidden);
    const z = new Float64Array(classes);
    const da = new Float64Array(hidden);
    const scale = 1 / rows;
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const values = inputs.subarray(r * fields, (r + 1) * fields);
      this.forward(values, h, z);
      let max = z[0];
      for (let c = 1; c < classes; c++) if (z[c] > max) max = z[c];
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        z[c] = Math.exp(z[c] - max);
        sum += z[c];
      }
      const target = targets[r];
      loss -= Math.log(Math.max(z[target] / sum, 1e-300)) * scale;
      // z becomes dL/dlogits = (softmax − onehot) / rows.
      for (let c = 0; c < classes; c++) z[c] = (z[c] / sum - (c === target ? 1 : 0)) * scale;
      for (let c = 0; c < classes; c++) gb2[c] += z[c];
      for (let j = 0; j < hidden; j++) {
        const a = h[j];
        const row = j * classes;
        let dh = 0;
        for (let c = 0; c < classes; c++) {
          gw2[row + c] += a * z[c];
          dh += this.w2[row + c] * z[c];
        }
        da[j] = dh * (1 - a * a);
        gb1[j] += da[j];
      }
      for (let f = 0; f < fields; f++) {
        const row = (this.offsets[f] + values[f]) * hidden;
        for (let j = 0; j < hidden; j++) gw1[row + j] += da[j];
      }
    }
    return loss;
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
