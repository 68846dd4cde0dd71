/** One optimization step and the language-modelling loss. */
import * as tf from '@tensorflow/tfjs';
import { oneHotFloat } from './layers.js';
import { type AdamW, clipGradients } from './optim.js';
import type { Transformer } from './transformer.js';

/**
 * Mean cross-entropy of logits [..., V] against integer targets [...]; with `weights` (same
 * shape as targets, e.g. 0 on prompt tokens) a weighted mean over the weighted positions.
 */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const vocab = logits.shape[logits.shape.length - 1];
    const flatLogits = tf.reshape(logits, [-1, vocab]) as tf.Tensor2D;
    const oneHot = oneHotFloat(tf.reshape(targets, [-1]) as tf.Tensor1D, vocab);
    const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(flatLogits), oneHot), -1));
    if (!weights) return tf.mean(nll);
    const w = tf.reshape(weights, [-1]);
    return tf.div(tf.sum(tf.mul(nll, w)), tf.maximum(tf.sum(w), 1e-12));
  });
}

export interface TrainStepOptions {
  /** Sets the optimizer's learning rate for this step (e.g. from cosineSchedule). */
  learningRate?: number;
  /** Clip the global gradient norm to this value (skipped when absent). */
  maxGradNorm?: number;
}

export interface TrainStepResult {
  loss: number;
  /** Global gradient norm before clipping (NaN when no clipping was asked for). */
  gradNorm: number;
}

/**
 * Computes the loss and its gradients with respect to every weight the optimizer updates,
 * clips, updates, and disposes every intermediate tensor: the live tensor count is the same
 * before and after.
 */
export function trainStep<M = Transformer>(
  model: M,
  optimizer: AdamW,
  lossFn: (model: M) => tf.Scalar,
  options: TrainStepOptions = {},
): TrainStepResult {
  if (options.learningRate !== undefined) optimizer.learningRate = options.learningRate;
  const names = new Map<string, string>();
  for (const [name, v] of optimizer.params) names.set(v.name, name);
  // The optimizer's params are the weights trained: all of the model's, or a chosen subset.
  const { value, grads } = tf.variableGrads(() => lossFn(model), [...optimizer.params.values()]);
  const byName = new Map<string, tf.Tensor>();
  for (const [id, g] of Object.entries(grads)) byName.set(names.get(id) as string, g);
  let gradNorm = Number.NaN;
  let toApply = byName;
  if (options.maxGradNorm !== undefined) {
    const clipped = clipGradients(byName, options.maxGradNorm);
    gradNorm = clipped.norm;
    toApply = clipped.grads;
  }
  optimizer.step(toApply);
  const loss = value.dataSync()[0];
  value.dispose();
  for (const g of new Set([...byName.values(), ...toApply.values()])) g.dispose();
  return { loss, gradNorm };
}
