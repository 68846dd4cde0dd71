/**
 * Building a preference dataset: sample candidate pairs, ask the rater, keep the label as
 * chosen/rejected and the truth (true utilities from the source, facts, the rater's confidence) in the evaluator-only
 * `truth` object. Ties are skipped, as TRL's pair formats have no tie. Repeated pairs are
 * skipped too, so the result always passes the importer's duplicate check.
 */
import type { Rng } from '../core/rng.js';
import { type Agreement, agreementWithTruth, type LabelledComparison } from './agreement.js';
import type { Candidate, PairSource } from './pair-source.js';
import type { PairTruth, PreferencePair } from './preference-data.js';
import type { Rater } from './rater.js';

export interface GenerateOptions {
  source: PairSource;
  rater: Rater<string>;
  count: number;
  rng: Rng;
  /** Give up after this many samples without reaching `count` (all ties or repeats). */
  maxAttempts?: number;
}

export interface GeneratedPreferences {
  pairs: PreferencePair[];
  ties: number;
  repeats: number;
  /** Evaluator's view: the rater's agreement with the truth over all labelled comparisons. */
  agreement: Agreement;
}

interface Scored {
  candidate: Candidate;
  utility: number;
}

function truthOf(chosen: Scored, rejected: Scored, confidence: number | undefined): PairTruth {
  const truth: PairTruth = { chosen_utility: chosen.utility, rejected_utility: rejected.utility };
  for (const [key, value] of Object.entries(chosen.candidate.facts)) truth[`chosen_${key}`] = value;
  for (const [key, value] of Object.entries(rejected.candidate.facts)) truth[`rejected_${key}`] = value;
  if (confidence !== undefined) truth.rater_confidence = confidence;
  return truth;
}

export async function generatePreferences(options: GenerateOptions): Promise<GeneratedPreferences> {
  const { source, rater, count, rng } = options;
  const maxAttempts = options.maxAttempts ?? Math.max(100, count * 20);
  const pairs: PreferencePair[] = [];
  const comparisons: LabelledComparison[] = [];
  const seen = new Set<string>();
  let ties = 0;
  let repeats = 0;
  for (let attempt = 0; attempt < maxAttempts && pairs.length < count; attempt++) {
    const candidate = source.sample(rng);
    const key = JSON.stringify([
      candidate.prompt,
      ...[candidate.a.completion, candidate.b.completion].sort(),
    ]);
    if (seen.has(key)) {
      repeats++;
      continue;
    }
    const a = {
      candidate: candidate.a,
      utility: source.trueUtility(candidate.prompt, candidate.a.completion),
    };
    const b = {
      candidate: candidate.b,
      utility: source.trueUtility(candidate.prompt, candidate.b.completion),
    };
    const judgement = await rater.compare(candidate.prompt, a.candidate.completion, b.candidate.completion);
    comparisons.push({ choice: judgement.choice, utilityA: a.utility, utilityB: b.utility });
    if (judgement.choice === 'tie') {
      ties++;
      continue;
    }
    seen.add(key);
    const [chosen, rejected] = judgement.choice === 'a' ? [a, b] : [b, a];
    pairs.push({
      prompt: candidate.prompt,
      chosen: chosen.candidate.completion,
      rejected: rejected.candidate.completion,
      truth: truthOf(chosen, rejected, judgement.confidence),
    });
  }
  return { pairs, ties, repeats, agreement: agreementWithTruth(comparisons) };
}
