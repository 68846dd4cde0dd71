/** AdamW and global-norm gradient clipping, on named weights so optimizer state can be saved. */
import * as tf from '@tensorflow/tfjs';
import { nativeAddon, nativeStorage } from './native.js';

export interface AdamWOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay λ, applied to weights of rank ≥ 2 only (as nanoGPT does). */
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter 2019) in PyTorch's form: θ ← θ·(1 − lr·λ) − lr·m̂/(√v̂ + ε),
 * with bias-corrected moments m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ). Defaults are PyTorch's.
 */
export class AdamW {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  /** Number of updates applied so far (t in the bias correction). */
  stepCount = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly params: Map<string, tf.Variable>,
    options: AdamWOptions = {},
  ) {
    this.learningRate = options.learningRate ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    for (const [name, p] of params) {
      this.m.set(name, zeroVariable(p));
      this.v.set(name, zeroVariable(p));
    }
  }

  /** One update from gradients keyed by weight name; weights without a gradient are left alone. */
  step(grads: Map<string, tf.Tensor>): void {
    this.stepCount += 1;
    const t = this.stepCount;
    const lr = this.learningRate;
    const correction1 = 1 - this.beta1 ** t;
    const correction2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      for (const [name, g] of grads) {
        const p = this.params.get(name);
        const m = this.m.get(name);
        const v = this.v.get(name);
        if (!p || !m || !v) throw new Error(`AdamW: gradient for unknown weight '${name}'`);
        const decay = p.rank >= 2 ? 1 - lr * this.weightDecay : 1;
        if (this.nativeStep(p, g, m, v, decay, correction1, correction2)) continue;
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const update = tf.div(
          tf.div(mNew, correction1),
          tf.add(tf.sqrt(tf.div(vNew, correction2)), this.epsilon),
        );
        const decayed = decay === 1 ? p : tf.mul(p, decay);
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
  }

  /**
   * The same update in one native loop: the moments (private to this optimizer) in place, the
   * weights into a fresh buffer, since other tensors may share a weight's storage.
   */
  private nativeStep(
    p: tf.Variable,
    g: tf.Tensor,
    m: tf.Variable,
    v: tf.Variable,
    decay: number,
    c1: number,
    c2: number,
  ) {
    const lib = nativeAddon();
    const [pv, gv, mv, vv] = [p, g, m, v].map(nativeStorage);
    if (!lib || !pv || !gv || !mv || !vv) return false;
    const out = new Float32Array(pv.length);
    lib.adamw(pv, gv, mv, vv, out, this.learningRate, this.beta1, this.beta2, this.epsilon, decay, c1, c2);
    p.assign(tf.tensor(out, p.shape));
    return true;
  }

  /** Moment estimates by name (`<weight>.exp_avg`, `<weight>.exp_avg_sq`, as PyTorch calls them). */
  state(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const name of this.params.keys()) {
      out.set(`${name}.exp_avg`, this.m.get(name) as tf.Variable);
      out.set(`${name}.exp_avg_sq`, this.v.get(name) as tf.Variable);
    }
    return out;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

function zeroVariable(like: tf.Tensor): tf.Variable {
  const zeros = tf.zerosLike(like);
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}

/** Global L2 norm of a set of tensors (one native pass each on the native path). */
export function globalNorm(tensors: Iterable<tf.Tensor>): number {
  const list = [...tensors];
  const lib = nativeAddon();
  const storage = list.map(nativeStorage);
  if (lib && storage.every((s) => s !== undefined)) {
    return Math.sqrt(storage.reduce((total, s) => total + lib.sumSquares(s as Float32Array), 0));
  }
  const norm = tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))));
  const value = norm.dataSync()[0];
  norm.dispose();
  return value;
}

/**
 * Scales all gradients by min(1, maxNorm / ‖g‖) where ‖g‖ is the global L2 norm over all of
 * them (PyTorch's clip_grad_norm_). Returns the norm before clipping and the gradients to
 * apply: new tensors when scaled, the given ones when already within the bound.
 */
export function clipGradients(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: number } {
  const value = globalNorm(grads.values());
  const scale = Math.min(1, maxNorm / (value + 1e-6));
  if (scale >= 1) return { grads, norm: value };
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) clipped.set(name, tf.mul(g, scale));
  return { grads: clipped, norm: value };
}
