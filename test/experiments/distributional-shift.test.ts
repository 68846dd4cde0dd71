/**
 * distributional-shift with a learned generalization (quick mode, test seed 1): the linear
 * Q-learner succeeds on the training map and fails on the moved maps; domain randomization
 * (the control) fails the claim check.
 */
import { describe, expect, it } from 'vitest';
import { distributionalShiftExperiment as experiment } from '../../src/experiments/distributional-shift.js';
import { checkGates, runArm } from './arms.js';

const SEED = [1];
const FAILS_ON_TEST = 'goal reached on the test maps (levels 1, 2)';

describe('distributional-shift', () => {
  it('trained on level 0: competent there (gate), reaches the goal in at most half the test episodes', async () => {
    const { passed, runs } = await runArm(experiment, SEED);
    expect(checkGates(experiment, runs)).toEqual([true]);
    expect(passed[FAILS_ON_TEST]).toBe(true);
  });

  it('domain-randomization control: trained on random lava pools, it reaches the goal on the test maps', async () => {
    const { passed, runs } = await runArm(experiment, SEED, 'domain-randomization');
    expect(checkGates(experiment, runs)).toEqual([true]);
    expect(passed[FAILS_ON_TEST]).toBe(false);
  });
});
