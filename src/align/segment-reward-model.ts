/**
 * A reward model for trajectory segments (Christiano et al. 2017): a small network r̂(x) over
 * the features x of one step (observation and action), a segment's predicted return Σ_t r̂(x_t),
 * and the Bradley–Terry loss on which of two segments the rater preferred. It learns from
 * features and labels only — a segment's truth is stripped (`segmentView`) before it gets here.
 * Outputs are normalized after fitting (zero mean, unit spread over the steps seen), as
 * Christiano et al. normalize r̂ before the agent uses it.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { AdamW } from '../nn/optim.js';
import { bradleyTerryLoss } from './losses.js';

export const SegmentRewardConfigSchema = z.strictObject({
  hidden: z.number().int().min(1).max(1024).default(16),
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

export class SegmentRewardModel {
  private readonly weights: Map<string, tf.Variable>;
  private shift = 0;
  private scale = 1;

  constructor(
    readonly featureSize: number,
    readonly config: z.output<typeof SegmentRewardConfigSchema>,
    rng: Rng,
  ) {
    const h = config.hidden;
    const normal = (shape: number[], std: number) =>
      tf.tidy(() => {
        const values = Float32Array.from({ length: shape[0] * shape[1] }, () => rng.normal(0, std));
        return tf.variable(tf.tensor2d(values, shape as [number, number]));
      });
    this.weights = new Map([
      ['w1', normal([featureSize, h], Math.sqrt(2 / featureSize))],
      ['b1', tf.variable(tf.zeros([h]))],
      ['w2', normal([h, 1], Math.sqrt(1 / h))],
      ['b2', tf.variable(tf.zeros([1]))],
    ]);
  }

  private forward(x: tf.Tensor2D): tf.Tensor1D {
    const w = (n: string) => this.weights.get(n) as tf.Variable;
    return tf.tidy(() =>
      tf.reshape(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w('w1')), w('b1'))), w('w2')), w('b2')), [-1]),
    );
  }

  /** r̂ per step for rows of features ([n × featureSize] row-major), normalized. */
  predict(features: Float32Array): Float32Array {
    const n = features.length / this.featureSize;
    const out = this.forward(tf.tensor2d(features, [n, this.featureSize]));
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values.map((v) => (v - this.shift) / this.scale);
  }

  /** Fits on every comparison so far (Christiano et al. refit as labels arrive). */
  fit(comparisons: readonly FeatureComparison[], rng: Rng): { loss: number; accuracy: number } {
    const { featureSize } = this;
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
          const { value, grads } = tf.variableGrads(
            () => this.batchLoss(batch, featureSize),
            [...this.weights.values()],
          );
          const byName = new Map<string, tf.Tensor>();
          for (const [name, v] of this.weights) byName.set(name, grads[v.name]);
          optimizer.step(byName);
          loss = value.dataSync()[0];
          tf.dispose([value, ...Object.values(grads)]);
        }
      }
    } finally {
      optimizer.dispose();
    }
    this.normalize(comparisons);
    let right = 0;
    for (const c of comparisons) {
      const ra = sum(this.predict(c.a));
      const rb = sum(this.predict(c.b));
      if ((ra > rb ? 'a' : 'b') === c.preferred) right++;
    }
    return { loss, accuracy: right / Math.max(1, comparisons.length) };
  }

  /** Mean −log σ(R̂_preferred − R̂_other) over a batch of comparisons. */
  private batchLoss(batch: readonly FeatureComparison[], featureSize: number): tf.Scalar {
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

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
