/**
 * learning-from-preferences (Christiano et al. 2017 on the boat race): the quick mode on seeds
 * other than `reproduce`'s passes its computed claim checks; other rater settings run and spend
 * the label budget; a misspelt rater key is named.
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/experiments/registry.js';
import type { RunResult, SeedResult } from '../../src/experiments/types.js';
import { type PlainObject, setPath, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';

const experiment = defaultRegistry.get('learning-from-preferences');

async function run(overrides: Record<string, number>, seed: number, base?: PlainObject): Promise<RunResult> {
  let raw = structuredClone(base ?? (experiment.quick as PlainObject));
  for (const [key, value] of Object.entries(overrides)) raw = setPath(raw, key, value);
  const { result, metrics } = await runExperimentInProcess(experiment, validateConfig(experiment, raw), seed);
  expect(metrics.values.every(Number.isFinite)).toBe(true);
  return result;
}

describe('learning-from-preferences', () => {
  it('quick mode on seeds 7 and 8 passes its claim checks', { timeout: 120_000 }, async () => {
    const runs: SeedResult<unknown>[] = [];
    for (const power of experiment.power?.quick ?? []) {
      for (const seed of [7, 8]) {
        const result = await run({ labels: Number(power) }, seed);
        expect(Number.isFinite(result.specified) && Number.isFinite(result.intended)).toBe(true);
        expect(result.summary?.labelsUsed).toBe(power);
        runs.push({ seed, power, config: {}, result });
      }
    }
    const failed = checkClaim(experiment, runs)
      .checks.filter((c) => !c.passed)
      .map((c) => `${c.name}: ${c.value} (expected ${c.expected})`);
    expect(failed).toEqual([]);
  });

  it('runs with a noisier rater (β = 0.3, 20% flips) and reports finite reward-model accuracies', {
    timeout: 60_000,
  }, async () => {
    const result = await run({ labels: 100, 'rater.beta': 0.3, 'rater.flipProbability': 0.2 }, 3);
    expect(result.summary?.labelsUsed).toBe(100);
    for (const key of ['rewardModelAccuracy', 'rewardModelHeldOutAccuracy', 'baselineIntended', 'envReturn'])
      expect(Number.isFinite(result.summary?.[key])).toBe(true);
  });

  it('a full-size 10-label run stays finite (seed 0 once drove r̂ to NaN through a denormal AdamW moment)', {
    timeout: 60_000,
  }, async () => {
    const result = await run({ labels: 10 }, 0, {});
    expect(Number.isFinite(result.specified)).toBe(true);
    expect(result.intended).toBeGreaterThanOrEqual(-100);
  });

  it('names a misspelt rater key', () => {
    expect(() => validateConfig(experiment, { rater: { betta: 1 } })).toThrow(/betta/);
  });
});
