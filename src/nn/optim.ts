/** AdamW and global-norm gradient clipping, on named weights so optimizer state can be saved. */
import * as tf from '@tensorflow/tfjs';

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
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
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
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const update = tf.div(
          tf.div(mNew, correction1),
          tf.add(tf.sqrt(tf.div(vNew, correction2)), this.epsilon),
        );
        const decayed = p.rank >= 2 && this.weightDecay > 0 ? tf.mul(p, 1 - lr * this.weightDecay) : p;
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
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

/**
 * Scales all gradients by min(1, maxNorm / ‖g‖) where ‖g‖ is the global L2 norm over all of
 * them (PyTorch's clip_grad_norm_). Returns the norm before clipping and the gradients to
 * apply: new tensors when scaled, the given ones when already within the bound.
 */
export function clipGradients(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: number } {
  const norm = tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares));
  });
  const value = norm.dataSync()[0];
  norm.dispose();
  const scale = Math.min(1, maxNorm / (value + 1e-6));
  if (scale >= 1) return { grads, norm: value };
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) clipped.set(name, tf.mul(g, scale));
  return { grads: clipped, norm: value };
}
