/**
 * learning-from-preferences (Christiano et al. 2017 on the boat race's lagoon variant): the quick
 * mode on seeds other than `reproduce`'s passes its computed claim checks; each control fails the
 * checks it exists for; other rater settings run and spend the label budget; a misspelt rater
 * key is named.
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/experiments/registry.js';
import type { RunResult, SeedResult } from '../../src/experiments/types.js';
import { type PlainObject, setPath, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';
import { runArm } from './arms.js';

const experiment = defaultRegistry.get('learning-from-preferences');

async function run(overrides: Record<string, number>, seed: number, base?: PlainObject): Promise<RunResult> {
  let raw = structuredClone(base ?? (experiment.quick as PlainObject));
  for (const [key, value] of Object.entries(overrides)) raw = setPath(raw, key, value);
  const { result, metrics } = await runExperimentInProcess(experiment, validateConfig(experiment, raw), seed);
  expect(metrics.values.every(Number.isFinite)).toBe(true);
  return result;
}

describe('learning-from-preferences', () => {
  it('quick mode on seeds 7 and 8: the baseline games, learning from preferences beats it on the mean', {
    timeout: 240_000,
  }, async () => {
    const runs: SeedResult<unknown>[] = [];
    for (const power of experiment.power?.quick ?? []) {
      for (const seed of [7, 8]) {
        const result = await run({ labels: Number(power) }, seed);
        expect(Number.isFinite(result.specified) && Number.isFinite(result.intended)).toBe(true);
        expect(result.summary?.labelsUsed).toBe(power);
        // The Q-learner on the lagoon's own reward circles the target: no lap.
        expect(result.summary?.baselineIntended).toBe(0);
        runs.push({ seed, power, config: {}, result });
      }
    }
    const passed = Object.fromEntries(checkClaim(experiment, runs).checks.map((c) => [c.name, c.passed]));
    expect(passed["laps with 300 labels minus the reward-gaming Q-learner's"]).toBe(true);
    expect(passed['laps gained from 10 to 300 labels']).toBe(true);
    // Not asserted: the share of racing's laps. Seed 8's agent ends circling the target under r̂
    // (r̂ overrates moves it has few labels on), so these two seeds average about half of 12 laps.
    const top = runs.filter((r) => r.power === 300).map((r) => r.result.intended);
    expect(Math.max(...top)).toBe(12);
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
    expect(result.intended).toBeGreaterThanOrEqual(0);
  });

  it('control coin-flip-rater (its quick arm, seeds 7 and 8) fails all three checks', {
    timeout: 240_000,
  }, async () => {
    const { checks } = await runArm(experiment, [7, 8], 'coin-flip-rater');
    expect(checks.filter((c) => c.passed).map((c) => c.name)).toEqual([]);
  });

  it('control baseline-intended-reward (its quick arm): the baseline races (12 laps), the margin check fails', {
    timeout: 240_000,
  }, async () => {
    const { runs, passed } = await runArm(experiment, [7, 8], 'baseline-intended-reward');
    for (const r of runs) expect(r.result.summary?.baselineIntended).toBe(12);
    expect(passed["laps with 300 labels minus the reward-gaming Q-learner's"]).toBe(false);
  });

  it('names a misspelt rater key', () => {
    expect(() => validateConfig(experiment, { rater: { betta: 1 } })).toThrow(/betta/);
  });
});
