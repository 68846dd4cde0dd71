import { Rng } from '../../core/rng.js';
import type { Corpus, CorpusItem } from './types.js';

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

/** A corpus over all its items, split once by `seededSplit` (the stream named `<name>-split`). */
export function splitCorpus<T>(
  spec: Pick<Corpus<T>, 'name' | 'description' | 'promptFor'>,
  items: CorpusItem<T>[],
  options: { seed?: number; testFraction?: number },
): Corpus<T> {
  const { train, test } = seededSplit(
    items,
    options.seed ?? 0,
    `${spec.name}-split`,
    options.testFraction ?? 0.1,
  );
  return {
    ...spec,
    split: (which) => (which === 'train' ? train : test),
    stop: ['\n'],
  };
}
