/**
 * Weak-to-strong generalization (Burns et al. 2023) on a synthetic task with known truth: a
 * random "teacher" network labels inputs x ~ N(0, I); a weak model (a small MLP that sees the
 * inputs through noise — a weaker perception as well as less capacity) is trained on ground
 * truth; a strong model (a wider MLP on the clean inputs) is trained on the weak model's soft
 * labels, with plain cross-entropy or with the auxiliary confidence loss; the ceiling is the
 * strong model trained on ground truth. PGR = (w2s − weak) / (ceiling − weak), accuracies on a
 * held-out test set.
 *
 * The confidence loss (Burns et al. 2023, §4.3.2 and Appendix A.4; openai/weak-to-strong's
 * logconf loss): the target is (1 − α)·f_w(x) + α·f̂_t(x), where f̂_t hardens the strong
 * model's own predictions at the threshold t that makes the batch's share of positives equal
 * the weak labels' mean in that batch, α warming up linearly from 0 to `auxCoef` (0.5) over the
 * first `warmupFrac` (10%) of training steps, the hardened predictions treated as constants.
 */
import type { Rng } from '../core/rng.js';
import { BinaryMlp } from './mlp.js';

export interface LabeledData {
  x: Float64Array;
  y: Uint8Array;
  inputs: number;
}

/** The task: a random tanh teacher thresholded at its median logit (balanced classes). */
export class TeacherTask {
  private readonly teacher: BinaryMlp;
  private readonly threshold: number;

  constructor(
    readonly inputs: number,
    hidden: number,
    rng: Rng,
    /** Multiplies the teacher's first-layer weights: larger is more nonlinear. */
    sharpness = 2,
  ) {
    this.teacher = new BinaryMlp(inputs, hidden, rng);
    for (let i = 0; i < this.teacher.w1.length; i++) this.teacher.w1[i] *= sharpness;
    for (let k = 0; k < hidden; k++) this.teacher.b1[k] = rng.normal(0, 1);
    const probe = this.rawSample(rng, 4001);
    const logits = Array.from({ length: 4001 }, (_, r) => this.teacher.logit(probe, r * inputs)).sort(
      (a, b) => a - b,
    );
    this.threshold = logits[2000];
  }

  private rawSample(rng: Rng, n: number): Float64Array {
    return Float64Array.from({ length: n * this.inputs }, () => rng.normal());
  }

  sample(rng: Rng, n: number): LabeledData {
    const x = this.rawSample(rng, n);
    const y = new Uint8Array(n);
    for (let r = 0; r < n; r++) y[r] = this.teacher.logit(x, r * this.inputs) > this.threshold ? 1 : 0;
    return { x, y, inputs: this.inputs };
  }
}

/** `x` with independent Gaussian noise of std `sigma` added (the weak model's view). */
export function noisyView(x: Float64Array, sigma: number, rng: Rng): Float64Array {
  if (sigma === 0) return x;
  return Float64Array.from(x, (v) => v + rng.normal(0, sigma));
}

export interface TrainOptions {
  epochs: number;
  batch: number;
  learningRate: number;
  /** 0 is plain cross-entropy against the targets; > 0 the confidence loss with this α. */
  auxCoef: number;
  /** The share of training steps over which α warms up from 0. */
  warmupFrac: number;
}

/** Trains `model` on rows of `x` against soft `targets`; returns the last epoch's mean loss. */
export function train(
  model: BinaryMlp,
  x: Float64Array,
  targets: Float64Array,
  opt: TrainOptions,
  rng: Rng,
): number {
  const n = targets.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const grads = model.newGradients();
  const perEpoch = Math.ceil(n / opt.batch);
  const total = perEpoch * opt.epochs;
  const warmup = Math.max(1, Math.round(opt.warmupFrac * total));
  let step = 0;
  let lastLoss = Number.NaN;
  for (let e = 0; e < opt.epochs; e++) {
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    for (let s = 0; s < n; s += opt.batch) {
      const rows = order.slice(s, s + opt.batch);
      let batchTargets = rows.map((r) => targets[r]);
      if (opt.auxCoef > 0) {
        const coef = opt.auxCoef * Math.min(1, step / warmup);
        batchTargets = confidenceTargets(model, x, rows, batchTargets, coef);
      }
      lossSum += model.gradients(x, rows, batchTargets, grads);
      model.adam(grads, opt.learningRate);
      step++;
    }
    lastLoss = lossSum / perEpoch;
  }
  return lastLoss;
}

/**
 * (1 − coef)·weak + coef·hardened strong predictions, hardened so that the share of positives
 * in the batch equals the weak labels' mean (the adaptive threshold of Burns et al.).
 */
export function confidenceTargets(
  model: BinaryMlp,
  x: Float64Array,
  rows: readonly number[],
  weak: readonly number[],
  coef: number,
): number[] {
  if (coef === 0) return [...weak];
  const logits = rows.map((r) => model.logit(x, r * model.inputs));
  const positives = Math.round(weak.reduce((a, b) => a + b, 0));
  const rank = logits.map((_, i) => i).sort((a, b) => logits[b] - logits[a]);
  const hard = new Array<number>(rows.length).fill(0);
  for (let i = 0; i < positives; i++) hard[rank[i]] = 1;
  return weak.map((w, i) => (1 - coef) * w + coef * hard[i]);
}

export function accuracy(model: BinaryMlp, x: Float64Array, y: Uint8Array): number {
  const p = model.predict(x);
  let right = 0;
  for (let r = 0; r < y.length; r++) if ((p[r] > 0.5 ? 1 : 0) === y[r]) right++;
  return right / y.length;
}

/** PGR = (w2s − weak) / (ceiling − weak); NaN when the ceiling does not beat the weak model. */
export function performanceGapRecovered(weak: number, w2s: number, ceiling: number): number {
  const gap = ceiling - weak;
  return gap > 0 ? (w2s - weak) / gap : Number.NaN;
}
