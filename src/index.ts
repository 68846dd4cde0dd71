/**
 * alignlab as a library: worlds with a specified and an intended objective, the optimizers that
 * see only the first, text models, preference data, reward models, PPO and DPO, the named
 * experiments and the lab that judges them.
 *
 * `alignlab/envs` (the worlds) and `alignlab/agents` (the optimizers) carry no Node dependency
 * and suit a browser bundle; this entry also holds the Node-only parts (tfjs training, files,
 * the SQLite store, the worker pool).
 *
 * @packageDocumentation
 */
import { DEFAULT_DB_PATH, LabStore, type OpenOptions } from './lab/store.js';

// Optimizers: each sees only the agent-facing env.
export * from './agents/index.js';
export {
  type DpoConfig,
  DpoConfigSchema,
  type DpoResult,
  type ResolvedDpoConfig,
  type TrainDpoOptions,
  trainDpo,
} from './align/dpo.js';
export {
  type PpoConfig,
  PpoConfigSchema,
  type PpoResult,
  type ResolvedPpoConfig,
  type TrainPpoOptions,
  trainPpo,
} from './align/ppo.js';
// Alignment of text models.
export {
  evaluateRewardModel,
  loadRewardModel,
  RewardEnsemble,
  type RewardMetrics,
  RewardModel,
  type RewardScorer,
  type RewardTrainConfig,
  RewardTrainConfigSchema,
  type RewardTrainOptions,
  saveRewardModel,
  trainRewardModel,
} from './align/reward-model.js';
// Worlds: the safety gridworlds and their engine (also `alignlab/envs`).
export * from './envs/public.js';
// Statistics.
export { bootstrapInterval, type Interval, meanInterval } from './evals/bootstrap.js';
export { atLeast, atMost, between } from './experiments/checks.js';
export { type Evaluation, evaluatePolicy } from './experiments/evaluation.js';
// Experiments: every reproduction, and the pieces to write a new one.
export { experiments } from './experiments/index.js';
export { defaultRegistry as experimentRegistry, ExperimentRegistry } from './experiments/registry.js';
export {
  type ClaimCheck,
  type ControlArm,
  defineExperiment,
  type Experiment,
  INTENDED,
  type PowerDial,
  type RunContext,
  type RunResult,
  type SeedResult,
  SPECIFIED,
} from './experiments/types.js';
// Preference data in TRL's JSONL formats.
export {
  formatPreferenceJsonl,
  type ParsedPreferences,
  type PreferencePair,
  parsePreferenceJsonl,
  type TrainingPair,
  trainingView,
} from './feedback/index.js';
// The lab: reproductions judged with controls, per-seed checks and gates; the run store.
export {
  type ArmRuns,
  assessClaim,
  type CheckEvidence,
  type Evidence,
  type Verdict,
} from './lab/evidence.js';
export { armRunsInProcess, type ReproduceSettings, reproduceInProcess } from './lab/reproduce.js';
export { runExperimentInProcess } from './lab/runner.js';
export { DEFAULT_DB_PATH, LabStore, type RunFilter, type RunRecord } from './lab/store.js';
// Text models: tokenizers, corpora with known truth, checkpoints, local and remote backends.
export { type Checkpoint, loadCheckpoint, saveCheckpoint } from './lm/checkpoint.js';
export { type Corpus, corpusNames, getCorpus } from './lm/corpora/index.js';
export type { CorpusItem } from './lm/corpora/types.js';
export { type LoadedModel, loadLocalModel } from './lm/load.js';
export { LocalLanguageModel } from './lm/local-model.js';
export { OpenAIBackend } from './lm/openai-backend.js';
export type { PromptCompletion } from './lm/sequences.js';
export { type Tokenizer, trainTokenizer } from './lm/tokenizer.js';
export { type LmTrainConfig, trainLanguageModel } from './lm/train.js';
export type { LanguageModel } from './lm/types.js';
export { initBackend } from './nn/index.js';

/** Options of `openStore`: how long to wait for a writer's lock, and whether to create the file. */
export type StoreOpenOptions = OpenOptions;

/**
 * Opens the lab's run store (SQLite), creating it unless `options.mode` says otherwise; the CLI's
 * default is `.alignlab/lab.db`. Close it with `store.close()`.
 */
export function openStore(path: string = DEFAULT_DB_PATH, options: StoreOpenOptions = {}): LabStore {
  return LabStore.open(path, options);
}
