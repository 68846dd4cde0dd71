/**
 * Preference losses as pure functions of tfjs tensors, with TRL's definitions
 * (trl/trainer/reward_trainer.py, trl/trainer/dpo_trainer.py) and metric names.
 * Inputs are per-example 1-D tensors of the same length; losses are means over the batch.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * log σ(x) = −softplus(−x). tf.logSigmoid's custom gradient keeps its input outside the
 * engine's saved tensors, so inside tf.tidy under tf.grad the backward pass reads a disposed
 * tensor; softplus is a plain kernel whose saved inputs survive.
 */
function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

export interface RewardLossOptions {
  /** Per-pair margin m: the loss is −log σ(r_c − r_r − m) (Llama 2's margin loss; TRL's "margin" column). */
  margin?: tf.Tensor1D;
  /** TRL's center_rewards_coefficient: adds c · mean((r_c + r_r)²) so rewards stay centred on 0 (Eisenstein et al. 2023). */
  centerRewardsCoefficient?: number;
}

/** Bradley–Terry reward-model loss: mean −log σ(r_c − r_r − margin) [+ c·mean((r_c + r_r)²)]. */
export function bradleyTerryLoss(
  rewardsChosen: tf.Tensor1D,
  rewardsRejected: tf.Tensor1D,
  options: RewardLossOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    let diff = tf.sub(rewardsChosen, rewardsRejected);
    if (options.margin) diff = tf.sub(diff, options.margin);
    let loss: tf.Scalar = tf.neg(tf.mean(logSigmoid(diff)));
    const c = options.centerRewardsCoefficient;
    if (c !== undefined && c !== 0) {
      loss = tf.add(loss, tf.mul(c, tf.mean(tf.square(tf.add(rewardsChosen, rewardsRejected)))));
    }
    return loss;
  });
}

/** Reward-model accuracy: share of pairs with r_c > r_r (TRL's `accuracy`). */
export function rewardAccuracy(rewardsChosen: tf.Tensor1D, rewardsRejected: tf.Tensor1D): number {
  return tf.tidy(
    () => tf.mean(tf.cast(tf.greater(rewardsChosen, rewardsRejected), 'float32')).arraySync() as number,
  );
}

/** Summed log-probabilities of each completion under the policy and under the frozen reference. */
export interface PreferenceLogps {
  policyChosen: tf.Tensor1D;
  policyRejected: tf.Tensor1D;
  referenceChosen: tf.Tensor1D;
  referenceRejected: tf.Tensor1D;
}

export type DpoLossType = 'sigmoid' | 'ipo' | 'robust';
export const dpoLossTypes: readonly DpoLossType[] = ['sigmoid', 'ipo', 'robust'];

export interface DpoLossConfig {
  /** β: the DPO temperature (TRL default 0.1); for IPO, τ. */
  beta: number;
  lossType?: DpoLossType;
  /** ε for conservative DPO (sigmoid) and robust DPO: the assumed share of flipped labels. */
  labelSmoothing?: number;
}

/** h = (log π(y_c) − log π(y_r)) − (log π_ref(y_c) − log π_ref(y_r)): TRL's `logits`. */
export function dpoLogits(logps: PreferenceLogps): tf.Tensor1D {
  return tf.tidy(() =>
    tf.sub(
      tf.sub(logps.policyChosen, logps.policyRejected),
      tf.sub(logps.referenceChosen, logps.referenceRejected),
    ),
  );
}

/**
 * Per-pair DPO losses with h the logits above:
 *   sigmoid: −(1−ε) log σ(βh) − ε log σ(−βh)                    (Rafailov et al. 2023; cDPO when ε > 0)
 *   robust:  (−(1−ε) log σ(βh) + ε log σ(−βh)) / (1 − 2ε)       (Chowdhury et al. 2024)
 *   ipo:     (h − 1/(2β))²                                       (Azar et al. 2023, eq. 17)
 * TRL's IPO feeds it per-token *average* log-probabilities; pass those in for IPO.
 */
export function dpoLosses(logps: PreferenceLogps, config: DpoLossConfig): tf.Tensor1D {
  const { beta } = config;
  const type = config.lossType ?? 'sigmoid';
  const eps = config.labelSmoothing ?? 0;
  if (!(beta > 0)) throw new RangeError(`DPO beta must be > 0, got ${beta}`);
  if (!(eps >= 0 && eps < 0.5)) throw new RangeError(`DPO labelSmoothing must be in [0, 0.5), got ${eps}`);
  return tf.tidy(() => {
    const h = dpoLogits(logps);
    if (type === 'ipo') return tf.square(tf.sub(h, 1 / (2 * beta)));
    const agree = logSigmoid(tf.mul(beta, h));
    const disagree = logSigmoid(tf.mul(-beta, h));
    if (type === 'sigmoid') return tf.sub(tf.mul(-(1 - eps), agree), tf.mul(eps, disagree));
    return tf.div(tf.add(tf.mul(-(1 - eps), agree), tf.mul(eps, disagree)), 1 - 2 * eps);
  });
}

export function dpoLoss(logps: PreferenceLogps, config: DpoLossConfig): tf.Scalar {
  return tf.tidy(() => tf.mean(dpoLosses(logps, config)));
}

/** DPO's implicit rewards β·(log π − log π_ref) for chosen and rejected completions. */
export function dpoRewards(
  logps: PreferenceLogps,
  beta: number,
): { chosen: tf.Tensor1D; rejected: tf.Tensor1D } {
  return tf.tidy(() => ({
    chosen: tf.mul(beta, tf.sub(logps.policyChosen, logps.referenceChosen)),
    rejected: tf.mul(beta, tf.sub(logps.policyRejected, logps.referenceRejected)),
  }));
}

export const dpoMetricNames = [
  'rewards/chosen',
  'rewards/rejected',
  'rewards/accuracies',
  'rewards/margins',
  'logps/chosen',
  'logps/rejected',
] as const;

export type DpoMetrics = Record<(typeof dpoMetricNames)[number], number>;

/** TRL's DPO metrics for a batch, as batch means (reads tensor data: call outside the gradient path). */
export function dpoMetrics(logps: PreferenceLogps, beta: number): DpoMetrics {
  return tf.tidy(() => {
    const r = dpoRewards(logps, beta);
    const mean = (t: tf.Tensor) => tf.mean(t).arraySync() as number;
    return {
      'rewards/chosen': mean(r.chosen),
      'rewards/rejected': mean(r.rejected),
      'rewards/accuracies': mean(tf.cast(tf.greater(r.chosen, r.rejected), 'float32')),
      'rewards/margins': mean(tf.sub(r.chosen, r.rejected)),
      'logps/chosen': mean(logps.policyChosen),
      'logps/rejected': mean(logps.policyRejected),
    };
  });
}
