/**
 * A reward model for trajectory segments (Christiano et al. 2017): a small network r̂(x) over
 * the features x of one step (observation and action), a segment's predicted return Σ_t r̂(x_t),
 * and the Bradley–Terry loss on which of two segments the rater preferred. It learns from
 * features and labels only — a segment's truth is stripped (`segmentView`) before it gets here.
 * Optionally an ensemble, as in the paper: each member is fitted on a bootstrap resample of the
 * comparisons, each member's r̂ is normalized (zero mean, unit spread over the steps seen), and
 * the model's r̂ is the members' mean.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { AdamW } from '../nn/optim.js';
import { bradleyTerryLoss } from './losses.js';

export const SegmentRewardConfigSchema = z.strictObject({
  hidden: z.number().int().min(1).max(1024).default(16),
  /** Ensemble size; each member > 1 fits a bootstrap resample (Christiano et al.'s ensemble). */
  members: z.number().int().min(1).max(16).default(1),
  epochs: z.number().int().min(1).max(10_000).default(60),
  batchSize: z.number().int().min(1).default(32),
  learningRate: z.number().positive().default(1e-2),
  weightDecay: z.number().min(0).default(1e-4),
});
export type SegmentRewardConfig = z.input<typeof SegmentRewardConfigSchema>;

/** One comparison: each segment as its steps' feature rows, and which one the rater chose. */
export interface FeatureComparison {
  /** [steps × featureSize] row-major. */
  a: Float32Array;
  b: Float32Array;
  /** 'a' or 'b': the rater's label. */
  preferred: 'a' | 'b';
}

/**
 * Gradients below this are set to 0 before AdamW: a gradient of ~1e-19 (a saturated pair on a
 * fresh optimizer) makes the second moment a float32 denormal, on which the native AdamW
 * kernel's fast-math square root returns NaN. Far below any gradient that moves a weight.
 */
const GRADIENT_FLOOR = 1e-12;

/** One member: a one-hidden-layer MLP r̂(x) with its own output normalization. */
class RewardNet {
  private readonly weights: Map<string, tf.Variable>;
  private shift = 0;
  private scale = 1;

  constructor(
    private readonly featureSize: number,
    private readonly config: z.output<typeof SegmentRewardConfigSchema>,
    rng: Rng,
  ) {
    const h = config.hidden;
    const normal = (rows: number, cols: number, std: number) =>
      tf.variable(
        tf.tensor2d(
          Float32Array.from({ length: rows * cols }, () => rng.normal(0, std)),
          [rows, cols],
        ),
      );
    this.weights = new Map([
      ['w1', normal(featureSize, h, Math.sqrt(2 / featureSize))],
      ['b1', tf.variable(tf.zeros([h]))],
      ['w2', normal(h, 1, Math.sqrt(1 / h))],
      ['b2', tf.variable(tf.zeros([1]))],
    ]);
  }

