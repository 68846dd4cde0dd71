/**
 * What the tabular learners share: the Q table, the ε schedule, ε-greedy action selection
 * and the greedy policy they hand back. Q-learning and SARSA differ only in their update,
 * which each writes in its own file.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { LearnerEnv } from '../envs/env.js';
import type { GridObservation } from '../envs/grid/env.js';
import { ObservationIndex } from './observation-index.js';
import type { EpisodeHook, Policy, PowerParameter } from './policy.js';

/** ε decays linearly from `start` to `end` over the first `decayFraction` of training episodes. */
export const epsilonSchedule = z
  .strictObject({
    start: z.number().min(0).max(1).default(1),
    end: z.number().min(0).max(1).default(0.05),
    decayFraction: z.number().min(0).max(1).default(0.5),
  })
  .prefault({});
/** The parsed `epsilonSchedule`. */
export type EpsilonSchedule = z.output<typeof epsilonSchedule>;

/** The exploration rate of `schedule` at `episode` of `totalEpisodes`. */
export function epsilonAt(schedule: EpsilonSchedule, episode: number, totalEpisodes: number): number {
  const decayEpisodes = schedule.decayFraction * totalEpisodes;
  if (decayEpisodes <= 0 || episode >= decayEpisodes) return schedule.end;
  return schedule.start + (schedule.end - schedule.start) * (episode / decayEpisodes);
}

/** The hyperparameters both TD learners take; `episodes` is their optimization power. */
export const tdConfig = z.strictObject({
  episodes: z.number().int().min(0).max(1e8).default(2000),
  alpha: z.number().gt(0).max(1).default(0.5),
  gamma: z.number().min(0).max(1).default(0.99),
  epsilon: epsilonSchedule,
});
/** The parsed `tdConfig`. */
export type TdConfig = z.output<typeof tdConfig>;

/** Action values over `ObservationIndex` ids, grown as new observations arrive. */
export class QTable {
  values: Float64Array;

  constructor(
    readonly numActions: number,
    readonly initial = 0,
  ) {
    this.values = new Float64Array(256 * numActions).fill(initial);
  }

  /** Makes room for state id `state` (doubling; allocation only on growth). */
  ensure(state: number): void {
    const needed = (state + 1) * this.numActions;
    if (needed <= this.values.length) return;
    let size = this.values.length;
    while (size < needed) size *= 2;
    const grown = new Float64Array(size).fill(this.initial);
    grown.set(this.values);
    this.values = grown;
  }

  max(state: number): number {
    const base = state * this.numActions;
    let best = this.values[base];
    for (let a = 1; a < this.numActions; a++) if (this.values[base + a] > best) best = this.values[base + a];
    return best;
  }

  /** An action of highest value, ties broken uniformly at random (reservoir sampling). */
  greedy(state: number, rng: Rng): number {
    const base = state * this.numActions;
    let best = this.values[base];
    let action = 0;
    let ties = 1;
    for (let a = 1; a < this.numActions; a++) {
      const v = this.values[base + a];
      if (v > best) {
        best = v;
        action = a;
        ties = 1;
      } else if (v === best) {
        ties++;
        if (rng.next() * ties < 1) action = a;
      }
    }
    return action;
  }
}

/**
 * The exploration rate an agent must honour in this observation: the schedule's ε, raised by
 * ASG's `exploration` observation where a world has one (whisky-gold: the whisky raises it).
 */
export function effectiveEpsilon(epsilon: number, observation: GridObservation): number {
  const forced = observation.extra.exploration;
  return typeof forced === 'number' && forced > epsilon ? forced : epsilon;
}

/** Whether a world's observations carry a forced exploration rate (checked once, not per step). */
export function hasForcedExploration(observation: GridObservation): boolean {
  return 'exploration' in observation.extra;
}

export function epsilonGreedy(q: QTable, state: number, epsilon: number, rng: Rng): number {
  // One 32-bit draw decides exploring (ε has far fewer than 32 significant bits here).
  return rng.nextUint32() < epsilon * 4294967296 ? rng.int(q.numActions) : q.greedy(state, rng);
}

/**
 * What a greedy tabular policy does in an observation it never saw: act at random, or act as
 * in the nearest seen observation (fewest differing cells), the simplest generalisation.
 */
export type UnseenObservations = 'random' | 'nearest';

/**
 * The greedy policy of a Q table. It still honours a world's forced exploration
 * (whisky-gold), as ASG's agents must.
 */
export class GreedyPolicy implements Policy {
  constructor(
    private readonly index: ObservationIndex,
    private readonly q: QTable,
    private readonly unseen: UnseenObservations = 'random',
  ) {}

  act(observation: GridObservation, rng: Rng): number {
    const state = this.unseen === 'nearest' ? this.index.nearest(observation) : this.index.find(observation);
    if (state < 0) return rng.int(this.q.numActions);
    return epsilonGreedy(this.q, state, effectiveEpsilon(0, observation), rng);
  }
}

/** The state every TD learner keeps: observation ids, values, episodes done. */
/** The TD learners' optimization power: training episodes. */
export const tdPower: PowerParameter = { param: 'episodes', label: 'training episodes' };

export abstract class TabularLearner {
  readonly index: ObservationIndex;
  readonly q: QTable;
  protected episodesDone = 0;
  protected stepsDone = 0;
  private readonly forcedExploration: boolean;

  constructor(
    protected readonly env: LearnerEnv<GridObservation>,
    protected readonly config: TdConfig,
    protected readonly rng: Rng,
  ) {
    const observation = env.reset().observation;
    this.index = new ObservationIndex(observation);
    this.q = new QTable(env.numActions);
    this.forcedExploration = hasForcedExploration(observation);
  }

  /** Trains for `episodes` more episodes (the ε schedule runs over `config.episodes`). */
  train(episodes = this.config.episodes, onEpisode?: EpisodeHook): void {
    for (let e = 0; e < episodes; e++) {
      // The prologue both update rules share: a fresh episode, the episode's ε, the first state.
      const observation = this.env.reset().observation;
      const scheduled = this.scheduledEpsilon();
      const episodeReturn = this.trainEpisode(observation, this.stateOf(observation), scheduled);
      this.episodesDone++;
      onEpisode?.(this.episodesDone, episodeReturn);
    }
  }

  /**
   * One training episode with the learner's update rule, from the reset's `observation` (state
   * id `state`) with the episode's scheduled ε; returns its (specified) return.
   */
  protected abstract trainEpisode(observation: GridObservation, state: number, scheduled: number): number;

  get steps(): number {
    return this.stepsDone;
  }

  get episodes(): number {
    return this.episodesDone;
  }

  protected stateOf(observation: GridObservation): number {
    const state = this.index.indexOf(observation);
    this.q.ensure(state);
    return state;
  }

  /** The schedule's ε for the current episode (compute once per episode). */
  protected scheduledEpsilon(): number {
    return epsilonAt(this.config.epsilon, this.episodesDone, this.config.episodes);
  }

  /** The ε to honour in this observation, given the episode's scheduled ε. */
  protected epsilon(scheduled: number, observation: GridObservation): number {
    return this.forcedExploration ? effectiveEpsilon(scheduled, observation) : scheduled;
  }

  /** The greedy policy on the values learnt so far. */
  policy(unseen: UnseenObservations = 'random'): Policy {
    return new GreedyPolicy(this.index, this.q, unseen);
  }
}
