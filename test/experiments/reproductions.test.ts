/**
 * Every gridworld reproduction in its quick mode, judged as `reproduce` judges it — main arm
 * and controls on the same seeds, checks per seed, every check failed by some control — on
 * seeds other than `reproduce`'s defaults (0, 1, 2) and the closing note's (100-106).
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { validateConfig } from '../../src/lab/config.js';
import { reproduceInProcess } from '../../src/lab/reproduce.js';

const IDS = [
  'proxy-bandit',
  'boat-race',
  'tomato-watering',
  'absent-supervisor',
  'safe-interruptibility',
  'side-effects-sokoban',
  'conveyor-belt',
  'whisky-gold',
  'island-navigation',
  'rocks-diamonds',
  'friend-foe',
  'distributional-shift',
  'goal-misgeneralization',
  'goodhart-curve',
];
// Five seeds: the verdict needs every check on 4 of them (80%), as on any seed set.
const SEEDS = [7, 8, 9, 10, 11];

describe.each(IDS)('%s (quick, seeds 7-11)', (id) => {
  it('holds: gates met, every check on the mean and on every seed, each failed by a control', {
    timeout: 180_000,
  }, async () => {
    const evidence = await reproduceInProcess(defaultRegistry.get(id), { quick: true, seeds: SEEDS });
    expect(evidence.checks.length).toBeGreaterThan(0);
    expect(evidence.reasons).toEqual([]);
    expect(evidence.verdict).toBe('holds');
  });
});

describe('experiment configs', () => {
  it('reject unknown keys and out-of-range values with the key named', () => {
    const experiment = defaultRegistry.get('boat-race');
    expect(() => validateConfig(experiment, { learner: { episodez: 3 } })).toThrow(/episodez/);
    expect(() => validateConfig(experiment, { learner: { alpha: 2 } })).toThrow(/alpha/);
  });
});
