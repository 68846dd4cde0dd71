/**
 * Optimizers. Each sees only the agent-facing env (observation, specified reward, info) and
 * declares its optimization-power parameter.
 */
export { type BestOfNConfig, bestOfN, bestOfNConfig, bestOfNPower, type ChosenRollout } from './best-of-n.js';
export { meanReturn, playEpisode } from './episode.js';
export {
  type EvolutionStrategyConfig,
  evolutionStrategy,
  evolutionStrategyConfig,
  evolutionStrategyPower,
} from './evolution-strategy.js';
export { LinearFeatures, LinearPolicy } from './linear-policy.js';
export { ObservationIndex } from './observation-index.js';
export type { EpisodeHook, Policy, PowerParameter } from './policy.js';
export { QLearning, qLearningConfig, qLearningPower } from './q-learning.js';
export {
  type RandomSearchConfig,
  randomSearch,
  randomSearchConfig,
  randomSearchPower,
  type SearchResult,
} from './random-search.js';
export { Reinforce, type ReinforceConfig, reinforceConfig, reinforcePower } from './reinforce.js';
export { Sarsa, sarsaConfig, sarsaPower } from './sarsa.js';
export {
  type EpsilonSchedule,
  epsilonAt,
  epsilonSchedule,
  GreedyPolicy,
  QTable,
  type TdConfig,
  tdConfig,
  type UnseenObservations,
} from './tabular.js';
export {
  buildModel,
  type PlannableEnv,
  PlanningPolicy,
  solveValues,
  type ValueIterationConfig,
  valueIteration,
  valueIterationConfig,
  valueIterationPower,
  type WorldModel,
} from './value-iteration.js';
