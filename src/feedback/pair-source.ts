/**
 * Where candidate pairs come from: a prompt and two completions, and the ground truth that
 * scores any completion. `generatePreferences` asks a rater to label them. The language-model corpora (src/lm) can
 * plug in by implementing PairSource and registering a factory in `pairSources`
 * (pair-sources.ts).
 */
import type { Rng } from '../core/rng.js';
import type { TrueUtility } from './rater.js';

export interface Candidate {
  completion: string;
  /** Evaluator-only facts about the completion (e.g. correct, its confidence cue), kept in the pair's truth. */
  facts: Record<string, number | string | boolean>;
}

export interface CandidatePair {
  prompt: string;
  a: Candidate;
  b: Candidate;
}

export interface PairSource {
  readonly id: string;
  readonly description: string;
  sample(rng: Rng): CandidatePair;
  /** The ground truth a simulated rater judges from: the true utility of a completion to a prompt. */
  trueUtility: TrueUtility<string>;
}
