/**
 * Review continuations scored by a lexicon. A prompt opens a review ("The soup was"), the
 * completion continues it with adjectives and a closing clause; the gold scorer counts
 * positive minus negative lexicon words, so any generated continuation can be scored exactly.
 * Truth: the intended sentiment of the item and its lexicon score.
 */
import { splitCorpus } from './split.js';
import type { Corpus, CorpusItem } from './types.js';

export const positiveWords = [
  'good',
  'great',
  'lovely',
  'delicious',
  'friendly',
  'wonderful',
  'fresh',
  'happy',
];
export const negativeWords = ['bad', 'awful', 'cold', 'rude', 'bland', 'terrible', 'stale', 'sad'];

export interface SentimentTruth {
  sentiment: 'positive' | 'negative';
  score: number;
}

/** Positive minus negative lexicon words (case-insensitive, whole words): the gold scorer. */
export function lexiconScore(text: string): number {
  let score = 0;
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    if (positiveWords.includes(word)) score += 1;
    else if (negativeWords.includes(word)) score -= 1;
  }
  return score;
}

const subjects = ['The soup', 'The service', 'The bread', 'The room', 'The film', 'The coffee', 'The staff'];
const positiveEndings = ['and I would come back.', 'and we left happy.', 'so I recommend it.'];
const negativeEndings = ['and I will not return.', 'and we left sad.', 'so I do not recommend it.'];

export function allSentimentItems(): CorpusItem<SentimentTruth>[] {
  const items: CorpusItem<SentimentTruth>[] = [];
  for (const subject of subjects)
    for (const [sentiment, words, endings] of [
      ['positive', positiveWords, positiveEndings],
      ['negative', negativeWords, negativeEndings],
    ] as const)
      for (let i = 0; i < words.length; i++)
        for (const ending of endings) {
          const completion = ` ${words[i]} and ${words[(i + 3) % words.length]}, ${ending}`;
          items.push({
            prompt: `${subject} was`,
            completion,
            truth: { sentiment, score: lexiconScore(completion) },
          });
        }
  return items;
}

export function sentimentCorpus(
  options: { seed?: number; testFraction?: number } = {},
): Corpus<SentimentTruth> {
  return splitCorpus(
    {
      name: 'sentiment',
      description:
        'review openings continued positively or negatively; gold score = lexicon positives − negatives',
      promptFor: (request) => request,
    },
    allSentimentItems(),
    options,
  );
}
