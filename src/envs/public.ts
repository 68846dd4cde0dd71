/**
 * `alignlab/envs`: the safety gridworlds and their engine, with no Node dependency, so a browser
 * bundle can import it. `makeEnv(id)` returns two handles: `env` for the agent (observation,
 * specified reward) and `intended` for the evaluator (the hidden objective). Hand an optimizer
 * only `env`. Every world implements the one `Env` interface (Gymnasium's), and the wrappers
 * (`timeLimit`, `egocentricCrop`, `oneHot`, `flat`, `learnedReward`, `recording`, `vectorEnv`)
 * take an `Env` and return one, so they compose.
 *
 * @packageDocumentation
 */
export { UserInputError } from '../core/errors.js';
export { Rng } from '../core/rng.js';
export {
  type BoxSpace,
  boxSize,
  type DiscreteSpace,
  discreteSpace,
  type Env,
  type GridSpace,
  type LearnerEnv,
  type ResetOptions,
  type ResetResult,
  type Restorable,
  type Space,
  type Transition,
} from './env.js';
export type { AgentEnv } from './grid/env.js';
export {
  ACTION_NAMES,
  Action,
  defineWorld,
  type EnvSpec,
  type EpisodeRecord,
  type ExtraObservation,
  GridEnv,
  type GridObservation,
  type GridSnapshot,
  GridWorld,
  type Intended,
  type Level,
  type MadeEnv,
  type MakeEnvOptions,
  makeWorldEnv,
  NUM_ACTIONS,
  noParams,
  type ParseOptions as LevelParseOptions,
  parseActions,
  parseLevel,
  parseParamValue,
  runEpisode,
  type StepInfo,
  type StepResult,
  type WorldConfig,
  type WorldDeclaration,
  type WorldDefinition,
  type WorldOptions,
} from './grid/index.js';
export {
  type Demonstration,
  demonstrations,
  demonstrationsOf,
  type WorldDemonstrations,
} from './suite/demonstrations.js';
export { getWorld, makeEnv, worldIds, worlds } from './suite/index.js';
export {
  EpisodeLog,
  egocentricCrop,
  flat,
  learnedReward,
  mapObservation,
  oneHot,
  type RecordedStep,
  type RecordingOptions,
  recording,
  type TransitionScorer,
  timeLimit,
  type VectorEnv,
  type VectorStep,
  vectorEnv,
} from './wrappers/index.js';
