/**
 * PPO (Schulman et al. 2017: clipped surrogate, GAE(λ), several epochs of minibatches per
 * rollout, advantage normalisation per minibatch, an entropy bonus) for gridworlds, with two
 * small MLPs (actor and critic, two tanh layers each) on an egocentric crop of the board: one
 * binary input per (cell of the crop, channel), a channel per listed board value (e.g. walls,
 * coin, end), cells off the board read as `outsideValue`. The agent is always the crop's centre.
 *
 * Hand-written on typed arrays, not on src/nn, because tfjs's per-op overhead dwarfs nets this
 * small. Measured on this machine (2 cores shared with other jobs, so wall times are inflated
 * alike): through tfjs (native backend, 1 BLAS thread) one forward of a
 * [1,189]×[189,32]→relu→[32,5] MLP took ≈ 190 µs (87 µs at batch 16) and one Adam step on a
 * batch of 64 ≈ 1.8 ms; here one action of the 32-unit actor (crop encoding included) took
 * ≈ 19 µs. A quick run's 12k steps, each acted on once and back-propagated 4 times, would cost
 * tens of seconds in tfjs; here a run of 12k steps costs ≈ 0.45 s of CPU (16 units).
 * `test/agents/grid-ppo.test.ts` checks the MLP's backward pass against finite differences.
 *
 * Optimization power: `steps` (environment steps).
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { LearnerEnv } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import type { Policy } from './policy.js';

export const gridPpoConfig = z.strictObject({
  /** Environment steps of training (the optimization power). */
  steps: z.number().int().min(0).max(1e8).default(30_000),
  /** Steps collected per update. */
  rolloutSteps: z.number().int().min(8).max(1e6).default(512),
  epochs: z.number().int().min(1).max(100).default(4),
  minibatch: z.number().int().min(1).max(1e6).default(128),
  /** Adam step size (both networks). */
  learningRate: z.number().gt(0).max(1).default(0.003),
  gamma: z.number().min(0).max(1).default(0.95),
  gae_lambda: z.number().min(0).max(1).default(0.9),
  clip_coef: z.number().gt(0).max(1).default(0.2),
  ent_coef: z.number().min(0).max(1).default(0.01),
  /**
   * Advantages are divided by max(their minibatch std, this floor), in reward units: a rollout
   * with no reward in it has advantages that are only critic noise, and scaling that noise up
   * to unit size would push the policy around at random until it collapses before it ever
   * finds the reward (one seed in four did, at floor 0).
   */
  advantage_floor: z.number().min(0).max(1e6).default(1),
  /** Units in each hidden layer. */
  hidden: z.number().int().min(1).max(1024).default(16),
  /** Crop half-sizes: the agent sees (2·rows+1) × (2·cols+1) cells around itself. */
  viewRows: z.number().int().min(0).max(20).default(2),
  viewCols: z.number().int().min(0).max(20).default(3),
  /** Board values with a channel each; any other value (floor) shows as no input. */
  channels: z.array(z.number().int().min(0).max(255)).min(1).default([0, 3, 4]),
  /** The board value of the agent's own cell (the crop's centre). */
  agentValue: z.number().int().min(0).max(255).default(2),
  /** What cells off the board look like (a wall, by default value 0). */
  outsideValue: z.number().int().min(0).max(255).default(0),
});
export type GridPpoConfig = z.output<typeof gridPpoConfig>;

/** Binary features of an egocentric crop, as the indices of the active ones. */
export class EgocentricCrop {
  readonly inputs: number;
  /** At most one active channel per crop cell. */
  readonly maxActive: number;
  private readonly channelOf = new Int16Array(256).fill(-1);
  private readonly height: number;
  private readonly width: number;

  constructor(private readonly config: GridPpoConfig) {
    this.height = 2 * config.viewRows + 1;
    this.width = 2 * config.viewCols + 1;
    config.channels.forEach((value, k) => {
      this.channelOf[value] = k;
    });
    this.maxActive = this.height * this.width;
    this.inputs = this.maxActive * config.channels.length;
  }

  /** Writes the active inputs of `observation` at `out[offset..]` and returns how many. */
  encode(observation: GridObservation, out: Int32Array, offset: number): number {
    const { board, rows, cols } = observation;
    const { viewRows, viewCols, agentValue, outsideValue } = this.config;
    const agent = board.indexOf(agentValue);
    if (agent < 0) throw new Error(`EgocentricCrop: no cell shows the agent value ${agentValue}`);
    const ar = Math.floor(agent / cols);
    const ac = agent % cols;
    const channels = this.config.channels.length;
    let n = 0;
    let cell = 0;
    for (let dr = -viewRows; dr <= viewRows; dr++) {
      const r = ar + dr;
      for (let dc = -viewCols; dc <= viewCols; dc++, cell++) {
        const c = ac + dc;
        const inside = r >= 0 && r < rows && c >= 0 && c < cols;
        const value = inside ? board[r * cols + c] : outsideValue;
        const k = this.channelOf[value];
        if (k >= 0) out[offset + n++] = cell * channels + k;
      }
    }
    return n;
  }
}

