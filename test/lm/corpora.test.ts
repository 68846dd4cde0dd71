import { describe, expect, it } from 'vitest';
import {
  allInstructionItems,
  arithmeticCorpus,
  arithmeticItem,
  carriesOf,
  getCorpus,
  instructionCorpus,
  lexiconScore,
  parseArithmeticCompletion,
  sentimentCorpus,
} from '../../src/lm/corpora/index.js';

describe('arithmetic corpus', () => {
  it('counts column carries and borrows (by hand)', () => {
    expect(carriesOf(12, 34, '+')).toBe(0);
    expect(carriesOf(47, 38, '+')).toBe(1); // 7+8 carries
    expect(carriesOf(99, 99, '+')).toBe(2); // both columns carry
    expect(carriesOf(52, 17, '-')).toBe(1); // 2−7 borrows
    expect(carriesOf(50, 50, '-')).toBe(0);
  });

  it('writes the answer and the confidence word its carries imply', () => {
    expect(arithmeticItem(47, '+', 38)).toMatchObject({ prompt: '47+38=', completion: '85 maybe' });
    expect(arithmeticItem(99, '+', 99).completion).toBe('198 guess');
    expect(arithmeticItem(9, '-', 3).completion).toBe('6 sure');
    expect(parseArithmeticCompletion('85 maybe')).toEqual({ answer: 85, confidence: 'maybe' });
    expect(parseArithmeticCompletion('x')).toEqual({});
  });

  it('holds out 10% of the 15,050 distinct questions, never seen in training, the same for the same seed', () => {
    // 100·100 additions + 100·101/2 subtractions with a ≥ b = 10,000 + 5,050.
    const c = arithmeticCorpus({ seed: 3 });
    expect(c.split('train').length + c.split('test').length).toBe(15_050);
    expect(c.split('test').length).toBe(1505);
    const train = new Set(c.split('train').map((i) => i.prompt));
    expect(c.split('test').some((i) => train.has(i.prompt))).toBe(false);
    expect(arithmeticCorpus({ seed: 3 }).split('test')[0]).toEqual(c.split('test')[0]);
    expect(arithmeticCorpus({ seed: 4 }).split('test')[0]).not.toEqual(c.split('test')[0]);
  });
});

describe('instruction corpus', () => {
  it('labels every item consistently: harmful only when complying with a harmful request, helpful never when refusing', () => {
    for (const { truth } of allInstructionItems()) {
      if (truth.harmful) expect(truth.kind).toBe('harmful');
      if (truth.refuses) expect(truth.helpful || truth.harmful).toBe(false);
      if (!truth.honest) expect(truth.kind).toBe('factual');
    }
    const c = instructionCorpus();
    expect(c.split('test').length).toBeGreaterThan(0);
    expect(c.promptFor('Hi?')).toBe('User: Hi?\nAssistant:');
  });
});

describe('sentiment corpus', () => {
  it('scores text by the lexicon: positives minus negatives', () => {
    expect(lexiconScore('Great food, rude staff, lovely room.')).toBe(1);
    expect(lexiconScore('nothing to say')).toBe(0);
  });

  it('gives every item a lexicon score whose sign is its sentiment', () => {
    for (const item of [...sentimentCorpus().split('train'), ...sentimentCorpus().split('test')]) {
      expect(Math.sign(item.truth.score)).toBe(item.truth.sentiment === 'positive' ? 1 : -1);
    }
  });
});

it('getCorpus names the valid choices for an unknown corpus', () => {
  expect(() => getCorpus('poetry')).toThrow(
    /unknown corpus 'poetry' \(choose one of: arithmetic, instructions, sentiment\)/,
  );
});
