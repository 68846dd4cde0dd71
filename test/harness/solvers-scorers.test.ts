// Solvers compose, and each scorer reads an answer as documented (hand-made outputs, no model).
import { describe, expect, it } from 'vitest';
import { runEval } from '../../src/harness/run.js';
import {
  choice,
  custom,
  exactMatch,
  finalAnswer,
  includes,
  modelGraded,
  numeric,
  parseChoiceLetter,
  regexMatch,
} from '../../src/harness/scorers.js';
import {
  chain,
  chainOfThought,
  generate,
  multipleChoice,
  selfConsistency,
  systemMessage,
} from '../../src/harness/solvers.js';
import type { EvalModel, ModelRequest, Scorer, TaskState } from '../../src/harness/types.js';

/** A model that replies by a function of the request (and records what it was asked). */
function scripted(reply: (r: ModelRequest) => string): EvalModel & { seen: ModelRequest[] } {
  const seen: ModelRequest[] = [];
  return {
    id: 'scripted',
    provider: 'test',
    fingerprint: 'scripted',
    seen,
    async call(request) {
      seen.push(request);
      return { text: reply(request), attempts: 1 };
    },
  };
}

const state = (output: string, target?: string | string[], choices?: string[]): TaskState => ({
  sample: { id: '1', input: 'q', target, choices },
  epoch: 1,
  messages: [],
  output,
  calls: [],
  store: {},
});
const ctx = { generate: async () => '' };
const score = async (s: Scorer, st: TaskState) => (await s.score(st, ctx)).value;

describe('solvers', () => {
  it('chain(systemMessage, chainOfThought, generate): system first, the prompt wrapped, the answer appended', async () => {
    const model = scripted(() => 'Let me think.\nANSWER: 4');
    const log = await runEval(
      {
        name: 't',
        description: '',
        samples: [{ id: 'a', input: 'What is 2+2?', target: '4' }],
        solver: chain(systemMessage('Be careful.'), chainOfThought(), generate()),
        scorers: [exactMatch()],
      },
      model,
    );
    const asked = model.seen[0].messages ?? [];
    expect(asked.map((m) => m.role)).toEqual(['system', 'user']);
    expect(asked[1].content).toMatch(/^What is 2\+2\?\n\nThink step by step/);
    expect(log.samples[0]).toMatchObject({ passed: true, output: 'Let me think.\nANSWER: 4' });
    expect(log.samples[0].messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Let me think.\nANSWER: 4',
    });
  });

  it('multipleChoice lists (A), (B), … and selfConsistency keeps the most common answer', async () => {
    const replies = ['B', 'A', 'B', 'A', 'A'];
    let call = 0;
    const model = scripted(() => replies[call++]);
    const log = await runEval(
      {
        name: 't',
        description: '',
        samples: [{ id: 'a', input: 'Pick.', target: 'A', choices: ['yes', 'no'] }],
        solver: selfConsistency(5),
        scorers: [choice()],
      },
      model,
      { temperature: 1 },
    );
    const listing = scripted(() => '(A)');
    const mc = await runEval(
      {
        name: 't',
        description: '',
        samples: [{ id: 'a', input: 'Pick.', target: 'A', choices: ['yes', 'no'] }],
        solver: multipleChoice(),
        scorers: [choice()],
      },
      listing,
    );
    expect(listing.seen[0].messages?.[0].content).toMatch(/Choices:\n\(A\) yes\n\(B\) no/);
    expect(mc.samples[0].passed).toBe(true);
    // B, A, B, A, A: A has three votes of five; each sample had its own seed.
    expect(log.samples[0].store?.selfConsistency).toEqual({ answers: replies, votes: 3 });
    expect(log.samples[0]).toMatchObject({ output: 'A', passed: true });
    expect(new Set(model.seen.map((r) => r.seed)).size).toBe(5);
  });
});

describe('scorers', () => {
  it('exact, includes and regex', async () => {
    expect(await score(exactMatch(), state('  Paris ', 'paris'))).toBe(1);
    expect(await score(exactMatch(), state('Paris, France', 'Paris'))).toBe(0);
    expect(await score(includes(), state('It is Paris, France', 'paris'))).toBe(1);
    expect(await score(regexMatch(/answer is (\w+)/), state('the answer is Rome', 'Rome'))).toBe(1);
    expect(await score(regexMatch(/answer is (\w+)/), state('Rome', 'Rome'))).toBe(0);
  });

  it('choice letters as models write them', () => {
    expect(
      ['(B)', 'B', 'B) no', ' (A) Yes, I consent.', 'ANSWER: C', 'I pick (B).'].map((t) =>
        parseChoiceLetter(t, 4),
      ),
    ).toEqual(['B', 'B', 'B', 'A', 'C', 'B']);
    expect(parseChoiceLetter('58 sure', 2)).toBeUndefined();
  });

  it('numeric tolerance and the last ANSWER line', async () => {
    expect(finalAnswer('work\nANSWER: 12\nmore\nANSWER: 13')).toBe('13');
    expect(await score(numeric(0.5), state('about 3.4', '3'))).toBe(1);
    expect(await score(numeric(0.5), state('about 3.6', '3'))).toBe(0);
    expect(await score(numeric(), state('1,200 apples', '1200'))).toBe(1);
    expect(await score(numeric(), state('none', '1'))).toBe(0);
  });

  it('model-graded: the grader’s last GRADE line decides; none is null', async () => {
    const graded = modelGraded('Is it right?');
    const with_ = (reply: string) => ({ generate: async () => reply });
    expect((await graded.score(state('4', '4'), with_('Looks right. GRADE: C'))).value).toBe(1);
    expect((await graded.score(state('5', '4'), with_('GRADE: C then no, GRADE: I'))).value).toBe(0);
    expect((await graded.score(state('5', '4'), with_('no idea'))).value).toBeNull();
  });

  it('custom scorers', async () => {
    const long = custom('long', (s) => ({ value: Number(s.output.length > 3) }));
    expect(await score(long, state('abcd'))).toBe(1);
  });
});
