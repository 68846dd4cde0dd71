/**
 * Wrappers: functions from an `Env` to an `Env`, so they compose, e.g.
 * `oneHot(egocentricCrop(timeLimit(env, 50), 2))`. Each keeps the inner env private.
 */
export { learnedReward, type TransitionScorer } from './learned-reward.js';
export { egocentricCrop, flat, mapObservation, oneHot } from './observation.js';
export { EpisodeLog, type RecordedStep, type RecordingOptions, recording } from './recording.js';
export { timeLimit } from './time-limit.js';
export { type VectorEnv, type VectorStep, vectorEnv } from './vector.js';
