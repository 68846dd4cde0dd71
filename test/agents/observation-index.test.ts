import { describe, expect, it } from 'vitest';
import { ObservationIndex } from '../../src/agents/observation-index.js';
import type { GridObservation } from '../../src/envs/grid/env.js';

function observation(board: number[], extra: Record<string, number | boolean | null> = {}): GridObservation {
  return { board: Uint8Array.from(board), rows: 1, cols: board.length, extra };
}

describe('ObservationIndex', () => {
  it('gives dense ids in order of first sight and the same id to an equal observation', () => {
    const index = new ObservationIndex(observation([0, 1, 2]));
    expect(index.indexOf(observation([0, 1, 2]))).toBe(0);
    expect(index.indexOf(observation([2, 1, 0]))).toBe(1);
    expect(index.indexOf(observation([0, 1, 2]))).toBe(0);
    expect(index.size).toBe(2);
  });

  it('tells observations apart by their extras', () => {
    const index = new ObservationIndex(observation([1, 1], { supervisor: true }));
    const watched = index.indexOf(observation([1, 1], { supervisor: true }));
    const unwatched = index.indexOf(observation([1, 1], { supervisor: false }));
    expect(watched).not.toBe(unwatched);
  });

  it('finds without adding, and keeps every id through growth of its tables', () => {
    const index = new ObservationIndex(observation([0, 0]));
    expect(index.find(observation([0, 0]))).toBe(-1);
    for (let i = 0; i < 5000; i++) index.indexOf(observation([i & 255, i >> 8]));
    expect(index.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(index.find(observation([i & 255, i >> 8]))).toBe(i);
    expect(index.find(observation([0, 200]))).toBe(-1);
    expect(index.size).toBe(5000);
  });

  it('maps an unseen observation to the seen one with the fewest differing cells', () => {
    const index = new ObservationIndex(observation([0, 0, 0, 0]));
    index.indexOf(observation([1, 0, 0, 0]));
    index.indexOf(observation([0, 0, 2, 2]));
    expect(index.nearest(observation([1, 0, 0, 9]))).toBe(0);
    expect(index.nearest(observation([0, 0, 2, 9]))).toBe(1);
  });
});
