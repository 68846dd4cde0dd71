/** The registered pair sources by id (`prefs generate --source`). */
import { choicesHint, UserInputError } from '../core/errors.js';
import { arithmeticPairSource } from './arithmetic-pairs.js';
import { lmArithmeticDescription, lmArithmeticPairSource } from './lm-arithmetic-pairs.js';
import type { PairSource } from './pair-source.js';

export interface PairSourceEntry {
  id: string;
  description: string;
  create(): PairSource;
}

export const pairSources: PairSourceEntry[] = [
  {
    id: arithmeticPairSource.id,
    description: arithmeticPairSource.description,
    create: () => arithmeticPairSource,
  },
  {
    id: 'lm-arithmetic',
    description: lmArithmeticDescription,
    create: () => lmArithmeticPairSource(),
  },
];

export function getPairSource(id: string): PairSource {
  const entry = pairSources.find((s) => s.id === id);
  if (!entry)
    throw new UserInputError(
      `unknown pair source '${id}' (${choicesHint(
        pairSources.map((s) => s.id),
        id,
      )})`,
      '--source',
    );
  return entry.create();
}
