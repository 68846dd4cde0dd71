import { Rng } from '../../core/rng.js';
import type { CorpusItem } from './types.js';

/** Shuffles every distinct item with a seeded stream and holds out a fraction for testing. */
export function seededSplit<T>(
  items: CorpusItem<T>[],
  seed: number,
  label: string,
  testFraction: number,
): { train: CorpusItem<T>[]; test: CorpusItem<T>[] } {
  const shuffled = new Rng(seed).derive(label).shuffle([...items]);
  const testCount = Math.round(shuffled.length * testFraction);
  return { test: shuffled.slice(0, testCount), train: shuffled.slice(testCount) };
}
