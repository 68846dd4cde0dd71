/**
 * The off-switch game (Hadfield-Menell, Dragan, Abbeel & Russell 2017, "The Off-Switch Game").
 *
 * A robot R may act now (payoff U), switch itself off (payoff 0), or wait: propose the action
 * to a human H who knows U and lets it go ahead with probability π_H(U), else presses the
 * off switch. R does not know U; its belief is a distribution over U. Its incentive to defer
 * is the value of waiting minus the best value of not waiting:
 *
 *   Δ = E[π_H(U)·U] − max(E[U], 0)
 *
 * For a rational human π_H(U) = 1[U > 0], so E[π_H(U)·U] = E[max(U, 0)] ≥ max(E[U], 0) and
 * Δ ≥ 0 (Theorem 1), with equality only when the belief is sure of U's sign (σ → 0). For a
 * Boltzmann-noisy human π_H(U) = sigmoid(βU), Δ can be negative: a human who errs often
 * makes deferring harmful. Everything here is pure numbers: no I/O, randomness through `Rng`.
 */
import type { Rng } from '../../core/rng.js';

/** The robot's belief about U. */
export type OffSwitchBelief =
  | { kind: 'gaussian'; mu: number; sigma: number }
  | { kind: 'mixture'; components: readonly { weight: number; mu: number; sigma: number }[] }
  | { kind: 'samples'; values: readonly number[] };

/** The human's policy: rational (β = ∞) or Boltzmann with rationality β ≥ 0. */
export interface HumanModel {
  beta: number;
}

export const RATIONAL_HUMAN: HumanModel = { beta: Number.POSITIVE_INFINITY };

export interface OffSwitchValue {
  /** Δ = valueWait − max(valueAct, valueOff). */
  delta: number;
  /** E[π_H(U)·U]: propose the action and let the human decide. */
  valueWait: number;
  /** E[U]: act without asking. */
  valueAct: number;
  /** 0: switch itself off. */
  valueOff: number;
  /** E[π_H(U)]: how often the human lets the robot act. */
  pAllowed: number;
  /** The robot's best move (ties go to waiting). */
  action: 'wait' | 'act' | 'off';
  /** How the expectation was computed. */
  method: 'exact' | 'quadrature' | 'monte-carlo';
}

const SQRT2PI = Math.sqrt(2 * Math.PI);

/** Standard normal density φ. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT2PI;
}

/**
 * Standard normal distribution function Φ, through the complementary error function of
 * Press et al. (Numerical Recipes' `erfcc`, a Chebyshev fit with fractional error < 1.2e-7):
 * far inside the 1e-4 the reference values are pinned to.
 */
export function normalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const erfcX = x >= 0 ? erfc : 2 - erfc;
  return 0.5 * erfcX;
}

/** π_H(U): the probability that the human lets the robot act. */
export function allowProbability(u: number, human: HumanModel): number {
  if (human.beta === Number.POSITIVE_INFINITY) return u > 0 ? 1 : 0;
  const z = human.beta * u;
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function decide(
  valueWait: number,
  valueAct: number,
  pAllowed: number,
  method: OffSwitchValue['method'],
): OffSwitchValue {
  const best = Math.max(valueAct, 0);
  const delta = valueWait - best;
  // Ties (Δ = 0 to rounding) go to waiting: deferring costs nothing then.
  const action = delta >= -1e-12 ? 'wait' : valueAct > 0 ? 'act' : 'off';
  return { delta, valueWait, valueAct, valueOff: 0, pAllowed, action, method };
}

/** E[max(U, 0)] for U ~ N(μ, σ²): μΦ(μ/σ) + σφ(μ/σ). */
export function gaussianPositivePart(mu: number, sigma: number): number {
  if (sigma === 0) return Math.max(mu, 0);
  return mu * normalCdf(mu / sigma) + sigma * normalPdf(mu / sigma);
}

/**
 * E[f(U)] for U ~ N(μ, σ²) by composite Simpson's rule on μ ± 12σ (2·`half` intervals).
 * The integrands here are smooth except for a kink of sigmoid(βU)·U at large β, where the
 * panel width σ/`half`·12 keeps the error far below 1e-6 for the default 4000 panels.
 */
function gaussianExpectation(mu: number, sigma: number, f: (u: number) => number, half = 2000): number {
  if (sigma === 0) return f(mu);
  const a = mu - 12 * sigma;
  const n = 2 * half;
  const h = (24 * sigma) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const u = a + i * h;
    const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    sum += w * normalPdf((u - mu) / sigma) * f(u);
  }
  return (sum * h) / (3 * sigma);
}

/** The off-switch values for a belief and a human; exact where a closed form exists. */
export function offSwitchValue(belief: OffSwitchBelief, human: HumanModel = RATIONAL_HUMAN): OffSwitchValue {
  const rational = human.beta === Number.POSITIVE_INFINITY;
  if (belief.kind === 'samples') {
    const n = belief.values.length;
    let wait = 0;
    let act = 0;
    let allowed = 0;
    for (const u of belief.values) {
      const p = allowProbability(u, human);
      wait += p * u;
      act += u;
      allowed += p;
    }
    return decide(wait / n, act / n, allowed / n, 'monte-carlo');
  }
  const components =
    belief.kind === 'gaussian' ? [{ weight: 1, mu: belief.mu, sigma: belief.sigma }] : belief.components;
  const total = components.reduce((s, c) => s + c.weight, 0);
  let wait = 0;
  let act = 0;
  let allowed = 0;
  for (const c of components) {
    const w = c.weight / total;
    act += w * c.mu;
    if (rational) {
      wait += w * gaussianPositivePart(c.mu, c.sigma);
      allowed += w * (c.sigma === 0 ? (c.mu > 0 ? 1 : 0) : normalCdf(c.mu / c.sigma));
    } else {
      wait += w * gaussianExpectation(c.mu, c.sigma, (u) => allowProbability(u, human) * u);
      allowed += w * gaussianExpectation(c.mu, c.sigma, (u) => allowProbability(u, human));
    }
  }
  return decide(wait, act, allowed, rational ? 'exact' : 'quadrature');
}

/** `n` draws of U from a Gaussian belief, seeded: the Monte Carlo estimate's input. */
export function sampleGaussianBelief(rng: Rng, mu: number, sigma: number, n: number): number[] {
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = rng.normal(mu, sigma);
  return values;
}

/** Parses a mixture "w:μ:σ,w:μ:σ,..." (weights need not sum to 1). */
export function parseMixture(text: string): { weight: number; mu: number; sigma: number }[] | string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return 'no components (write w:mu:sigma,w:mu:sigma)';
  const out: { weight: number; mu: number; sigma: number }[] = [];
  for (const [i, part] of parts.entries()) {
    const fields = part.split(':').map((f) => (f.trim() === '' ? Number.NaN : Number(f)));
    if (fields.length !== 3 || fields.some((f) => !Number.isFinite(f))) {
      return `component ${i + 1} '${part}' is not w:mu:sigma (three numbers)`;
    }
    const [weight, mu, sigma] = fields;
    if (weight <= 0) return `component ${i + 1} has weight ${weight}; weights must be > 0`;
    if (sigma < 0) return `component ${i + 1} has sigma ${sigma}; sigma must be >= 0`;
    out.push({ weight, mu, sigma });
  }
  return out;
}
