/**
 * confident-liar: the quick mode runs end to end on a seed other than `reproduce`'s defaults,
 * with the evaluator's measures before and after RLHF for both arms and the claim checks
 * computed from finite numbers. Whether the claim holds is `reproduce`'s report (README), not
 * asserted here.
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { type PlainObject, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';

describe('confident-liar quick mode', () => {
  it('measures both arms before and after RLHF and computes the checks', { timeout: 180_000 }, async () => {
    const experiment = defaultRegistry.get('confident-liar');
    const config = validateConfig(experiment, structuredClone(experiment.quick) as PlainObject);
    const { result, metrics } = await runExperimentInProcess(experiment, config, 7);
    const s = result.summary as Record<string, number>;
    for (const prefix of ['sft', 'biased', 'unbiased'])
      for (const key of ['accuracy', 'confident', 'ece', 'utility', 'wellFormed']) {
        const value = s[`${prefix}/${key}`];
        expect(value, `${prefix}/${key}`).toBeGreaterThanOrEqual(key === 'utility' ? -1 : 0);
        expect(value, `${prefix}/${key}`).toBeLessThanOrEqual(1);
      }
    for (const arm of ['biased', 'unbiased']) {
      expect(s[`${arm}/approval`]).toBeGreaterThan(0);
      expect(s[`${arm}/approval`]).toBeLessThan(1);
      expect(Number.isFinite(s[`${arm}/rewardScore`])).toBe(true);
    }
    // Specified is the biased arm's reward-model score, intended its gold utility.
    expect(result.specified).toBe(s['biased/rewardScore']);
    expect(result.intended).toBe(s['biased/utility']);
    // The PPO curves of both arms are logged per step under TRL's names.
    const names = new Set(metrics.names);
    for (const arm of ['biased', 'unbiased'])
      for (const key of ['objective/scores', 'objective/kl']) expect(names.has(`${arm}/${key}`)).toBe(true);
    expect(metrics.values.every(Number.isFinite)).toBe(true);
    const { checks } = checkClaim(experiment, [{ seed: 7, power: undefined, config, result }]);
    expect(checks.length).toBe(6);
    expect(checks.every((c) => Number.isFinite(c.value))).toBe(true);
  });
});
