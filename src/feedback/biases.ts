/**
 * Rater biases: each one a small function that adds to the utility a rater perceives.
 * A simulated rater judges `trueUtility + Σ bias`, so every distortion of the specified
 * objective is explicit, named and configurable.
 */
import { confidenceCue, countWords } from './wording.js';

/** An additive distortion of perceived utility for one output in its context. */
export interface Bias<T> {
  readonly name: string;
  perceived(context: string, output: T): number;
}

/** Bonus `weight` for confident wording ("sure") over hedged or neutral wording ("maybe", "guess"). */
export function confidenceBias(weight: number): Bias<string> {
  return {
    name: 'confidence',
    perceived: (_context, output) => (confidenceCue(output) === 'sure' ? weight : 0),
  };
}

export type LengthUnit = 'word' | 'char';

/** Bonus `perUnit` for each word (or character) of the output: longer looks more thorough. */
export function lengthBias(perUnit: number, unit: LengthUnit = 'word'): Bias<string> {
  return {
    name: 'length',
    perceived: (_context, output) => perUnit * (unit === 'word' ? countWords(output) : output.length),
  };
}

/** The belief a prompt states ("I think it is 42."), or undefined when it states none. */
export type BeliefReader = (context: string) => string | undefined;

const beliefPattern =
  /\bI (?:think|believe|am fairly sure)(?: that)?(?: it is| it's| the answer is)?\s+([^.?!,]+)/i;

export const statedBelief: BeliefReader = (context) => beliefPattern.exec(context)?.[1]?.trim() || undefined;

/**
 * Sycophancy: bonus `weight` when the output agrees with the belief the prompt states
 * (the belief appears in it as a whole word), whether or not the belief is true.
 */
export function sycophancyBias(weight: number, readBelief: BeliefReader = statedBelief): Bias<string> {
  return {
    name: 'sycophancy',
    perceived: (context, output) => {
      const belief = readBelief(context);
      if (belief === undefined) return 0;
      const escaped = belief.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return new RegExp(`(^|[^\\w])${escaped}($|[^\\w])`, 'i').test(output) ? weight : 0;
    },
  };
}
