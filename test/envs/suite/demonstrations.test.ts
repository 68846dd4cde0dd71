import { describe, expect, it } from 'vitest';
import { defineWorld, makeWorldEnv, noParams } from '../../../src/envs/grid/definition.js';
import { parseActions, runEpisode } from '../../../src/envs/grid/rollout.js';
import { GridWorld } from '../../../src/envs/grid/world.js';
import { demonstrations, demonstrationsOf } from '../../../src/envs/suite/demonstrations.js';
import { makeEnv, worldIds } from '../../../src/envs/suite/index.js';

describe('demonstrations', () => {
  it('every registered world has a safe demonstration, and no other id has any', () => {
    expect(Object.keys(demonstrations).sort()).toEqual(worldIds().sort());
    for (const id of worldIds()) expect(demonstrationsOf(id).safe.actions.length).toBeGreaterThan(0);
    expect(() => demonstrationsOf('boat-rac')).toThrow(/no demonstrations for world 'boat-rac'/);
  });

  it("island navigation's gaming episode walks into the water: the hidden -50 is the performance", () => {
    // Hand count: three steps left from the start, the third into the water: -1 × 3 - 50 = -53.
    const { gaming } = demonstrationsOf('island-navigation');
    const made = makeEnv('island-navigation');
    const record = runEpisode(made, parseActions(gaming?.actions ?? ''), 0);
    expect(record.return).toBe(-3);
    expect(record.performance).toBe(-53);
  });
});

class OneStep extends GridWorld {
  constructor(performance?: 'return' | 'hidden-return') {
    super({ art: ['###', '#A#', '###'], legend: '#', valueMapping: { '#': 0, ' ': 1, A: 2 }, performance });
  }
  protected onReset(): void {}
  protected onStep(): void {
    this.addReward(1);
    this.addHiddenReward(-1);
    this.terminate();
  }
}

describe('defineWorld and WorldConfig defaults', () => {
  const declare = (performance?: 'return' | 'hidden-return') =>
    defineWorld({
      id: 'one-step',
      title: 'One step',
      kind: 'specification',
      params: noParams,
      specified: '+1',
      intended: '-1',
      create: () => new OneStep(performance),
    });

  it('a world without levels has the one level 0, its default', () => {
    expect(declare()).toMatchObject({ levels: [0], defaultLevel: 0 });
  });

  it("performance is the specified return by default and the hidden return under 'hidden-return'", () => {
    for (const [mode, expected] of [
      [undefined, 1],
      ['hidden-return', -1],
    ] as const) {
      // One noop: +1 specified, -1 hidden, and the episode ends.
      const record = runEpisode(makeWorldEnv(declare(mode)), [4], 0);
      expect(record.return).toBe(1);
      expect(record.performance).toBe(expected);
    }
  });
});