/**
 * inputs → tanh(hidden) → tanh(hidden) → outputs, with a sparse binary input layer. One
 * sample at a time: `forward` keeps its activations for the `backward` that follows it.
 */
export class Mlp {
  readonly params: Float64Array;
  readonly grads: Float64Array;
  readonly out: Float64Array;
  private readonly h1: Float64Array;
  private readonly h2: Float64Array;
  private readonly d1: Float64Array;
  private readonly d2: Float64Array;
  // Offsets of W0 [inputs × h], b0, W1 [h × h], b1, W2 [h × outputs], b2 in `params`.
  private readonly oB0: number;
  private readonly oW1: number;
  private readonly oB1: number;
  private readonly oW2: number;
  private readonly oB2: number;

  constructor(
    readonly inputs: number,
    readonly hidden: number,
    readonly outputs: number,
    rng: Rng,
    /** Scale of the output layer's initial weights (small for a near-uniform first policy). */
    outputScale: number,
    typicalActive: number,
  ) {
    const h = hidden;
    this.oB0 = inputs * h;
    this.oW1 = this.oB0 + h;
    this.oB1 = this.oW1 + h * h;
    this.oW2 = this.oB1 + h;
    this.oB2 = this.oW2 + h * outputs;
    this.params = new Float64Array(this.oB2 + outputs);
    this.grads = new Float64Array(this.params.length);
    const p = this.params;
    // Variance-preserving normal init: fan-in is the number of active inputs, not all inputs.
    for (let i = 0; i < this.oB0; i++) p[i] = rng.normal(0, 1 / Math.sqrt(typicalActive));
    for (let i = this.oW1; i < this.oB1; i++) p[i] = rng.normal(0, 1 / Math.sqrt(h));
    for (let i = this.oW2; i < this.oB2; i++) p[i] = rng.normal(0, outputScale / Math.sqrt(h));
    this.out = new Float64Array(outputs);
    this.h1 = new Float64Array(h);
    this.h2 = new Float64Array(h);
    this.d1 = new Float64Array(h);
    this.d2 = new Float64Array(h);
  }

  forward(active: Int32Array, offset: number, count: number): Float64Array {
    const { params: p, hidden: h, outputs, h1, h2, out } = this;
    for (let j = 0; j < h; j++) h1[j] = p[this.oB0 + j];
    for (let n = 0; n < count; n++) {
      const row = active[offset + n] * h;
      for (let j = 0; j < h; j++) h1[j] += p[row + j];
    }
    for (let j = 0; j < h; j++) h1[j] = Math.tanh(h1[j]);
    for (let j = 0; j < h; j++) h2[j] = p[this.oB1 + j];
    for (let i = 0; i < h; i++) {
      const x = h1[i];
      const row = this.oW1 + i * h;
      for (let j = 0; j < h; j++) h2[j] += x * p[row + j];
    }
    for (let j = 0; j < h; j++) h2[j] = Math.tanh(h2[j]);
    for (let k = 0; k < outputs; k++) out[k] = p[this.oB2 + k];
    for (let i = 0; i < h; i++) {
      const x = h2[i];
      const row = this.oW2 + i * outputs;
      for (let k = 0; k < outputs; k++) out[k] += x * p[row + k];
    }
    return out;
  }

  /** Adds dLoss/dparams for the last `forward` (same inputs), given dLoss/dout. */
  backward(active: Int32Array, offset: number, count: number, dOut: ArrayLike<number>): void {
    const { grads: g, params: p, hidden: h, outputs, h1, h2, d1, d2 } = this;
    for (let k = 0; k < outputs; k++) g[this.oB2 + k] += dOut[k];
    for (let i = 0; i < h; i++) {
      const row = this.oW2 + i * outputs;
      let sum = 0;
      for (let k = 0; k < outputs; k++) {
        g[row + k] += h2[i] * dOut[k];
        sum += p[row + k] * dOut[k];
      }
      d2[i] = sum * (1 - h2[i] * h2[i]);
    }
    for (let j = 0; j < h; j++) g[this.oB1 + j] += d2[j];
    for (let i = 0; i < h; i++) {
      const row = this.oW1 + i * h;
      let sum = 0;
      for (let j = 0; j < h; j++) {
        g[row + j] += h1[i] * d2[j];
        sum += p[row + j] * d2[j];
      }
      d1[i] = sum * (1 - h1[i] * h1[i]);
    }
    for (let j = 0; j < h; j++) g[this.oB0 + j] += d1[j];
    for (let n = 0; n < count; n++) {
      const row = active[offset + n] * h;
      for (let j = 0; j < h; j++) g[row + j] += d1[j];
    }
  }
}