  private forward(x: tf.Tensor2D): tf.Tensor1D {
    const w = (n: string) => this.weights.get(n) as tf.Variable;
    return tf.tidy(() =>
      tf.reshape(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w('w1')), w('b1'))), w('w2')), w('b2')), [-1]),
    );
  }

  predict(features: Float32Array): Float32Array {
    const n = features.length / this.featureSize;
    const values = tf.tidy(() => this.forward(tf.tensor2d(features, [n, this.featureSize])).dataSync());
    return Float32Array.from(values, (v) => (v - this.shift) / this.scale);
  }

  fit(comparisons: readonly FeatureComparison[], rng: Rng): number {
    const optimizer = new AdamW(this.weights, {
      learningRate: this.config.learningRate,
      weightDecay: this.config.weightDecay,
    });
    let loss = Number.NaN;
    try {
      for (let epoch = 0; epoch < this.config.epochs; epoch++) {
        const order = rng.shuffle(comparisons.map((_, i) => i));
        for (let start = 0; start < order.length; start += this.config.batchSize) {
          const batch = order.slice(start, start + this.config.batchSize).map((i) => comparisons[i]);
          const { value, grads } = tf.variableGrads(() => this.batchLoss(batch), [...this.weights.values()]);
          const byName = new Map<string, tf.Tensor>();
          for (const [name, v] of this.weights) {
            const g = grads[v.name];
            byName.set(
              name,
              tf.tidy(() => tf.where(tf.less(tf.abs(g), GRADIENT_FLOOR), tf.zerosLike(g), g)),
            );
          }
          optimizer.step(byName);
          loss = value.dataSync()[0];
          tf.dispose([value, ...Object.values(grads), ...byName.values()]);
        }
      }
    } finally {
      optimizer.dispose();
    }
    this.normalize(comparisons);
    return loss;
  }

  /** Mean −log σ(R̂_preferred − R̂_other) over a batch of comparisons. */
  private batchLoss(batch: readonly FeatureComparison[]): tf.Scalar {
    const { featureSize } = this;
    return tf.tidy(() => {
      const returns = (segments: Float32Array[]): tf.Tensor1D => {
        const steps = segments[0].length / featureSize;
        if (segments.every((s) => s.length === steps * featureSize)) {
          // Equal lengths (the usual case): one matrix product for the whole batch.
          const rows = new Float32Array(segments.length * steps * featureSize);
          segments.forEach((s, i) => {
            rows.set(s, i * steps * featureSize);
          });
          const perStep = this.forward(tf.tensor2d(rows, [segments.length * steps, featureSize]));
          return tf.sum(tf.reshape(perStep, [segments.length, steps]), 1) as tf.Tensor1D;
        }
        return tf.stack(
          segments.map((s) => tf.sum(this.forward(tf.tensor2d(s, [s.length / featureSize, featureSize])))),
        ) as tf.Tensor1D;
      };
      const chosen = returns(batch.map((c) => (c.preferred === 'a' ? c.a : c.b)));
      const rejected = returns(batch.map((c) => (c.preferred === 'a' ? c.b : c.a)));
      return bradleyTerryLoss(chosen, rejected);
    });
  }

  private normalize(comparisons: readonly FeatureComparison[]): void {
    this.shift = 0;
    this.scale = 1;
    const all = comparisons.flatMap((c) => [...this.predict(c.a), ...this.predict(c.b)]);
    if (all.length === 0) return;
    const mean = all.reduce((s, x) => s + x, 0) / all.length;
    const sd = Math.sqrt(all.reduce((s, x) => s + (x - mean) ** 2, 0) / all.length);
    this.shift = mean;
    this.scale = sd > 1e-8 ? sd : 1;
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
  }
}

export class SegmentRewardModel {
  readonly config: z.output<typeof SegmentRewardConfigSchema>;
  private readonly members: RewardNet[];

  constructor(
    readonly featureSize: number,
    config: SegmentRewardConfig,
    rng: Rng,
  ) {
    this.config = SegmentRewardConfigSchema.parse(config);
    this.members = Array.from(
      { length: this.config.members },
      (_, k) => new RewardNet(featureSize, this.config, rng.derive(`member-${k}`)),
    );
  }

  /** r̂ per step for rows of features ([n × featureSize] row-major): the members' mean. */
  predict(features: Float32Array): Float32Array {
    const out = new Float32Array(features.length / this.featureSize);
    for (const member of this.members) {
      const values = member.predict(features);
      for (let i = 0; i < out.length; i++) out[i] += values[i] / this.members.length;
    }
    return out;
  }

  /**
   * Refits every member on the comparisons so far (Christiano et al. refit as labels arrive);
   * returns the last batch loss (members' mean) and the accuracy on those comparisons.
   */
  fit(comparisons: readonly FeatureComparison[], rng: Rng): { loss: number; accuracy: number } {
    if (comparisons.length === 0) return { loss: Number.NaN, accuracy: Number.NaN };
    let loss = 0;
    this.members.forEach((member, k) => {
      const memberRng = rng.derive(`member-${k}`);
      const data =
        this.members.length === 1
          ? comparisons
          : comparisons.map(() => comparisons[memberRng.int(comparisons.length)]);
      loss += member.fit(data, memberRng) / this.members.length;
    });
    return { loss, accuracy: this.accuracy(comparisons) };
  }

  /** Share of comparisons whose preferred segment has the larger predicted return (held-out pairs too). */
  accuracy(comparisons: readonly FeatureComparison[]): number {
    if (comparisons.length === 0) return Number.NaN;
    let right = 0;
    for (const c of comparisons) {
      const ra = sum(this.predict(c.a));
      const rb = sum(this.predict(c.b));
      if ((ra > rb ? 'a' : 'b') === c.preferred) right++;
    }
    return right / comparisons.length;
  }

  dispose(): void {
    for (const member of this.members) member.dispose();
  }
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
