/**
 * The pure mathematics of RLHF with PPO, with TRL's definitions (trl/trainer/ppo_trainer.py,
 * the adaptive controller of Ziegler et al. 2019) and names: GAE, the per-token KL penalty,
 * advantage whitening, the clipped surrogate and clipped value losses, the KL controllers,
 * and best-of-n's analytic KL. Per-episode arrays are plain numbers; the two losses that need
 * gradients take tfjs tensors.
 */
import * as tf from '@tensorflow/tfjs';

export interface GaeResult {
  advantages: Float64Array;
  /** returns = advantages + values: the value head's regression target. */
  returns: Float64Array;
}

/**
 * Generalized advantage estimation (Schulman et al. 2016) over one response:
 *   δ_t = r_t + γ V_{t+1} − V_t  (V_T = 0 after the last token),   A_t = δ_t + γλ A_{t+1}.
 * TRL's RLHF defaults are γ = 1, λ = 0.95.
 */
export function gae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  gamma = 1,
  lambda = 0.95,
): GaeResult {
  const n = rewards.length;
  if (values.length !== n) throw new RangeError(`gae: ${n} rewards but ${values.length} values`);
  const advantages = new Float64Array(n);
  const returns = new Float64Array(n);
  let last = 0;
  for (let t = n - 1; t >= 0; t--) {
    const nextValue = t < n - 1 ? values[t + 1] : 0;
    const delta = rewards[t] + gamma * nextValue - values[t];
    last = delta + gamma * lambda * last;
    advantages[t] = last;
    returns[t] = last + values[t];
  }
  return { advantages, returns };
}

export type KlEstimator = 'k1' | 'k3';

/**
 * Per-token KL of the policy from the reference at the sampled tokens (Schulman's estimators):
 *   k1 = log π − log π_ref;   k3 = (r − 1) − log r with r = π_ref/π (non-negative, lower variance).
 */
export function perTokenKl(
  logprobs: ArrayLike<number>,
  refLogprobs: ArrayLike<number>,
  estimator: KlEstimator = 'k1',
): Float64Array {
  const kl = new Float64Array(logprobs.length);
  for (let t = 0; t < kl.length; t++) {
    const diff = logprobs[t] - refLogprobs[t];
    kl[t] = estimator === 'k1' ? diff : Math.exp(-diff) - 1 + diff;
  }
  return kl;
}

/**
 * RLHF's per-token reward: −kl_coef · KL_t at every token, plus the reward model's score on
 * the last token (TRL: non_score_reward, then rewards[last] += score).
 */
export function klPenalizedRewards(
  logprobs: ArrayLike<number>,
  refLogprobs: ArrayLike<number>,
  score: number,
  klCoef: number,
  estimator: KlEstimator = 'k1',
): { rewards: Float64Array; kl: Float64Array; nonScoreReward: Float64Array } {
  const kl = perTokenKl(logprobs, refLogprobs, estimator);
  const nonScoreReward = kl.map((k) => -klCoef * k);
  const rewards = Float64Array.from(nonScoreReward);
  if (rewards.length > 0) rewards[rewards.length - 1] += score;
  return { rewards, kl, nonScoreReward };
}

/** (x − mean) / √(var + 1e-8) with the unbiased variance, as TRL's masked_whiten; shiftMean=false keeps the mean. */
export function whiten(values: ArrayLike<number>, shiftMean = true): Float64Array {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const variance = n > 1 ? ss / (n - 1) : 0;
  const scale = 1 / Math.sqrt(variance + 1e-8);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (values[i] - mean) * scale + (shiftMean ? 0 : mean);
  return out;
}

function maskedMean(x: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  if (!mask) return tf.mean(x);
  return tf.div(tf.sum(tf.mul(x, mask)), tf.sum(mask));
}

export interface PolicyLossResult {
  /** mean max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)) with ρ = exp(log π − log π_old): TRL's pg_loss. */
  loss: tf.Scalar;
  /** Share of tokens where clipping is active: TRL's `policy/clipfrac_avg`. */
  clipfrac: number;
  /** ½·mean((log π − log π_old)²): TRL's `policy/approxkl_avg`. */
  approxkl: number;
}