/** Adam (Kingma & Ba 2015) over one flat parameter array. */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    private readonly params: Float64Array,
    private readonly grads: Float64Array,
    private readonly lr: number,
  ) {
    this.m = new Float64Array(params.length);
    this.v = new Float64Array(params.length);
  }

  /** One step on `grads / scale`, then clears `grads`. */
  step(scale: number): void {
    const { params, grads, m, v } = this;
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i] / scale;
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      params[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
      grads[i] = 0;
    }
  }
}

/** Turns scores into softmax probabilities in place. */
function softmax(scores: Float64Array, into: Float64Array): void {
  let max = scores[0];
  for (let a = 1; a < scores.length; a++) if (scores[a] > max) max = scores[a];
  let sum = 0;
  for (let a = 0; a < scores.length; a++) {
    into[a] = Math.exp(scores[a] - max);
    sum += into[a];
  }
  for (let a = 0; a < scores.length; a++) into[a] /= sum;
}

/** Called after every training episode with its specified return. */
export type PpoEpisodeHook = (episode: number, specifiedReturn: number) => void;

export class GridPpo {
  readonly crop: EgocentricCrop;
  private readonly actor: Mlp;
  private readonly critic: Mlp;
  private readonly actorOpt: Adam;
  private readonly criticOpt: Adam;
  private readonly numActions: number;
  // One rollout.
  private readonly active: Int32Array;
  private readonly activeCount: Int32Array;
  private readonly actions: Int32Array;
  private readonly logProbs: Float64Array;
  private readonly values: Float64Array;
  private readonly rewards: Float64Array;
  private readonly dones: Uint8Array;
  private readonly advantages: Float64Array;
  private readonly returns: Float64Array;
  private readonly order: number[];
  private readonly probs: Float64Array;
  private readonly dLogits: Float64Array;
  private readonly dValue = new Float64Array(1);
  // The episode in progress carries over between rollouts.
  private observation: GridObservation | undefined;
  private episodeReturn = 0;
  private stepsDone = 0;
  private episodesDone = 0;

  constructor(
    private readonly env: LearnerEnv<GridObservation>,
    private readonly config: GridPpoConfig,
    private readonly rng: Rng,
  ) {
    this.crop = new EgocentricCrop(config);
    this.numActions = env.numActions;
    const init = rng.derive('init');
    const typical = Math.max(1, this.crop.maxActive / 2);
    this.actor = new Mlp(this.crop.inputs, config.hidden, this.numActions, init, 0.01, typical);
    // A near-zero first critic, so that its noise is not mistaken for advantages.
    this.critic = new Mlp(this.crop.inputs, config.hidden, 1, init, 0.01, typical);
    this.actorOpt = new Adam(this.actor.params, this.actor.grads, config.learningRate);
    this.criticOpt = new Adam(this.critic.params, this.critic.grads, config.learningRate);
    const n = config.rolloutSteps;
    this.active = new Int32Array(n * this.crop.maxActive);
    this.activeCount = new Int32Array(n);
    this.actions = new Int32Array(n);
    this.logProbs = new Float64Array(n);
    this.values = new Float64Array(n + 1);
    this.rewards = new Float64Array(n);
    this.dones = new Uint8Array(n);
    this.advantages = new Float64Array(n);
    this.returns = new Float64Array(n);
    this.order = Array.from({ length: n }, (_, i) => i);
    this.probs = new Float64Array(this.numActions);
    this.dLogits = new Float64Array(this.numActions);
  }

  get steps(): number {
    return this.stepsDone;
  }

  get episodes(): number {
    return this.episodesDone;
  }

  /** Trains for `steps` more environment steps (default: the config's), in whole rollouts. */
  train(steps = this.config.steps, onEpisode?: PpoEpisodeHook): void {
    const target = this.stepsDone + steps;
    while (this.stepsDone < target) {
      const length = Math.min(this.config.rolloutSteps, target - this.stepsDone);
      this.collect(length, onEpisode);
      this.update(length);
    }
  }

