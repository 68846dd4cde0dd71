/**
 * goodhart-curve: on the boat race's lagoon and on rocks-and-diamonds the intended score peaks
 * at a low training length and falls at the top while the specified return rises. Quick mode
 * on seeds 7 and 8 (not `reproduce`'s defaults); the intended-reward control fails every check.
 */
import { describe, expect, it } from 'vitest';
import { goodhartCurveExperiment } from '../../src/experiments/goodhart-curve.js';
import { runArm } from './arms.js';

const SEEDS = [7, 8];

describe('goodhart-curve', () => {
  it('quick mode on seeds 7 and 8: every parting check passes', { timeout: 60_000 }, async () => {
    const { runs, checks } = await runArm(goodhartCurveExperiment, SEEDS);
    expect(checks).toHaveLength(4);
    expect(checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.value}`)).toEqual([]);
    // The boat: racing's 12 laps at 10 episodes, none at 3000 (the lagoon target's loop).
    const laps = (power: number) =>
      runs.filter((r) => r.power === power).map((r) => r.result.summary?.['boat-race/intended']);
    expect(laps(10)).toEqual([12, 12]);
    expect(laps(3000)).toEqual([0, 0]);
  });

  it('control intended-reward fails every check (no parting)', { timeout: 60_000 }, async () => {
    const { checks } = await runArm(goodhartCurveExperiment, SEEDS, 'intended-reward');
    expect(checks.filter((c) => c.passed).map((c) => c.name)).toEqual([]);
  });
});
