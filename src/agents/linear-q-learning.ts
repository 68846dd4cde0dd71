/**
 * Q-learning with a linear function of binary features (semi-gradient Q-learning, Sutton &
 * Barto 2018 §10.1): Q(s, a) = Σ_{i active in s} w[a][i]. Unlike a table, what it learns in
 * one observation carries over to every observation sharing its features — the function
 * approximation whose generalization (right or wrong) a distributional-shift test measures.
 *
 * The step size is α / (number of active features), so α keeps its tabular meaning.
 * Optimization power: `episodes`.
 */
import type { Rng } from '../core/rng.js';
import type { LearnerEnv } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import type { EpisodeHook, Policy } from './policy.js';
import { epsilonAt, type TdConfig } from './tabular.js';

/** Binary features of an observation: writes the active feature ids into `out`, returns how many. */
export interface Features {
  /** Number of distinct feature ids. */
  readonly size: number;
  /** Upper bound on the number of active features. */
  readonly maxActive: number;
  active(observation: GridObservation, out: Int32Array): number;
}

export class LinearQLearning {
  /** w[a * size + i]. */
  readonly weights: Float64Array;
  private episodesDone = 0;
  private stepsDone = 0;
  private readonly current: Int32Array;
  private readonly next: Int32Array;

  constructor(
    private readonly env: LearnerEnv<GridObservation>,
    private readonly features: Features,
    private readonly config: TdConfig,
    private readonly rng: Rng,
  ) {
    this.weights = new Float64Array(env.numActions * features.size);
    this.current = new Int32Array(features.maxActive);
    this.next = new Int32Array(features.maxActive);
  }

  get steps(): number {
    return this.stepsDone;
  }

  get episodes(): number {
    return this.episodesDone;
  }

  /** Trains for `episodes` more episodes (the ε schedule runs over `config.episodes`). */
  train(episodes = this.config.episodes, onEpisode?: EpisodeHook): void {
    const { env, features, rng, weights } = this;
    const { alpha, gamma } = this.config;
    const numActions = env.numActions;
    let current = this.current;
    let next = this.next;
    for (let e = 0; e < episodes; e++) {
      const epsilon = epsilonAt(this.config.epsilon, this.episodesDone, this.config.episodes);
      let n = features.active(env.reset().observation, current);
      let episodeReturn = 0;
      for (;;) {
        const action =
          rng.next() < epsilon
            ? rng.int(numActions)
            : greedy(weights, features.size, current, n, numActions, rng);
        const step = env.step(action);
        episodeReturn += step.reward;
        const m = step.terminated ? 0 : features.active(step.observation, next);
        let target = step.reward;
        if (!step.terminated) {
          let best = Number.NEGATIVE_INFINITY;
          for (let a = 0; a < numActions; a++)
            best = Math.max(best, value(weights, features.size, next, m, a));
          target += gamma * best;
        }
        const taken = step.info.actualAction;
        const delta = target - value(weights, features.size, current, n, taken);
        const base = taken * features.size;
        for (let k = 0; k < n; k++) weights[base + current[k]] += (alpha / n) * delta;
        this.stepsDone++;
        if (step.terminated || step.truncated) break;
        [current, next] = [next, current];
        n = m;
      }
      this.episodesDone++;
      onEpisode?.(this.episodesDone, episodeReturn);
    }
  }

  /** The greedy policy on the current weights (ties broken at random). */
  policy(): Policy {
    const weights = Float64Array.from(this.weights);
    const { features } = this;
    const numActions = this.env.numActions;
    const active = new Int32Array(features.maxActive);
    return {
      act(observation, rng) {
        const n = features.active(observation, active);
        return greedy(weights, features.size, active, n, numActions, rng);
      },
    };
  }
}

function value(weights: Float64Array, size: number, active: Int32Array, n: number, action: number): number {
  const base = action * size;
  let q = 0;
  for (let k = 0; k < n; k++) q += weights[base + active[k]];
  return q;
}

function greedy(
  weights: Float64Array,
  size: number,
  active: Int32Array,
  n: number,
  numActions: number,
  rng: Rng,
): number {
  let best = Number.NEGATIVE_INFINITY;
  let action = 0;
  let ties = 0;
  for (let a = 0; a < numActions; a++) {
    const q = value(weights, size, active, n, a);
    if (q > best) {
      best = q;
      action = a;
      ties = 1;
    } else if (q === best && rng.next() * ++ties < 1) action = a;
  }
  return action;
}
