/** The synthetic corpora by name. */
import { choicesHint, UserInputError } from '../../core/errors.js';
import { arithmeticCorpus } from './arithmetic.js';
import { instructionCorpus } from './instructions.js';
import { sentimentCorpus } from './sentiment.js';
import type { Corpus } from './types.js';

export * from './arithmetic.js';
export * from './instructions.js';
export * from './sentiment.js';
export type { Corpus, CorpusItem } from './types.js';

/** The names of the built-in corpora. */
export const corpusNames = ['arithmetic', 'instructions', 'sentiment'] as const;
export type CorpusName = (typeof corpusNames)[number];

/** A built-in corpus by name (a UserInputError names the valid ones). */
export function getCorpus(name: string, seed = 0, where = '--corpus'): Corpus {
  switch (name) {
    case 'arithmetic':
      return arithmeticCorpus({ seed });
    case 'instructions':
      return instructionCorpus({ seed });
    case 'sentiment':
      return sentimentCorpus({ seed });
    default:
      throw new UserInputError(`unknown corpus '${name}' (${choicesHint(corpusNames)})`, where);
  }
}
