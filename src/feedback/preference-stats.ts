/**
 * Summary numbers for a preference dataset: how big, how long, and how much the labels lean
 * on surface features a biased rater rewards (length, confident wording).
 */
import { type PreferencePair, pairText } from './preference-data.js';
import { countWords, isConfidentWording } from './wording.js';

export interface PreferenceStats {
  count: number;
  meanPromptWords: number;
  meanChosenWords: number;
  meanRejectedWords: number;
  /** Share of pairs whose chosen completion has more words than the rejected one. */
  chosenLongerShare: number;
  /** Share of pairs whose chosen / rejected completion uses confident wording ("sure"). */
  chosenConfidentShare: number;
  rejectedConfidentShare: number;
  /** Pairs repeating an earlier (prompt, chosen, rejected). */
  duplicates: number;
  /** Pairs whose chosen and rejected completions are the same text. */
  identicalCompletions: number;
  /** Pairs carrying an evaluator-only truth object. */
  withTruth: number;
  /**
   * Evaluator-only: share of labels that agree with the truth, over pairs whose truth has
   * numeric chosen_utility and rejected_utility that differ; null when there are none.
   */
  truthAgreement: number | null;
}

export function preferenceStats(pairs: readonly PreferencePair[]): PreferenceStats {
  const n = pairs.length;
  let prompt = 0;
  let chosen = 0;
  let rejected = 0;
  let longer = 0;
  let chosenConfident = 0;
  let rejectedConfident = 0;
  let identical = 0;
  let withTruth = 0;
  let truthSeparated = 0;
  let truthAgreeing = 0;
  const seen = new Set<string>();
  let duplicates = 0;
  for (const pair of pairs) {
    const text = pairText(pair);
    const c = countWords(text.chosen);
    const r = countWords(text.rejected);
    prompt += countWords(text.prompt);
    chosen += c;
    rejected += r;
    if (c > r) longer++;
    if (isConfidentWording(text.chosen)) chosenConfident++;
    if (isConfidentWording(text.rejected)) rejectedConfident++;
    if (text.chosen === text.rejected) identical++;
    if (pair.truth !== undefined) {
      withTruth++;
      const { chosen_utility: uc, rejected_utility: ur } = pair.truth;
      if (typeof uc === 'number' && typeof ur === 'number' && uc !== ur) {
        truthSeparated++;
        if (uc > ur) truthAgreeing++;
      }
    }
    const key = JSON.stringify([text.prompt, text.chosen, text.rejected]);
    if (seen.has(key)) duplicates++;
    seen.add(key);
  }
  const mean = (x: number) => (n === 0 ? 0 : x / n);
  return {
    count: n,
    meanPromptWords: mean(prompt),
    meanChosenWords: mean(chosen),
    meanRejectedWords: mean(rejected),
    chosenLongerShare: mean(longer),
    chosenConfidentShare: mean(chosenConfident),
    rejectedConfidentShare: mean(rejectedConfident),
    duplicates,
    identicalCompletions: identical,
    withTruth,
    truthAgreement: truthSeparated === 0 ? null : truthAgreeing / truthSeparated,
  };
}
