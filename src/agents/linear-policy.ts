/**
 * A linear policy over one-hot observation features, on typed arrays: one feature per
 * (cell, observed value), one per extra observation (its numeric value) and a bias. Each
 * action's score is the sum of its weights over the active features. The policy-gradient
 * agent samples from the softmax of the scores; the search optimizers act on the argmax.
 */
import type { Rng } from '../core/rng.js';
import type { GridObservation } from '../envs/grid/env.js';
import type { Policy } from './policy.js';

/** Observed values are bytes. */
const VALUES = 256;

/** One-hot features of an observation (cell × value, extras, bias) for linear policies. */
export class LinearFeatures {
  readonly cells: number;
  readonly extraKeys: readonly string[];
  /** cells × 256 one-hot features, then the extras, then the bias. */
  readonly count: number;
  /** Active features of an observation: `cells` one-hot indices, then extras and bias. */
  readonly activeCount: number;

  constructor(observation: GridObservation) {
    this.cells = observation.board.length;
    this.extraKeys = Object.keys(observation.extra).sort();
    this.count = this.cells * VALUES + this.extraKeys.length + 1;
    this.activeCount = this.cells + this.extraKeys.length + 1;
  }

  /** Writes the active feature indices into `indices` and their values into `values`. */
  encode(observation: GridObservation, indices: Int32Array, values: Float64Array): void {
    const board = observation.board;
    for (let i = 0; i < this.cells; i++) {
      indices[i] = i * VALUES + board[i];
      values[i] = 1;
    }
    const base = this.cells * VALUES;
    for (let k = 0; k < this.extraKeys.length; k++) {
      const v = observation.extra[this.extraKeys[k]];
      indices[this.cells + k] = base + k;
      values[this.cells + k] = v === null ? 0 : Number(v);
    }
    indices[this.activeCount - 1] = this.count - 1;
    values[this.activeCount - 1] = 1;
  }
}

/** Weights `theta[feature * A + action]` and the scores they give. */
export class LinearPolicy implements Policy {
  readonly theta: Float64Array;
  readonly scores: Float64Array;
  private readonly indices: Int32Array;
  private readonly values: Float64Array;

  constructor(
    readonly features: LinearFeatures,
    readonly numActions: number,
    /** 'softmax' samples an action; 'argmax' takes the best (ties to the lowest action). */
    readonly mode: 'softmax' | 'argmax',
    theta?: Float64Array,
  ) {
    this.theta = theta ?? new Float64Array(features.count * numActions);
    this.scores = new Float64Array(numActions);
    this.indices = new Int32Array(features.activeCount);
    this.values = new Float64Array(features.activeCount);
  }

  /** Encodes the observation and fills `scores`; `activeIndices`/`activeValues` hold its features. */
  score(observation: GridObservation): void {
    this.features.encode(observation, this.indices, this.values);
    const { theta, scores, numActions } = this;
    scores.fill(0);
    for (let f = 0; f < this.indices.length; f++) {
      const base = this.indices[f] * numActions;
      const x = this.values[f];
      if (x === 0) continue;
      for (let a = 0; a < numActions; a++) scores[a] += theta[base + a] * x;
    }
  }

  get activeIndices(): Int32Array {
    return this.indices;
  }

  get activeValues(): Float64Array {
    return this.values;
  }

  /** Turns `scores` into softmax probabilities in place. */
  softmax(): void {
    const { scores } = this;
    let max = scores[0];
    for (let a = 1; a < scores.length; a++) if (scores[a] > max) max = scores[a];
    let sum = 0;
    for (let a = 0; a < scores.length; a++) {
      scores[a] = Math.exp(scores[a] - max);
      sum += scores[a];
    }
    for (let a = 0; a < scores.length; a++) scores[a] /= sum;
  }

  act(observation: GridObservation, rng: Rng): number {
    this.score(observation);
    const { scores } = this;
    if (this.mode === 'argmax') {
      let best = 0;
      for (let a = 1; a < scores.length; a++) if (scores[a] > scores[best]) best = a;
      return best;
    }
    this.softmax();
    let u = rng.next();
    for (let a = 0; a < scores.length - 1; a++) {
      u -= scores[a];
      if (u < 0) return a;
    }
    return scores.length - 1;
  }
}
