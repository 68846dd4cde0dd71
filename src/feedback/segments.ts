/**
 * Trajectory segments for learning from preferences (Christiano et al. 2017): a short piece
 * of an episode that a rater compares with another by its hidden per-step truth (the world's
 * hidden reward or intended performance). Generic over observations, so it needs no
 * gridworld code. The truth lives in its own field; `segmentView` strips it before a
 * segment goes anywhere near a reward model or an agent.
 */
import type { Rng } from '../core/rng.js';
import type { Bias } from './biases.js';
import { BoltzmannRater } from './boltzmann-rater.js';

export interface SegmentView<Obs> {
  observations: readonly Obs[];
  actions: readonly number[];
}

export interface Segment<Obs> extends SegmentView<Obs> {
  /** Evaluator-only: the hidden true value of each step. */
  truth: { stepValues: readonly number[] };
}

/** The segment without its truth: all a learner may see. */
export function segmentView<Obs>(segment: Segment<Obs>): SegmentView<Obs> {
  return { observations: segment.observations, actions: segment.actions };
}

/** Σ_t of the hidden per-step values: the utility a segment rater judges. */
export function segmentTrueReturn(segment: Segment<unknown>): number {
  let total = 0;
  for (const v of segment.truth.stepValues) total += v;
  return total;
}

export interface SegmentRaterOptions<Obs> {
  beta: number;
  flipProbability?: number;
  tieThreshold?: number;
  biases?: readonly Bias<Segment<Obs>>[];
  rng: Rng;
}

/**
 * A rater of segments: Boltzmann over the sum of hidden per-step values. Christiano et al.
 * model their humans with a 10% chance of a uniformly random answer, i.e. flipProbability 0.05.
 */
export function segmentRater<Obs>(options: SegmentRaterOptions<Obs>): BoltzmannRater<Segment<Obs>> {
  return new BoltzmannRater<Segment<Obs>>({ ...options, trueUtility: (_context, s) => segmentTrueReturn(s) });
}
