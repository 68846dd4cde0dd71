/**
 * Evaluator-side: how often a rater's labels agree with the truth. Pairs whose true
 * utilities are equal are left out (the truth has no preference); a rater's tie on a pair the
 * truth separates counts as half agreement, as a coin would score.
 */
import { type Choice, truthChoice } from './rater.js';

export interface LabelledComparison {
  choice: Choice;
  utilityA: number;
  utilityB: number;
}

export interface Agreement {
  /** Share of truth-separated pairs on which the label matches the truth (ties count ½). */
  agreement: number;
  /** How many pairs the truth separates. */
  counted: number;
  /** Pairs on which the rater said tie. */
  ties: number;
}

export function agreementWithTruth(comparisons: readonly LabelledComparison[]): Agreement {
  let score = 0;
  let counted = 0;
  let ties = 0;
  for (const c of comparisons) {
    if (c.choice === 'tie') ties++;
    const truth = truthChoice(c.utilityA, c.utilityB);
    if (truth === 'tie') continue;
    counted++;
    if (c.choice === truth) score += 1;
    else if (c.choice === 'tie') score += 0.5;
  }
  return { agreement: counted === 0 ? Number.NaN : score / counted, counted, ties };
}
