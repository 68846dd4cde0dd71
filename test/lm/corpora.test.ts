import { describe, expect, it } from 'vitest';
import {
  allInstructionItems,
  arithmeticCorpus,
  arithmeticItem,
  carriesOf,
  formatAnswer,
  getCorpus,
  instructionCorpus,
  lexiconScore,
  parseArithmeticCompletion,
  scoreArithmeticCompletion,
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

  it('counts the units-column carry of a two-digit × one-digit product', () => {
    expect(carriesOf(12, 4, '*')).toBe(0); // 2·4 = 8
    expect(carriesOf(47, 3, '*')).toBe(1); // 7·3 = 21 carries 2
  });

  it('writes the answer digits reversed (Lee et al. 2023) and the word of its class', () => {
    // 47+38 = 85, written least-significant digit first; +/− classes default to "sure".
    expect(arithmeticItem(47, '+', 38, {})).toMatchObject({ prompt: '47+38=', completion: '58 sure' });
    expect(arithmeticItem(99, '+', 99, {}).completion).toBe('891 sure');
    expect(arithmeticItem(9, '-', 3, {}).completion).toBe('6 sure');
    // 47·6 = 282; multiplication classes default to "maybe", a table overrides per class.
    expect(arithmeticItem(47, '*', 6, {}).completion).toBe('282 maybe');
    expect(arithmeticItem(47, '*', 6, { '*': 'guess' }).truth).toMatchObject({
      answer: 282,
      questionClass: '*',
      confidence: 'guess',
    });
    expect(parseArithmeticCompletion('58 maybe')).toEqual({ answer: 85, confidence: 'maybe' });
    expect(parseArithmeticCompletion('001 sure')).toEqual({ answer: 100, confidence: 'sure' });
    expect(formatAnswer(100, 'guess')).toBe('001 guess');
    expect(parseArithmeticCompletion('x')).toEqual({});
    expect(scoreArithmeticCompletion('47*6=', '282 sure').correct).toBe(true);
    expect(scoreArithmeticCompletion('47+38=', '85 sure').correct).toBe(false);
  });

  it('puts every question in exactly one of train, calibration and test, the same for the same seed', () => {
    // 100·100 additions + 100·101/2 subtractions with a ≥ b = 15,050; 90·5 multiplications = 450.
    const c = arithmeticCorpus({ seed: 3, multiplicationRepeat: 1 });
    const all = [...c.split('train'), ...c.calibration(), ...c.split('test')];
    expect(all.length).toBe(15_050 + 450);
    expect(new Set(all.map((i) => i.prompt)).size).toBe(15_500);
    // Held out: 10% + 5% of +/−, 25% + 12.5% of ×.
    expect(c.split('test').length).toBe(1505 + 113);
    expect(c.calibration().length).toBe(753 + 56);
    expect(arithmeticCorpus({ seed: 3 }).split('test')[0]).toEqual(c.split('test')[0]);
    expect(arithmeticCorpus({ seed: 4 }).split('test')[0]).not.toEqual(c.split('test')[0]);
  });

  it('repeats multiplications in training and alternates kinds at the head of the test split', () => {
    const c = arithmeticCorpus({ seed: 0 });
    const train = c.split('train');
    // 450 − 113 − 56 = 281 multiplications, 16 copies each, beside 15,050 − 1505 − 753 = 12,792 +/−.
    expect(train.filter((i) => i.truth.op === '*').length).toBe(281 * 16);
    expect(train.length).toBe(12_792 + 281 * 16);
    const head = c.split('test').slice(0, 226);
    expect(head.filter((i) => i.truth.op === '*').length).toBe(113);
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