/** PPO's clipped surrogate (Schulman et al. 2017), TRL's cliprange default 0.2; mask 1 = real token. */
export function clippedSurrogateLoss(
  logprobs: tf.Tensor,
  oldLogprobs: tf.Tensor,
  advantages: tf.Tensor,
  cliprange = 0.2,
  mask?: tf.Tensor,
): PolicyLossResult {
  const stats = tf.tidy(() => {
    const diff = tf.sub(logprobs, oldLogprobs);
    const ratio = tf.exp(diff);
    const unclipped = tf.neg(tf.mul(advantages, ratio));
    const clipped = tf.neg(tf.mul(advantages, tf.clipByValue(ratio, 1 - cliprange, 1 + cliprange)));
    const loss = maskedMean(tf.maximum(unclipped, clipped), mask);
    const clipfrac = maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask);
    const approxkl = tf.mul(0.5, maskedMean(tf.square(diff), mask));
    return { loss, clipfrac, approxkl };
  });
  const clipfrac = stats.clipfrac.arraySync() as number;
  const approxkl = stats.approxkl.arraySync() as number;
  tf.dispose([stats.clipfrac, stats.approxkl]);
  return { loss: stats.loss, clipfrac, approxkl };
}

export interface ValueLossResult {
  /** ½·mean max((V − R)², (clip(V, V_old ± ε_v) − R)²): TRL's vf_loss. */
  loss: tf.Scalar;
  /** Share of tokens where the clipped term is larger: TRL's `val/clipfrac_avg`. */
  clipfrac: number;
}

/** The value head's clipped regression loss, TRL's cliprange_value default 0.2. */
export function clippedValueLoss(
  values: tf.Tensor,
  oldValues: tf.Tensor,
  returns: tf.Tensor,
  cliprangeValue = 0.2,
  mask?: tf.Tensor,
): ValueLossResult {
  const stats = tf.tidy(() => {
    const clippedValues = tf
      .clipByValue(tf.sub(values, oldValues), -cliprangeValue, cliprangeValue)
      .add(oldValues);
    const unclipped = tf.square(tf.sub(values, returns));
    const clipped = tf.square(tf.sub(clippedValues, returns));
    const loss = tf.mul(0.5, maskedMean(tf.maximum(unclipped, clipped), mask));
    const clipfrac = maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask);
    return { loss, clipfrac };
  });
  const clipfrac = stats.clipfrac.arraySync() as number;
  stats.clipfrac.dispose();
  return { loss: stats.loss as tf.Scalar, clipfrac };
}

/** A KL coefficient that may adapt to the measured KL. */
export interface KlController {
  readonly value: number;
  update(currentKl: number, nSteps: number): void;
}

export class FixedKlController implements KlController {
  constructor(readonly value: number) {}
  update(): void {}
}

/**
 * Ziegler et al. 2019's proportional controller: e = clip(KL/target − 1, −0.2, 0.2);
 * β ← β·(1 + e·n/horizon). KL above target raises the penalty, below lowers it.
 */
export class AdaptiveKlController implements KlController {
  private current: number;

  constructor(
    initKlCoef: number,
    readonly target: number,
    readonly horizon: number,
  ) {
    this.current = initKlCoef;
  }

  get value(): number {
    return this.current;
  }

  update(currentKl: number, nSteps: number): void {
    const error = Math.min(0.2, Math.max(-0.2, currentKl / this.target - 1));
    this.current *= 1 + (error * nSteps) / this.horizon;
  }
}

/** KL(best-of-n ‖ base) = log n − (n−1)/n (Stiennon et al. 2020; Gao et al. 2022), in nats. */
export function bestOfNKl(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`bestOfNKl: n must be an integer ≥ 1, got ${n}`);
  return Math.log(n) - (n - 1) / n;
}
