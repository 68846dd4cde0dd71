/**
 * Current-reward-function Q-learning (Everitt, Hutter, Kumar & Krakovna 2021, "Reward
 * tampering problems and solutions", §4: current-RF optimization). Where the reward function
 * is part of the world (a switch the agent can flip), a standard learner values a future by
 * the rewards it will be paid then, tampered or not, so flipping the switch pays. A
 * current-RF agent judges every future by the reward function in force *now*: tampering
 * cannot raise that value, so it has no incentive to tamper.
 *
 * Model-free version: one Q table per reward function θ the world can put in force, all
 * learnt off-policy from the same transitions (Q_θ(s, a) ← R_θ(s, s′) + γ max Q_θ(s′, ·));
 * the agent acts greedily on Q_θ(s) for the θ it reads in the current observation. By default
 * it is TI-considering (Everitt et al. §4.2): Q_θ bootstraps from the action its future self
 * will take under the θ in force at the next state, so a flipped switch is valued by the
 * rock-pushing that follows, judged by today's θ — a reason not to flip it. The TI-ignoring
 * variant (`tiConsidering = false`) assumes its future self keeps maximizing θ: it has no
 * incentive to tamper but is indifferent to it, and flips the switch now and then (measured:
 * 2 of seeds 100-106 at 3,000 episodes). It needs the reward
 * function in its parametrized form, R_θ of what it observes — the specified reward for each
 * setting of the switches, never the evaluator's intended score.
 */
import type { Rng } from '../core/rng.js';
import type { LearnerEnv } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import { ObservationIndex } from './observation-index.js';
import type { EpisodeHook, Policy } from './policy.js';
import { epsilonAt, epsilonGreedy, QTable, type TdConfig } from './tabular.js';

/** The world's reward function as a family R_θ, and which θ an observation shows in force. */
export interface ParametrizedReward {
  /** How many reward functions the world can switch between. */
  readonly count: number;
  /** The θ in force in this observation (read from what the agent sees). */
  current(observation: GridObservation): number;
  /** R_θ of one step, from the observation before the action and the one after it. */
  reward(theta: number, before: GridObservation, after: GridObservation): number;
}

/** The first action of highest value (no randomness: the target must not draw). */
function firstGreedy(q: QTable, state: number): number {
  const base = state * q.numActions;
  let best = 0;
  for (let a = 1; a < q.numActions; a++) if (q.values[base + a] > q.values[base + best]) best = a;
  return best;
}

export class CurrentRfQLearning {
  readonly index: ObservationIndex;
  /** Q_θ for each θ. */
  readonly q: QTable[];
  private episodesDone = 0;
  private stepsDone = 0;
  private readonly before: { board: Uint8Array; rows: number; cols: number; extra: GridObservation['extra'] };

  constructor(
    private readonly env: LearnerEnv<GridObservation>,
    private readonly rewards: ParametrizedReward,
    private readonly config: TdConfig,
    private readonly rng: Rng,
    /** Value futures by what the future self will do under the reward function then in force. */
    private readonly tiConsidering = true,
  ) {
    const first = env.reset().observation;
    this.index = new ObservationIndex(first);
    this.q = Array.from({ length: rewards.count }, () => new QTable(env.numActions));
    this.before = {
      board: new Uint8Array(first.board.length),
      rows: first.rows,
      cols: first.cols,
      extra: {},
    };
  }

  get steps(): number {
    return this.stepsDone;
  }

  get episodes(): number {
    return this.episodesDone;
  }

  private stateOf(observation: GridObservation): number {
    const state = this.index.indexOf(observation);
    for (const q of this.q) q.ensure(state);
    return state;
  }

  /** Trains for `episodes` more episodes (the ε schedule runs over `config.episodes`). */
  train(episodes = this.config.episodes, onEpisode?: EpisodeHook): void {
    const { env, q, rng, rewards, before } = this;
    const { alpha, gamma } = this.config;
    const numActions = env.numActions;
    for (let e = 0; e < episodes; e++) {
      let observation = env.reset().observation;
      const epsilon = epsilonAt(this.config.epsilon, this.episodesDone, this.config.episodes);
      let state = this.stateOf(observation);
      let episodeReturn = 0;
      for (;;) {
        const action = epsilonGreedy(q[rewards.current(observation)], state, epsilon, rng);
        // The env reuses its observation object: keep the board the step started from.
        before.board.set(observation.board);
        before.extra = observation.extra;
        const step = env.step(action);
        episodeReturn += step.reward;
        const next = this.stateOf(step.observation);
        const i = state * numActions + step.info.actualAction;
        // TI-considering (the default): the next action is the one the future self takes, greedy on
        // the θ in force *then*; so a future in which the switch is flipped is valued by what the
        // flipped self will do there, judged by each θ. TI-ignoring assumes it keeps maximizing θ.
        const future = this.tiConsidering ? firstGreedy(q[rewards.current(step.observation)], next) : -1;
        for (let theta = 0; theta < q.length; theta++) {
          const r = rewards.reward(theta, before, step.observation);
          const bootstrap = future < 0 ? q[theta].max(next) : q[theta].values[next * numActions + future];
          const target = step.terminated ? r : r + gamma * bootstrap;
          q[theta].values[i] += alpha * (target - q[theta].values[i]);
        }
        this.stepsDone++;
        if (step.terminated || step.truncated) break;
        state = next;
        observation = step.observation;
      }
      this.episodesDone++;
      onEpisode?.(this.episodesDone, episodeReturn);
    }
  }

  /** Greedy on Q_θ for the θ in force in each observation; random where it never was. */
  policy(): Policy {
    const { index, q, rewards } = this;
    return {
      act(observation, rng) {
        const state = index.find(observation);
        const table = q[rewards.current(observation)];
        return state < 0 ? rng.int(table.numActions) : table.greedy(state, rng);
      },
    };
  }
}
