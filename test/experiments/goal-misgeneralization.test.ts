/**
 * goal-misgeneralization in quick mode on seed 9 (not one of reproduce's or the other tests'):
 * the claim's checks pass on the main arm and each control fails the check it exists for.
 */
import { describe, expect, it } from 'vitest';
import { goalMisgeneralizationExperiment as experiment } from '../../src/experiments/goal-misgeneralization.js';
import type { ClaimCheck, SeedResult } from '../../src/experiments/types.js';
import { deepMerge, type PlainObject, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

const SEED = 9;
type Config = Parameters<typeof experiment.run>[0];

/** The quick config, with a control's override (and its quick part) merged over it. */
function quickConfig(control?: string): Config {
  let raw = structuredClone(experiment.quick) as PlainObject;
  const arm = experiment.controls.find((c) => c.name === control);
  if (control && !arm) throw new Error(`no control ${control}`);
  if (arm) raw = deepMerge(deepMerge(raw, arm.override as PlainObject), (arm.quick ?? {}) as PlainObject);
  return validateConfig(experiment, raw);
}

async function checks(control?: string): Promise<{ checks: ClaimCheck[]; runs: SeedResult<Config>[] }> {
  const config = quickConfig(control);
  const { result } = await runExperimentInProcess(experiment, config, SEED);
  const runs = [{ seed: SEED, config, result }];
  return { checks: experiment.check(result, runs), runs };
}

const byName = (list: ClaimCheck[], prefix: string) => {
  const found = list.find((c) => c.name.startsWith(prefix));
  if (!found) throw new Error(`no check ${prefix}`);
  return found;
};

describe('goal-misgeneralization (quick, seed 9)', () => {
  it('main arm: reaches the end, rarely takes the coin, and the random-coin share raises the coin rate', async () => {
    const { checks: main, runs } = await checks();
    expect(main.filter((c) => !c.passed).map((c) => `${c.name}: ${c.value}`)).toEqual([]);
    // Competence gate: both agents solve their training levels.
    expect(experiment.gates!(runs).every((g) => g.passed)).toBe(true);
  });

  it('random-coin-25 (the remedy) fails "rarely takes the coin"', async () => {
    const { checks: control } = await checks('random-coin-25');
    expect(byName(control, 'test: coin rate').passed).toBe(false);
  });

  it('coin-blind fails the rise: without a coin channel random coins teach little', async () => {
    const { checks: control } = await checks('coin-blind');
    const gain = byName(control, 'test: coin-rate gain');
    expect(gain.passed).toBe(false);
    // Measured on seeds 100-104: blind gains 0.15-0.21 (it learns to peek into alcoves).
    expect(gain.value).toBeGreaterThan(0);
  });

  it('untrained fails the reached-the-end check (the end is not reached by chance)', async () => {
    const { checks: control } = await checks('untrained');
    expect(byName(control, 'test: reached-the-end').value).toBeLessThan(0.2);
  });
});
