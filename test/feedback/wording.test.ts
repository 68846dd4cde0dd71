import { describe, expect, it } from 'vitest';
import { confidenceCue, countWords, statedProbability } from '../../src/feedback/index.js';

describe('confidence wording', () => {
  it('reads sentence-style and corpus-style cues ("85 maybe" is how src/lm’s arithmetic corpus answers)', () => {
    expect(confidenceCue("I'm sure it is 42.")).toBe('sure');
    expect(confidenceCue('85 maybe')).toBe('maybe');
    expect(confidenceCue('I guess it is 7.')).toBe('guess');
    expect(confidenceCue('It is 7.')).toBeUndefined();
  });

  it('"not sure" is a hedge, not confidence; the first cue wins', () => {
    expect(confidenceCue("I'm not sure, it is 7.")).toBe('guess');
    expect(confidenceCue('Maybe 7, I am sure of it.')).toBe('maybe');
  });

  it('maps cues to their stated probability (sure 0.95, maybe 0.7, guess 0.4)', () => {
    expect(['12 sure', '12 maybe', '12 guess', '12'].map(statedProbability)).toEqual([
      0.95,
      0.7,
      0.4,
      undefined,
    ]);
  });

  it('counts whitespace-separated words', () => {
    expect(countWords('  a  b\tc\n')).toBe(3);
    expect(countWords('   ')).toBe(0);
  });
});
