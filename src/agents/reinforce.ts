/**
 * REINFORCE with a learned baseline (Williams 1992): a linear softmax policy over one-hot
 * observation features, and a linear state-value baseline on the same features. After each
 * episode, every step's log-probability gradient is scaled by its advantage G_t − V(s_t),
 * divided by a running RMS of advantages, and averaged over the episode's steps: every
 * board cell is an active feature at every step, so unscaled updates would swamp the logits.
 *
 * Optimization power: `episodes`.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { Env } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import { LinearFeatures, LinearPolicy } from './linear-policy.js';
import type { EpisodeHook, Policy, PowerParameter } from './policy.js';

/** REINFORCE's hyperparameters. */
export const reinforceConfig = z.strictObject({
  episodes: z.number().int().min(0).max(1e8).default(2000),
  /** Policy step size (per episode, on normalised advantages), divided by the active features. */
  learningRate: z.number().gt(0).max(100).default(1),
  /** Baseline step size, divided by the number of active features. */
  baselineLearningRate: z.number().gt(0).max(1).default(0.1),
  gamma: z.number().min(0).max(1).default(0.99),
});
/** The parsed `reinforceConfig`. */
export type ReinforceConfig = z.output<typeof reinforceConfig>;
/** REINFORCE's optimization power: training episodes. */
export const reinforcePower: PowerParameter = { param: 'episodes', label: 'training episodes' };

/** REINFORCE with a learned baseline (Williams 1992): a linear softmax policy trained on the specified return. */
export class Reinforce {
  readonly policy: LinearPolicy;
  private readonly baseline: Float64Array;
  private readonly maxSteps: number;
  // One episode's trajectory, preallocated for the longest episode.
  private readonly featureIndices: Int32Array;
  private readonly featureValues: Float64Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float64Array;
  private episodesDone = 0;
  /** Running mean of squared advantages (for the advantage scale). */
  private advantageSquare = 0;

  constructor(
    private readonly env: Env<GridObservation>,
    private readonly config: ReinforceConfig,
    private readonly rng: Rng,
  ) {
    const features = new LinearFeatures(env.reset().observation);
    this.policy = new LinearPolicy(features, env.numActions, 'softmax');
    this.baseline = new Float64Array(features.count);
    this.maxSteps = env.maxSteps;
    this.featureIndices = new Int32Array(this.maxSteps * features.activeCount);
    this.featureValues = new Float64Array(this.maxSteps * features.activeCount);
    this.actions = new Int32Array(this.maxSteps);
    this.rewards = new Float64Array(this.maxSteps);
  }

  get episodes(): number {
    return this.episodesDone;
  }

  train(episodes = this.config.episodes, onEpisode?: EpisodeHook): void {
    for (let e = 0; e < episodes; e++) {
      const length = this.collect();
      let episodeReturn = 0;
      for (let t = 0; t < length; t++) episodeReturn += this.rewards[t];
      this.update(length);
      this.episodesDone++;
      onEpisode?.(this.episodesDone, episodeReturn);
    }
  }

  /** Plays one episode with the softmax policy and records features, actions and rewards. */
  private collect(): number {
    const { env, policy, rng } = this;
    const width = policy.features.activeCount;
    let observation = env.reset().observation;
    let t = 0;
    for (;;) {
      const action = policy.act(observation, rng);
      this.featureIndices.set(policy.activeIndices, t * width);
      this.featureValues.set(policy.activeValues, t * width);
      const step = env.step(action);
      this.actions[t] = step.info.actualAction;
      this.rewards[t] = step.reward;
      t++;
      if (step.terminated || step.truncated || t >= this.maxSteps) return t;
      observation = step.observation;
    }
  }

  private update(length: number): void {
    const { policy, baseline, config } = this;
    const { theta, scores, numActions } = policy;
    const width = policy.features.activeCount;
    const policyStep = config.learningRate / (width * length);
    const baselineStep = config.baselineLearningRate / width;
    let G = 0;
    for (let t = length - 1; t >= 0; t--) {
      G = this.rewards[t] + config.gamma * G;
      const offset = t * width;
      // Recompute π(·|s_t) under the current weights from the stored features.
      scores.fill(0);
      let value = 0;
      for (let f = 0; f < width; f++) {
        const index = this.featureIndices[offset + f];
        const x = this.featureValues[offset + f];
        value += baseline[index] * x;
        for (let a = 0; a < numActions; a++) scores[a] += theta[index * numActions + a] * x;
      }
      policy.softmax();
      const advantage = G - value;
      this.advantageSquare = 0.99 * this.advantageSquare + 0.01 * advantage * advantage;
      const scaled = advantage / (Math.sqrt(this.advantageSquare) + 1e-8);
      const action = this.actions[t];
      for (let f = 0; f < width; f++) {
        const index = this.featureIndices[offset + f];
        const x = this.featureValues[offset + f];
        if (x === 0) continue;
        baseline[index] += baselineStep * advantage * x;
        for (let a = 0; a < numActions; a++) {
          const grad = ((a === action ? 1 : 0) - scores[a]) * x;
          theta[index * numActions + a] += policyStep * scaled * grad;
        }
      }
    }
  }

  /** The learnt stochastic policy. */
  current(): Policy {
    return this.policy;
  }
}
