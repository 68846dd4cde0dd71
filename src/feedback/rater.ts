/**
 * A rater compares two outputs for the same context and reports which it prefers. It reports
 * the label only: the truth it may have judged from stays with whoever built it, so an
 * optimizer that sees the labels never sees the intended objective.
 */
export type Choice = 'a' | 'b' | 'tie';

export interface Judgement {
  choice: Choice;
  /** The probability of this label under the rater's own choice model, where it has one (e.g. σ(βΔ)). */
  confidence?: number;
}

export interface Rater<T> {
  compare(context: string, a: T, b: T): Promise<Judgement>;
}

/** What an evaluator knows: the true utility of an output in its context. Never given to a trainer. */
export type TrueUtility<T> = (context: string, output: T) => number;

/** The choice the truth makes: the output with the higher true utility, a tie when equal. */
export function truthChoice(utilityA: number, utilityB: number): Choice {
  if (utilityA === utilityB) return 'tie';
  return utilityA > utilityB ? 'a' : 'b';
}
