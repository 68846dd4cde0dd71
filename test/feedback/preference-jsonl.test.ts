import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/core/errors.js';
import {
  formatPreferenceJsonl,
  parsePreferenceJsonl,
  preferenceStats,
  toFormat,
  trainingView,
} from '../../src/feedback/index.js';

const lines = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** The error message a parse throws; fails the test if it does not throw a UserInputError. */
function parseError(text: string): string {
  try {
    parsePreferenceJsonl(text, 'prefs.jsonl');
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as Error).message;
  }
  throw new Error('expected a UserInputError');
}

describe('parsePreferenceJsonl: TRL formats', () => {
  it('reads the standard format, with margin and truth', () => {
    const parsed = parsePreferenceJsonl(
      lines(
        { prompt: 'What is 2 + 3?', chosen: 'It is 5.', rejected: 'It is 6.', margin: 1 },
        {
          prompt: 'Sky?',
          chosen: 'Blue.',
          rejected: 'Green.',
          truth: { chosen_utility: 1, rejected_utility: 0 },
        },
      ),
    );
    expect(parsed.format).toBe('standard');
    expect(parsed.implicitPrompt).toBe(false);
    expect(parsed.lines).toEqual([1, 2]);
    expect(parsed.pairs[0]).toEqual({
      prompt: 'What is 2 + 3?',
      chosen: 'It is 5.',
      rejected: 'It is 6.',
      margin: 1,
    });
    expect(parsed.pairs[1].truth).toEqual({ chosen_utility: 1, rejected_utility: 0 });
  });

  it('reads the conversational format', () => {
    const parsed = parsePreferenceJsonl(
      lines({
        prompt: [{ role: 'user', content: 'What color is the sky?' }],
        chosen: [{ role: 'assistant', content: 'It is blue.' }],
        rejected: [{ role: 'assistant', content: 'It is green.' }],
      }),
    );
    expect(parsed.format).toBe('conversational');
    expect(parsed.pairs[0].chosen).toEqual([{ role: 'assistant', content: 'It is blue.' }]);
  });

  it('implicit prompt (text): the shared prefix up to a word boundary becomes the prompt, as TRL’s extract_prompt', () => {
    const parsed = parsePreferenceJsonl(lines({ chosen: 'The sky is blue.', rejected: 'The sky is green.' }));
    expect(parsed.implicitPrompt).toBe(true);
    expect(parsed.pairs[0]).toEqual({ prompt: 'The sky is ', chosen: 'blue.', rejected: 'green.' });
    // "bl|ue" vs "bl|ack": the split moves back to the space.
    const word = parsePreferenceJsonl(lines({ chosen: 'It is blue.', rejected: 'It is black.' }));
    expect(word.pairs[0]).toEqual({ prompt: 'It is ', chosen: 'blue.', rejected: 'black.' });
  });

  it('implicit prompt (conversational): the shared leading messages become the prompt', () => {
    const user = { role: 'user', content: 'Sky?' };
    const parsed = parsePreferenceJsonl(
      lines({
        chosen: [user, { role: 'assistant', content: 'Blue.' }],
        rejected: [user, { role: 'assistant', content: 'Green.' }],
      }),
    );
    expect(parsed.pairs[0]).toEqual({
      prompt: [user],
      chosen: [{ role: 'assistant', content: 'Blue.' }],
      rejected: [{ role: 'assistant', content: 'Green.' }],
    });
  });

  it('skips blank lines and reports fields it ignores', () => {
    const parsed = parsePreferenceJsonl(
      `\n${JSON.stringify({ id: 7, prompt: 'p', chosen: 'a', rejected: 'b' })}\n\n`,
    );
    expect(parsed.lines).toEqual([2]);
    expect(parsed.ignoredFields).toEqual(['id']);
    expect(parsed.pairs[0]).toEqual({ prompt: 'p', chosen: 'a', rejected: 'b' });
  });
});

