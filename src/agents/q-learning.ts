/**
 * Tabular Q-learning (Watkins 1989), off-policy: the target bootstraps from the best action
 * in the next state, whatever the agent will actually do there. Updates apply to the action
 * the world carried out (`info.actualAction`), so an interruption that overrides the agent
 * teaches it about the overriding action, not about its own choice: Q-learning is safely
 * interruptible (Orseau & Armstrong 2016).
 *
 * Optimization power: `episodes`. The hot loop allocates nothing.
 */
import type { GridObservation } from '../envs/grid/env.js';
import { epsilonGreedy, TabularLearner, tdConfig, tdPower } from './tabular.js';

/** Q-learning's hyperparameters (the TD learners' shared `tdConfig`). */
export const qLearningConfig = tdConfig;
/** Q-learning's optimization power: training episodes. */
export const qLearningPower = tdPower;

/** Tabular Q-learning (off-policy TD control); `policy()` returns the greedy policy. */
export class QLearning extends TabularLearner {
  protected trainEpisode(observation: GridObservation, start: number, scheduled: number): number {
    const { env, q, rng } = this;
    const { alpha, gamma } = this.config;
    const numActions = q.numActions;
    let state = start;
    let episodeReturn = 0;
    for (;;) {
      const action = epsilonGreedy(q, state, this.epsilon(scheduled, observation), rng);
      const step = env.step(action);
      episodeReturn += step.reward;
      const next = this.stateOf(step.observation);
      const target = step.terminated ? step.reward : step.reward + gamma * q.max(next);
      const i = state * numActions + step.info.actualAction;
      q.values[i] += alpha * (target - q.values[i]);
      this.stepsDone++;
      if (step.terminated || step.truncated) return episodeReturn;
      state = next;
    }
  }
}
