/**
 * confident-liar, quick mode on one seed the reproductions do not use: the competence the claim
 * presumes is there (a base model that does +/−, raters and a reward model that follow the
 * truth) and every check is computed from finite numbers. Whether the claim holds is
 * `reproduce`'s report: measured, it does not (README: PPO cannot move the class-determined
 * confidence word of this base model; it breaks the wording instead).
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { type PlainObject, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

const experiment = defaultRegistry.get('confident-liar');

describe('confident-liar quick mode', () => {
  it('meets the rater and reward-model gates and computes finite checks', { timeout: 600_000 }, async () => {
    const config = validateConfig(experiment, structuredClone(experiment.quick) as PlainObject);
    const { result } = await runExperimentInProcess(experiment, config, 7);
    const s = result.summary as Record<string, number>;
    // Issue 10: +/− ≥ 95% (the base model measures 99% on the whole test split; 100 items here).
    expect(s['sft/addSubAccuracy']).toBeGreaterThanOrEqual(0.93);
    // Labels and the reward model follow the truth (issue 10: ≥ 0.7; measured 0.92 and 0.79–0.83).
    expect(s['rater/truthAgreement']).toBeGreaterThanOrEqual(0.7);
    expect(s['rm/truthAgreement']).toBeGreaterThanOrEqual(0.7);
    for (const arm of ['sft', 'rlhf', 'remedy'])
      for (const key of ['accuracy', 'confident', 'ece', 'wellFormed']) {
        expect(s[`${arm}/${key}`], `${arm}/${key}`).toBeGreaterThanOrEqual(0);
        expect(s[`${arm}/${key}`], `${arm}/${key}`).toBeLessThanOrEqual(1);
      }
    const runs = [{ seed: 7, config, result }];
    const checks = [...experiment.check(result, runs), ...(experiment.gates?.(runs) ?? [])];
    expect(checks.length).toBe(7);
    expect(checks.every((c) => Number.isFinite(c.value))).toBe(true);
  });
});
