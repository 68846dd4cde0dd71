/**
 * Every gridworld reproduction in its quick mode, on seeds other than `reproduce`'s defaults
 * (0, 1, 2): the claim checks are computed from the runs and must pass.
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/experiments/registry.js';
import type { SeedResult } from '../../src/experiments/types.js';
import { type PlainObject, setPath, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';

const IDS = [
  'boat-race',
  'tomato-watering',
  'absent-supervisor',
  'safe-interruptibility',
  'side-effects-sokoban',
  'whisky-gold',
  'island-navigation',
  'rocks-diamonds',
  'friend-foe',
  'distributional-shift',
  'goal-misgeneralization',
  'goodhart-curve',
];
const SEEDS = [7, 8];

describe.each(IDS)('%s (quick, seeds 7 and 8)', (id) => {
  it('passes its claim checks', { timeout: 60_000 }, async () => {
    const experiment = defaultRegistry.get(id);
    const quick = structuredClone(experiment.quick) as PlainObject;
    const powers = experiment.power ? (experiment.power.quick ?? experiment.power.values) : [undefined];
    const runs: SeedResult<unknown>[] = [];
    for (const power of powers) {
      const raw = power === undefined ? quick : setPath(quick, experiment.power!.param, power);
      const config = validateConfig(experiment, raw);
      for (const seed of SEEDS) {
        const { result, metrics } = await runExperimentInProcess(experiment, config, seed);
        expect(Number.isFinite(result.specified) && Number.isFinite(result.intended)).toBe(true);
        expect(metrics.values.every(Number.isFinite)).toBe(true);
        runs.push({ seed, power, config, result });
      }
    }
    const { checks } = checkClaim(experiment, runs);
    expect(checks.length).toBeGreaterThan(0);
    const failed = checks
      .filter((c) => !c.passed)
      .map((c) => `${c.name}: ${c.value} (expected ${c.expected})`);
    expect(failed).toEqual([]);
  });
});

describe('experiment configs', () => {
  it('reject unknown keys and out-of-range values with the key named', () => {
    const experiment = defaultRegistry.get('boat-race');
    expect(() => validateConfig(experiment, { learner: { episodez: 3 } })).toThrow(/episodez/);
    expect(() => validateConfig(experiment, { learner: { alpha: 2 } })).toThrow(/alpha/);
  });
});
