/**
 * Monte Carlo estimators of KL(π ‖ π_ref) from samples x ~ π (Schulman 2020, "Approximating KL
 * divergence"). With r = log π_ref(x) − log π(x):
 *   k1 = −r            unbiased, high variance, can be negative;
 *   k2 = r² / 2        biased, low variance, never negative;
 *   k3 = (eʳ − 1) − r  unbiased and never negative (TRL's `kl_estimator: k3`).
 * Each takes per-sample log-probabilities (sequence or token level) and returns the mean.
 */

export type KlEstimator = 'k1' | 'k2' | 'k3';

export function klEstimate(
  logpPolicy: ArrayLike<number>,
  logpReference: ArrayLike<number>,
  estimator: KlEstimator = 'k1',
): number {
  if (logpPolicy.length !== logpReference.length) {
    throw new RangeError(`klEstimate: ${logpPolicy.length} policy log-probs against ${logpReference.length}`);
  }
  const n = logpPolicy.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = logpReference[i] - logpPolicy[i];
    sum += estimator === 'k1' ? -r : estimator === 'k2' ? (r * r) / 2 : Math.expm1(r) - r;
  }
  return sum / n;
}

/** Exact KL(p ‖ q) between two discrete distributions (natural log); Infinity where q = 0 < p. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`klDivergence: ${p.length} against ${q.length} outcomes`);
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    if (q[i] === 0) return Number.POSITIVE_INFINITY;
    kl += p[i] * Math.log(p[i] / q[i]);
  }
  return kl;
}
