/**
 * EXP3 (Auer, Cesa-Bianchi, Freund & Schapire 2002): a bandit learner that keeps a mixed
 * strategy. Exponential weights on importance-weighted rewards, mixed with γ of uniform
 * exploration. Against an adversary that predicts the agent's choices, a deterministic
 * learner is exploited; EXP3's strategy stays close to the minimax mixture instead.
 *
 * One independent strategy per context (e.g. the room an episode shows), so the learner
 * still adapts where the opponent is friendly. Rewards must lie in [0, 1].
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';

export const exp3Config = z.strictObject({
  /** γ: share of uniform exploration, also the learning rate (Auer et al.'s Exp3). */
  gamma: z.number().gt(0).max(1).default(0.1),
});
export type Exp3Config = z.output<typeof exp3Config>;

export class Exp3 {
  /** Log-weights per context, arms contiguous (kept in log space so they never overflow). */
  private readonly logWeights = new Map<number, Float64Array>();
  private readonly scratch: Float64Array;

  constructor(
    readonly numArms: number,
    private readonly config: Exp3Config,
  ) {
    this.scratch = new Float64Array(numArms);
  }

  private weightsOf(context: number): Float64Array {
    let w = this.logWeights.get(context);
    if (!w) {
      w = new Float64Array(this.numArms);
      this.logWeights.set(context, w);
    }
    return w;
  }

  /** The mixed strategy in `context`: p_i = (1 − γ) w_i / Σw + γ / K. */
  probabilities(context: number, out: Float64Array = new Float64Array(this.numArms)): Float64Array {
    const w = this.weightsOf(context);
    const { gamma } = this.config;
    let top = Number.NEGATIVE_INFINITY;
    for (const v of w) top = Math.max(top, v);
    let total = 0;
    for (let i = 0; i < w.length; i++) {
      out[i] = Math.exp(w[i] - top);
      total += out[i];
    }
    for (let i = 0; i < w.length; i++) out[i] = (1 - gamma) * (out[i] / total) + gamma / this.numArms;
    return out;
  }

  /** Draws an arm from the mixed strategy. */
  choose(context: number, rng: Rng): number {
    return rng.categorical(this.probabilities(context, this.scratch));
  }

  /** Credits `reward` ∈ [0, 1] to the arm played: w_arm ← w_arm · exp(γ r / (p_arm K)). */
  update(context: number, arm: number, reward: number): void {
    const p = this.probabilities(context, this.scratch)[arm];
    this.weightsOf(context)[arm] += (this.config.gamma * reward) / (p * this.numArms);
  }
}
