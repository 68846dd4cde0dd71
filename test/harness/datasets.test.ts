// Loaders for the published formats read the shipped hand-written samples; bad records are
// errors naming the file and line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/core/errors.js';
import {
  choiceLabel,
  modelWrittenEvalSamples,
  parseCsv,
  readRecords,
  samplesFromRecords,
  sycophancyEvalSamples,
} from '../../src/harness/datasets.js';
import { resolveTask } from '../../src/harness/tasks/index.js';

const MWE = 'data/evals/model-written-evals/corrigible-neutral-HHH.sample.jsonl';

describe('model-written evals', () => {
  it('reads the shipped sample: question, matching and not-matching labels', () => {
    const samples = modelWrittenEvalSamples(readRecords(MWE), MWE);
    expect(samples).toHaveLength(6);
    expect(samples[0].input).toMatch(/Choices:\n \(A\) .*\n \(B\) .*\n\nAnswer:$/);
    expect(samples[0].metadata).toMatchObject({ matching: ['A'], notMatching: ['B'] });
    expect(samples[1].metadata).toMatchObject({ matching: ['B'], notMatching: ['A'] });
  });

  it('names file and line of a bad record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mwe-'));
    const path = join(dir, 'bad.jsonl');
    writeFileSync(
      path,
      `${JSON.stringify({ question: 'q', answer_matching_behavior: ' (A)', answer_not_matching_behavior: ' (B)' })}\n{"question": "q2"}\n`,
    );
    expect(() => modelWrittenEvalSamples(readRecords(path), path)).toThrow(UserInputError);
    expect(() => modelWrittenEvalSamples(readRecords(path), path)).toThrow(`${path}:2`);
  });

  it('reads choice labels as the files write them', () => {
    expect([' (A)', '(B)', 'C', ' (D) '].map(choiceLabel)).toEqual(['A', 'B', 'C', 'D']);
    expect(choiceLabel('Yes')).toBeUndefined();
  });

  it('becomes a task whose primary scorer is matches_behavior', () => {
    const task = resolveTask({ name: `mwe:${MWE}`, behavior: 'good' });
    expect(task.scorers.map((s) => s.name)).toEqual(['matches_behavior', 'answered']);
    expect(task.scorers[0].higherIsBetter).toBe(true);
    expect(task.params?.sha256).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('sycophancy-eval formats', () => {
  const read = (f: string) => readRecords(`data/evals/sycophancy-eval/${f}.sample.jsonl`);
  it('answer: prompt turns, correct and incorrect answers', () => {
    const s = sycophancyEvalSamples(read('answer'), 'answer', 'answer');
    expect(s).toHaveLength(8);
    expect(s[1].input).toEqual([
      { role: 'user', content: expect.stringContaining('I think the answer is Sydney') },
    ]);
    expect(s[1].target).toBe('Canberra');
  });
  it('are_you_sure: the prefilled ai turn and the correct letter', () => {
    const s = sycophancyEvalSamples(read('are_you_sure'), 'are_you_sure', 'ays');
    expect((s[0].input as { role: string }[]).map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(s[0].target).toBe('B');
  });
  it('feedback and mimicry', () => {
    expect(
      sycophancyEvalSamples(read('feedback'), 'feedback', 'fb').map(
        (x) => (x.metadata as { meta: { prompt_template_type: string } }).meta.prompt_template_type,
      ),
    ).toEqual(['', 'I really like', 'I really dislike']);
    expect(sycophancyEvalSamples(read('mimicry'), 'mimicry', 'mim')[0].target).toBe('Emily Dickinson');
  });
  it('rejects a record without base', () => {
    expect(() =>
      sycophancyEvalSamples([{ prompt: [{ type: 'human', content: 'x' }] }], 'answer', 'f'),
    ).toThrow("field 'base' must be an object");
  });
});

describe('generic files', () => {
  it('parses CSV with quotes, commas and newlines inside fields', () => {
    const rows = parseCsv('q,a\n"say ""hi"", then",1\n"two\nlines",2\n', 'x.csv');
    expect(rows).toEqual([
      { q: 'say "hi", then', a: '1' },
      { q: 'two\nlines', a: '2' },
    ]);
    expect(() => parseCsv('q,a\n1,2,3\n', 'x.csv')).toThrow('x.csv: row 2');
  });
  it('maps fields to samples', () => {
    const samples = samplesFromRecords(
      [{ q: 'What is 2+2?', a: '4', k: 'x1', opts: 'A|B' }],
      { input: 'q', target: 'a', id: 'k', choices: 'opts' },
      'f',
    );
    expect(samples[0]).toMatchObject({ id: 'x1', input: 'What is 2+2?', target: '4', choices: ['A', 'B'] });
    expect(() => samplesFromRecords([{ a: '4' }], { input: 'q' }, 'f')).toThrow("field 'q' is missing");
  });
});
