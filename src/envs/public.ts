/**
 * `alignlab/envs`: the safety gridworlds and their engine, with no Node dependency, so a browser
 * bundle can import it. `makeEnv(id)` returns two handles: `env` for the agent (observation,
 * specified reward) and `intended` for the evaluator (the hidden objective). Hand an optimizer
 * only `env`.
 *
 * @packageDocumentation
 */
export { UserInputError } from '../core/errors.js';
export { Rng } from '../core/rng.js';
export type { AgentEnv } from './grid/env.js';
export {
  ACTION_NAMES,
  Action,
  type Demonstration,
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
  type WorldDefinition,
  type WorldOptions,
} from './grid/index.js';
export { getWorld, makeEnv, worldIds, worlds } from './suite/index.js';
