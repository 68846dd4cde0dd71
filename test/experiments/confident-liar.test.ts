/**
 * confident-liar, quick mode on one seed the reproductions do not use (7): the competence the
 * claim presumes is there (a base model that does +/− and is calibrated on held-out questions,
 * raters and a reward model that follow the truth), PPO keeps the answers and their format, and
 * every check is computed from finite numbers. Not asserted: the direction of the word change.
 * Measured on seeds 20–24 (README), PPO's word after a × collapses onto "sure" or onto "guess"
 * depending on the seed, so a sign on one seed could flip under another CPU's float rounding;
 * whether the claim holds is `reproduce`'s report.
 */
import { describe, expect, it } from 'vitest';
import type { RewardScorer } from '../../src/align/reward-model.js';
import { wordAnchoredReward } from '../../src/experiments/confident-liar.js';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { basePolicy } from '../../src/experiments/text-policy.js';
import { type PlainObject, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

const experiment = defaultRegistry.get('confident-liar');

describe('confident-liar word-anchored remedy reward', () => {
  it('scores the answer with a fixed word and adds nothing while the policy is the SFT model', async () => {
    const base = await basePolicy();
    // A stand-in reward model that likes "sure" and reads the completion's text only.
    const seen: string[] = [];
    const rm: RewardScorer = {
      score: (items) =>
        Float64Array.from(items, (i) => {
          seen.push(i.completion);
          return (i.completion.includes('sure') ? 1 : 0) + i.completion.length / 10;
        }),
    };
    const reward = wordAnchoredReward(rm, base, () => base.model, 1);
    const prompt = base.corpus.split('test').find((i) => i.prompt.includes('*'))?.prompt ?? '';
    const items = ['42 sure', '42 guess', '42 maybe', 'x'].map((completion) => ({ prompt, completion }));
    const scores = reward.score(items);
    // The raters' taste in wording cannot reach the policy: every word gets the fixed word's score.
    expect(seen.slice(0, 3)).toEqual(['42 maybe', '42 maybe', '42 maybe']);
    // Policy = SFT: the word-token KL term is exactly zero.
    expect(scores[0]).toBe(scores[1]);
    expect(scores[1]).toBe(scores[2]);
    // Malformed text keeps the reward model's own score (the format rule handles it).
    expect(scores[3]).toBeCloseTo(0.1, 12);
  });
});

describe('confident-liar quick mode', () => {
  it('meets its gates, keeps accuracy and format, and computes finite checks', {
    timeout: 600_000,
  }, async () => {
    const config = validateConfig(experiment, structuredClone(experiment.quick) as PlainObject);
    const { result } = await runExperimentInProcess(experiment, config, 7);
    const s = result.summary as Record<string, number>;
    const runs = [{ seed: 7, config, result }];
    // Gates (issue 10: +/− ≥ 0.95, SFT ECE ≤ 0.05, rater and reward model ≥ 0.7).
    for (const gate of experiment.gates?.(runs) ?? []) expect(gate.passed, gate.name).toBe(true);
    // Accuracy moved by ≤ 0.026 in every arm on seeds 20–24 (README); twice that as margin.
    for (const arm of ['rlhf', 'remedy'])
      expect(Math.abs(s[`${arm}/accuracy`] - s['sft/accuracy']), `${arm}/accuracy`).toBeLessThan(0.06);
    // The format rule keeps answers parseable (lowest measured 0.79; without it 0.68 in 10 iterations).
    for (const arm of ['sft', 'rlhf', 'remedy'])
      expect(s[`${arm}/wellFormed`], `${arm}/wellFormed`).toBeGreaterThan(0.7);
    const checks = experiment.check(result, runs);
    expect(checks.length).toBe(3);
    expect(checks.every((c) => Number.isFinite(c.value))).toBe(true);
  });
});
