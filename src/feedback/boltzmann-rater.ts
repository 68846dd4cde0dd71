/**
 * A simulated person: a Bradley–Terry / Boltzmann-rational chooser over a hidden true
 * utility plus explicit biases,
 *
 *   P(a ≻ b) = σ(β · (ũ(a) − ũ(b))),   ũ(x) = u(x) + Σ_k bias_k(x),
 *
 * whose label is then flipped with probability ε (a slip of the hand). β = ∞ is a perfectly
 * rational rater; β = 0 a coin. All randomness comes from the Rng handed in.
 */
import type { Rng } from '../core/rng.js';
import type { Bias } from './biases.js';
import type { Judgement, Rater, TrueUtility } from './rater.js';

export interface BoltzmannRaterOptions<T> {
  trueUtility: TrueUtility<T>;
  /** Rationality β of the Boltzmann choice; Infinity picks the better-perceived output always. */
  beta: number;
  biases?: readonly Bias<T>[];
  /** ε: probability that the final label is flipped (a→b, b→a; ties stay). */
  flipProbability?: number;
  /** Report a tie when the perceived utilities differ by at most this (Christiano et al. let raters say "equal"). */
  tieThreshold?: number;
  rng: Rng;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export class BoltzmannRater<T> implements Rater<T> {
  private readonly biases: readonly Bias<T>[];
  private readonly flipProbability: number;
  private readonly tieThreshold: number;

  constructor(private readonly options: BoltzmannRaterOptions<T>) {
    if (!(options.beta >= 0)) throw new RangeError(`BoltzmannRater: beta must be ≥ 0, got ${options.beta}`);
    this.biases = options.biases ?? [];
    this.flipProbability = options.flipProbability ?? 0;
    if (!(this.flipProbability >= 0 && this.flipProbability <= 1)) {
      throw new RangeError(`BoltzmannRater: flipProbability must be in [0, 1], got ${this.flipProbability}`);
    }
    this.tieThreshold = options.tieThreshold ?? -1;
  }

  /** ũ(x): the true utility as this rater perceives it, biases included. */
  perceivedUtility(context: string, output: T): number {
    let u = this.options.trueUtility(context, output);
    for (const bias of this.biases) u += bias.perceived(context, output);
    return u;
  }

  /** P(a ≻ b) before label flips; the reported label is a with (1 − ε)·P + ε·(1 − P). */
  preferenceProbability(context: string, a: T, b: T): number {
    const delta = this.perceivedUtility(context, a) - this.perceivedUtility(context, b);
    if (this.options.beta === Number.POSITIVE_INFINITY) return delta > 0 ? 1 : delta < 0 ? 0 : 0.5;
    return sigmoid(this.options.beta * delta);
  }

  judge(context: string, a: T, b: T): Judgement {
    const delta = this.perceivedUtility(context, a) - this.perceivedUtility(context, b);
    if (Math.abs(delta) <= this.tieThreshold) return { choice: 'tie', confidence: 1 };
    const pA = this.preferenceProbability(context, a, b);
    const rng = this.options.rng;
    let choice: 'a' | 'b' = rng.bernoulli(pA) ? 'a' : 'b';
    if (this.flipProbability > 0 && rng.bernoulli(this.flipProbability)) choice = choice === 'a' ? 'b' : 'a';
    // The probability of the reported label under the whole noise model, slips included.
    const eps = this.flipProbability;
    const reportA = (1 - eps) * pA + eps * (1 - pA);
    const confidence = choice === 'a' ? reportA : 1 - reportA;
    return { choice, confidence };
  }

  async compare(context: string, a: T, b: T): Promise<Judgement> {
    return this.judge(context, a, b);
  }
}
