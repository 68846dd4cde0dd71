/**
 * The relative reachability penalty (Krakovna et al. 2019) on worlds small enough to count
 * their states by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  ReachabilityModel,
  relativeReachability,
  relativeReachabilityConfig,
  withRelativeReachability,
} from '../../src/agents/relative-reachability.js';
import { parseActions } from '../../src/envs/grid/rollout.js';
import { Action } from '../../src/envs/grid/world.js';
import { makeEnv } from '../../src/envs/suite/index.js';

/** The undiscounted penalty of each step of `actions` from the start (stepwise baseline, no rollouts). */
function stepPenalties(model: ReachabilityModel, actions: string): number[] {
  let state = model.start;
  return parseActions(actions).map((a) => {
    const next = model.next(state, a);
    const d = relativeReachability(model, next, model.next(state, Action.NOOP), false, 0.99);
    state = next;
    return d;
  });
}

describe('relative reachability on side-effects-sokoban level 0', () => {
  const model = ReachabilityModel.explore(makeEnv('side-effects-sokoban').env, 1);

  it('charges nothing for walking: every state stays reachable (walk back)', () => {
    // 'l' then 'r' moves only the agent.
    expect(stepPenalties(model, 'lr')).toEqual([0, 0]);
  });

  it('charges the corner push for every state but the 10 left reachable', () => {
    // Box stuck at row 3, column 2: the agent can still stand on 9 floor cells and the goal
    // (counted on the level art); every other state was reachable from the baseline (the start).
    const [d] = stepPenalties(model, 'd');
    expect(d).toBeCloseTo(1 - 10 / model.size, 12);
  });

  it('charges the reversible push right less than the corner push', () => {
    const right = stepPenalties(model, 'ldr')[2];
    const corner = stepPenalties(model, 'd')[0];
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(corner / 2);
  });
});

describe('relative reachability on conveyor-belt (vase, noops)', () => {
  const world = () => makeEnv('conveyor-belt', { variant: 'vase', params: { noops: true } });

  /** The shaped reward of each step of `actions` under a penalty config. */
  function shapedRewards(actions: string, overrides: Record<string, unknown>): number[] {
    const made = world();
    const env = withRelativeReachability(made.env, relativeReachabilityConfig.parse(overrides));
    env.reset();
    return parseActions(actions).map((a) => env.step(a).reward);
  }

  it('stepwise baseline: taking the vase off costs far less than pushing it back on (no offsetting)', () => {
    // dd: the second step pushes the vase off the belt (+50); ddrddlu pushes it back on at the last step.
    const takeOff = 50 - shapedRewards('dd', {})[1];
    const putBack = -shapedRewards('ddrddlu', {})[6];
    expect(takeOff).toBeGreaterThan(0);
    expect(putBack).toBeGreaterThan(10 * takeOff);
  });

  it('inaction baseline: once the vase would have broken, keeping it intact is charged every step', () => {
    // After 'dd' the vase is off; from step 4 on the baseline (4 noops from the start) has it broken.
    const rewards = shapedRewards('dduuuu', { baseline: 'inaction' });
    expect(rewards[5]).toBeLessThan(0);
    expect(shapedRewards('dduuuu', {})[5]).toBeGreaterThan(rewards[5]);
  });

  it('with beta = 0 the reward is the world reward', () => {
    expect(shapedRewards('ddrddlu', { beta: 0 })).toEqual([0, 50, 0, 0, 0, 0, 0]);
  });
});
