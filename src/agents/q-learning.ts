/**
 * Tabular Q-learning (Watkins 1989), off-policy: the target bootstraps from the best action
 * in the next state, whatever the agent will actually do there. Updates apply to the action
 * the world carried out (`info.actualAction`), so an interruption that overrides the agent
 * teaches it about the overriding action, not about its own choice: Q-learning is safely
 * interruptible (Orseau & Armstrong 2016).
 *
 * Optimization power: `episodes`. The hot loop allocates nothing.
 */
import type { Rng } from '../core/rng.js';
import type { AgentEnv } from '../envs/grid/env.js';
import type { EpisodeHook, PowerParameter } from './policy.js';
import { epsilonGreedy, TabularLearner, type TdConfig, tdConfig } from './tabular.js';

/** Q-learning's hyperparameters (the TD learners' shared `tdConfig`). */
export const qLearningConfig = tdConfig;
/** Q-learning's optimization power: training episodes. */
export const qLearningPower: PowerParameter = { param: 'episodes', label: 'training episodes' };

/** Tabular Q-learning (off-policy TD control); `policy()` returns the greedy policy. */
export class QLearning extends TabularLearner {
  constructor(
    private readonly env: AgentEnv,
    config: TdConfig,
    rng: Rng,
  ) {
    super(env.reset().observation, env.numActions, config, rng);
  }

  /** Trains for `episodes` more episodes (the ε schedule runs over `config.episodes`). */
  train(episodes = this.config.episodes, onEpisode?: EpisodeHook): void {
    const { env, q, rng } = this;
    const { alpha, gamma } = this.config;
    const numActions = q.numActions;
    for (let e = 0; e < episodes; e++) {
      const observation = env.reset().observation;
      const scheduled = this.scheduledEpsilon();
      let state = this.stateOf(observation);
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
        if (step.terminated || step.truncated) break;
        state = next;
      }
      this.episodesDone++;
      onEpisode?.(this.episodesDone, episodeReturn);
    }
  }
}
