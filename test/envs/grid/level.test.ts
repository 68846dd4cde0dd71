import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../src/core/errors.js';
import { parseLevel } from '../../../src/envs/grid/index.js';

const parse = (art: string[]) => parseLevel(art, { legend: '# G', source: 'test.txt' });

describe('parseLevel', () => {
  it('parses a rectangle and finds the agent', () => {
    const level = parse(['####', '#AG#', '####']);
    expect([level.rows, level.cols, level.agent]).toEqual([3, 4, 5]);
    expect(String.fromCharCode(...level.cells)).toBe('#####AG#####');
  });

  it('names the row of a ragged row', () => {
    expect(() => parse(['####', '#AG', '####'])).toThrow(/test.txt: row 2 has 3 columns but row 1 has 4/);
  });

  it('names row and column of an unknown character and lists the valid ones', () => {
    expect(() => parse(['####', '#AX#', '####'])).toThrow(
      /row 2, column 3: unknown character "X" \(choose one of:/,
    );
  });

  it('rejects a level without an agent', () => {
    expect(() => parse(['####', '# G#', '####'])).toThrow(/no agent/);
  });

  it('rejects a second agent, naming both places', () => {
    expect(() => parse(['####', '#AA#', '####'])).toThrow(
      /row 2, column 3: a second agent "A" \(the first is at row 2, column 2\)/,
    );
  });

  it('throws UserInputError (printed in one line by the CLI)', () => {
    expect(() => parse([])).toThrow(UserInputError);
  });
});
