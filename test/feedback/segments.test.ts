import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { type Segment, segmentRater, segmentTrueReturn, segmentView } from '../../src/feedback/index.js';

const lapping: Segment<string> = {
  observations: ['s0', 's1', 's2'],
  actions: [3, 3, 1],
  truth: { stepValues: [1, 1, 1] },
};
const circling: Segment<string> = {
  observations: ['s0', 's1', 's0'],
  actions: [3, 2, 3],
  truth: { stepValues: [1, -1, 1] },
};

describe('trajectory segments (Christiano et al. 2017)', () => {
  it('sums the hidden per-step values', () => {
    expect(segmentTrueReturn(lapping)).toBe(3);
    expect(segmentTrueReturn(circling)).toBe(1);
  });

  it('the learner’s view carries observations and actions but no truth', () => {
    const view = segmentView(lapping);
    expect(view).toEqual({ observations: ['s0', 's1', 's2'], actions: [3, 3, 1] });
    expect('truth' in view).toBe(false);
  });

  it('a rational segment rater prefers the segment with the larger hidden return', async () => {
    const rater = segmentRater<string>({ beta: Number.POSITIVE_INFINITY, rng: new Rng(0) });
    expect((await rater.compare('', circling, lapping)).choice).toBe('b');
    expect(rater.preferenceProbability('', lapping, circling)).toBe(1);
  });

  it('a Boltzmann segment rater: β = 0.5, Δ = 2 → P = σ(1) = 0.7310586', () => {
    const rater = segmentRater<string>({ beta: 0.5, rng: new Rng(0) });
    expect(rater.preferenceProbability('', lapping, circling)).toBeCloseTo(0.7310586, 6);
  });
});