describe('parsePreferenceJsonl: bad input names the line and the field', () => {
  const ok = { prompt: 'p', chosen: 'a', rejected: 'b' };

  it('a missing field', () => {
    expect(parseError(lines(ok, { prompt: 'p', chosen: 'a' }))).toBe(
      "prefs.jsonl:2: missing field 'rejected'",
    );
  });

  it('a non-string completion', () => {
    expect(parseError(lines(ok, { prompt: 'q', chosen: 'a', rejected: 3 }))).toBe(
      "prefs.jsonl:2: field 'rejected' must be a string (standard format), got number",
    );
    expect(parseError(lines({ prompt: 'q', chosen: { text: 'a' }, rejected: 'b' }))).toMatch(
      /^prefs\.jsonl:1: field 'chosen' must be a string \(standard format\) or a list/,
    );
  });

  it('a malformed message in the conversational format', () => {
    const message = parseError(
      lines({ prompt: [{ role: 'user', content: 'q' }], chosen: [{ role: 'assistant' }], rejected: [] }),
    );
    expect(message).toBe("prefs.jsonl:1: missing field 'chosen.0.content'");
  });

  it('an empty file', () => {
    expect(parseError('\n\n')).toBe('prefs.jsonl: no preference pairs: the file is empty');
  });

  it('a duplicate pair', () => {
    expect(parseError(lines(ok, { prompt: 'p', chosen: 'a', rejected: 'c' }, ok))).toBe(
      'prefs.jsonl:3: duplicate pair: same prompt, chosen and rejected as line 1',
    );
  });

  it('invalid JSON and a line that is not an object', () => {
    expect(parseError(`${JSON.stringify(ok)}\n{"prompt": "p",\n`)).toMatch(
      /^prefs\.jsonl:2: invalid JSON \(/,
    );
    expect(parseError('[1, 2]\n')).toMatch(/^prefs\.jsonl:1: each line must be a JSON object/);
  });

  it('formats mixed in one file', () => {
    const conversational = {
      prompt: [{ role: 'user', content: 'q' }],
      chosen: [{ role: 'assistant', content: 'a' }],
      rejected: [{ role: 'assistant', content: 'b' }],
    };
    expect(parseError(lines(ok, conversational))).toBe(
      'prefs.jsonl:2: this line is in conversational format but the first line is in standard format; one file holds one format',
    );
  });
});

describe('export and the training view', () => {
  const pair = {
    prompt: 'What is 2 + 3?',
    chosen: 'It is 5.',
    rejected: 'It is 6.',
    truth: { chosen_utility: 1, rejected_utility: 0 },
  };

  it('converts standard ↔ conversational without loss for single turns', () => {
    const conversational = toFormat(pair, 'conversational');
    expect(conversational).toEqual({
      prompt: [{ role: 'user', content: 'What is 2 + 3?' }],
      chosen: [{ role: 'assistant', content: 'It is 5.' }],
      rejected: [{ role: 'assistant', content: 'It is 6.' }],
      truth: pair.truth,
    });
    expect(toFormat(conversational, 'standard')).toEqual(pair);
  });

  it('writes JSONL that parses back to the same pairs', () => {
    for (const format of ['standard', 'conversational'] as const) {
      const text = formatPreferenceJsonl([pair], { format });
      const back = parsePreferenceJsonl(text);
      expect(back.format).toBe(format);
      expect(toFormat(back.pairs[0], 'standard')).toEqual(pair);
    }
  });

  it('keeps ground truth out of what a trainer reads', () => {
    expect(trainingView(pair)).toEqual({
      prompt: 'What is 2 + 3?',
      chosen: 'It is 5.',
      rejected: 'It is 6.',
    });
    expect(formatPreferenceJsonl([pair], { format: 'standard', includeTruth: false })).toBe(
      '{"prompt":"What is 2 + 3?","chosen":"It is 5.","rejected":"It is 6."}\n',
    );
  });
});

describe('preferenceStats', () => {
  it('counts lengths, chosen-longer and confident wording (hand-counted)', () => {
    const stats = preferenceStats([
      {
        prompt: 'What is 2 + 3?',
        chosen: "I'm sure it is 5.",
        rejected: 'Maybe 6.',
        truth: { chosen_utility: 1, rejected_utility: 0 },
      },
      { prompt: 'Sky?', chosen: 'Blue.', rejected: "I'm sure it is green." },
    ]);
    expect(stats).toEqual({
      count: 2,
      meanPromptWords: (5 + 1) / 2,
      meanChosenWords: (5 + 1) / 2,
      meanRejectedWords: (2 + 5) / 2,
      chosenLongerShare: 0.5,
      chosenConfidentShare: 0.5,
      rejectedConfidentShare: 0.5,
      duplicates: 0,
      identicalCompletions: 0,
      withTruth: 1,
      truthAgreement: 1,
    });
  });

  it('counts duplicates in a file read with duplicates kept, and agreement over truth-separated pairs', () => {
    const row = {
      prompt: 'p',
      chosen: 'a',
      rejected: 'b',
      truth: { chosen_utility: 0, rejected_utility: 1 },
    };
    const tie = {
      prompt: 'q',
      chosen: 'a',
      rejected: 'b',
      truth: { chosen_utility: 1, rejected_utility: 1 },
    };
    const parsed = parsePreferenceJsonl(lines(row, tie, row), 'f', { duplicates: 'keep' });
    const stats = preferenceStats(parsed.pairs);
    expect(stats.duplicates).toBe(1);
    expect(stats.truthAgreement).toBe(0); // the two separated pairs both chose the worse completion
  });
});