  private collect(length: number, onEpisode?: PpoEpisodeHook): void {
    const { env, crop, rng } = this;
    const width = crop.maxActive;
    for (let t = 0; t < length; t++) {
      this.observation ??= env.reset().observation;
      const offset = t * width;
      const count = crop.encode(this.observation, this.active, offset);
      this.activeCount[t] = count;
      softmax(this.actor.forward(this.active, offset, count), this.probs);
      const action = rng.categorical(this.probs);
      this.actions[t] = action;
      this.logProbs[t] = Math.log(this.probs[action]);
      this.values[t] = this.critic.forward(this.active, offset, count)[0];
      const step = env.step(action);
      this.rewards[t] = step.reward;
      this.episodeReturn += step.reward;
      this.stepsDone++;
      const done = step.terminated || step.truncated;
      this.dones[t] = done ? 1 : 0;
      if (done) {
        this.episodesDone++;
        onEpisode?.(this.episodesDone, this.episodeReturn);
        this.episodeReturn = 0;
        this.observation = undefined;
      } else {
        this.observation = step.observation;
      }
    }
    // Bootstrap from the state the next rollout starts in (truncation counts as an end).
    if (this.observation) {
      const scratch = new Int32Array(width);
      const count = crop.encode(this.observation, scratch, 0);
      this.values[length] = this.critic.forward(scratch, 0, count)[0];
    } else {
      this.values[length] = 0;
    }
    const { gamma, gae_lambda } = this.config;
    let gae = 0;
    for (let t = length - 1; t >= 0; t--) {
      const notDone = this.dones[t] ? 0 : 1;
      const delta = this.rewards[t] + gamma * this.values[t + 1] * notDone - this.values[t];
      gae = delta + gamma * gae_lambda * notDone * gae;
      this.advantages[t] = gae;
      this.returns[t] = gae + this.values[t];
    }
  }

  private update(length: number): void {
    const { config, actor, critic, probs, dLogits, dValue, numActions } = this;
    const width = this.crop.maxActive;
    const order = this.order.slice(0, length);
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      this.rng.shuffle(order);
      for (let start = 0; start < length; start += config.minibatch) {
        const batch = order.slice(start, start + config.minibatch);
        let mean = 0;
        for (const i of batch) mean += this.advantages[i];
        mean /= batch.length;
        let variance = 0;
        for (const i of batch) variance += (this.advantages[i] - mean) ** 2;
        const std = batch.length > 1 ? Math.sqrt(variance / (batch.length - 1)) : 0;
        for (const i of batch) {
          const offset = i * width;
          const count = this.activeCount[i];
          const advantage = (this.advantages[i] - mean) / Math.max(std, config.advantage_floor, 1e-8);
          // Policy: clipped surrogate and entropy bonus; d/dlogits of the loss to minimise.
          softmax(actor.forward(this.active, offset, count), probs);
          const action = this.actions[i];
          const ratio = Math.exp(Math.log(probs[action]) - this.logProbs[i]);
          const clipped =
            (advantage > 0 && ratio > 1 + config.clip_coef) ||
            (advantage < 0 && ratio < 1 - config.clip_coef);
          let entropy = 0;
          for (let a = 0; a < numActions; a++) if (probs[a] > 0) entropy -= probs[a] * Math.log(probs[a]);
          for (let a = 0; a < numActions; a++) {
            const surrogate = clipped ? 0 : -advantage * ratio * ((a === action ? 1 : 0) - probs[a]);
            const logP = probs[a] > 0 ? Math.log(probs[a]) : 0;
            dLogits[a] = surrogate + config.ent_coef * probs[a] * (logP + entropy);
          }
          actor.backward(this.active, offset, count, dLogits);
          // Value: ½ (V − R)².
          dValue[0] = critic.forward(this.active, offset, count)[0] - this.returns[i];
          critic.backward(this.active, offset, count, dValue);
        }
        this.actorOpt.step(batch.length);
        this.criticOpt.step(batch.length);
      }
    }
  }

  /** The learnt policy: sampling from it (as trained), or its most likely action. */
  policy(mode: 'sample' | 'greedy' = 'sample'): Policy {
    const { crop, actor, numActions } = this;
    const active = new Int32Array(crop.maxActive);
    const probs = new Float64Array(numActions);
    return {
      act: (observation: GridObservation, rng: Rng) => {
        const count = crop.encode(observation, active, 0);
        const scores = actor.forward(active, 0, count);
        if (mode === 'greedy') {
          let best = 0;
          for (let a = 1; a < numActions; a++) if (scores[a] > scores[best]) best = a;
          return best;
        }
        softmax(scores, probs);
        return rng.categorical(probs);
      },
    };
  }
}
