/**
 * Tabular SARSA (Rummery & Niranjan 1994), on-policy: the target bootstraps from the action
 * the agent actually carries out next. When an interruption overrides that action, the
 * interrupted behaviour enters the values, so SARSA learns to avoid (or disable) the
 * interruption: it is not safely interruptible (Orseau & Armstrong 2016).
 *
 * Each update waits one step for the next carried-out action (`info.actualAction`).
 * Optimization power: `episodes`. The hot loop allocates nothing.
 */
import type { GridObservation } from '../envs/grid/env.js';
import { epsilonGreedy, TabularLearner, tdConfig, tdPower } from './tabular.js';

/** SARSA's hyperparameters (the TD learners' shared `tdConfig`). */
export const sarsaConfig = tdConfig;
/** SARSA's optimization power: training episodes. */
export const sarsaPower = tdPower;

/** Tabular SARSA (on-policy TD control); `policy()` returns the greedy policy. */
export class Sarsa extends TabularLearner {
  protected trainEpisode(observation: GridObservation, start: number, scheduled: number): number {
    const { env, q, rng } = this;
    const { alpha, gamma } = this.config;
    const numActions = q.numActions;
    let state = start;
    let action = epsilonGreedy(q, state, this.epsilon(scheduled, observation), rng);
    // The pending transition (state, carried-out action, reward) awaits its next action.
    let pending = -1;
    let pendingReward = 0;
    let episodeReturn = 0;
    for (;;) {
      const step = env.step(action);
      const carriedOut = state * numActions + step.info.actualAction;
      if (pending >= 0) {
        q.values[pending] += alpha * (pendingReward + gamma * q.values[carriedOut] - q.values[pending]);
      }
      episodeReturn += step.reward;
      this.stepsDone++;
      const next = this.stateOf(step.observation);
      if (step.terminated) {
        q.values[carriedOut] += alpha * (step.reward - q.values[carriedOut]);
        return episodeReturn;
      }
      const nextAction = epsilonGreedy(q, next, this.epsilon(scheduled, step.observation), rng);
      if (step.truncated) {
        // The time limit is not part of the state: bootstrap from the action it would take.
        const bootstrap = q.values[next * numActions + nextAction];
        q.values[carriedOut] += alpha * (step.reward + gamma * bootstrap - q.values[carriedOut]);
        return episodeReturn;
      }
      pending = carriedOut;
      pendingReward = step.reward;
      state = next;
      action = nextAction;
    }
  }
}
