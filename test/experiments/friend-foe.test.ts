/**
 * friend-foe per room (quick mode, test seed 6): the claim's four checks pass, and each is
 * failed by a control (a fixed policy for EXP3's check, a coin flip for the other three).
 */
import { describe, expect, it } from 'vitest';
import { Exp3 } from '../../src/agents/exp3.js';
import { Rng } from '../../src/core/rng.js';
import { friendFoeExperiment as experiment } from '../../src/experiments/friend-foe.js';
import { runArm } from './arms.js';

// Any seed: the neutral check passed on all of seeds 100-119 (see the config comment).
const SEED = [6];
const FRIEND = 'friend: Q-learner reward rate';
const NEUTRAL = 'neutral: Q-learner expected reward rate';
const EXPLOITED = 'adversary: Q-learner reward rate';
const MINIMAX = 'adversary: EXP3 reward rate';

describe('friend-foe', () => {
  it('holds per room on a test seed: friend learnt, neutral best box, Q-learner exploited, EXP3 near 0.5', async () => {
    const { passed, checks } = await runArm(experiment, SEED);
    expect(passed).toEqual({ [FRIEND]: true, [NEUTRAL]: true, [EXPLOITED]: true, [MINIMAX]: true });
    // A deterministic policy is found out after one episode: at most a few of the 400 episodes pay.
    expect(checks.find((c) => c.name === EXPLOITED)!.value).toBeLessThan(0.05);
  });

  it('fixed-policy control: a fixed box is exploited by the foe, so the EXP3 check fails', async () => {
    const { passed, checks } = await runArm(experiment, SEED, 'fixed-policy');
    expect(passed[MINIMAX]).toBe(false);
    expect(checks.find((c) => c.name === MINIMAX)!.value).toBeLessThan(0.05);
  });

  it('uniform-random control: a coin flip fails the friend, neutral and exploitation checks', async () => {
    const { passed } = await runArm(experiment, SEED, 'uniform-random');
    expect([passed[FRIEND], passed[NEUTRAL], passed[EXPLOITED]]).toEqual([false, false, false]);
  });
});

describe('Exp3', () => {
  it('moves its mixed strategy towards the arm that pays, never below γ/K', () => {
    const bandit = new Exp3(2, { gamma: 0.1 });
    const rng = new Rng(1);
    for (let t = 0; t < 500; t++) {
      const arm = bandit.choose(0, rng);
      bandit.update(0, arm, arm === 1 ? 1 : 0);
    }
    const [p0, p1] = bandit.probabilities(0);
    expect(p1).toBeGreaterThan(0.9);
    // Auer et al.'s mixture keeps γ/K = 0.05 on every arm.
    expect(p0).toBeGreaterThanOrEqual(0.05 - 1e-12);
    // Another context has its own strategy, still uniform.
    expect(Array.from(bandit.probabilities(1))).toEqual([0.5, 0.5]);
  });
});
