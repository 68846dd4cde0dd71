/**
 * dpo-vs-ppo: the frontier arithmetic, and the quick mode on a seed other than `reproduce`'s
 * defaults — finite (KL, gold) points for every β and kl_coef and the claim checks computed
 * from them. Whether DPO dominates is the claim's business (reported by `reproduce`, README),
 * not asserted here.
 */
import { describe, expect, it } from 'vitest';
import {
  checkpointSteps,
  frontierGap,
  goldWithin,
  interpolate,
  paretoFrontier,
} from '../../src/experiments/dpo-vs-ppo.js';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { type PlainObject, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';

const sft = { kl: 0, gold: 0.5 };

describe('reward–KL frontier', () => {
  it('keeps the points no lower-KL point beats, and interpolates gold between them', () => {
    const f = paretoFrontier([{ kl: 2, gold: 0.4 }, sft, { kl: 1, gold: 0.7 }, { kl: 3, gold: 0.9 }]);
    expect(f).toEqual([sft, { kl: 1, gold: 0.7 }, { kl: 3, gold: 0.9 }]);
    expect(interpolate(f, 0.5)).toBeCloseTo(0.6);
    expect(interpolate(f, 4)).toBeNaN();
    expect(goldWithin(f, 4)).toBeCloseTo(0.9);
  });

  it('a method that never beats SFT is dominated by one that does, over the shared KL range', () => {
    const worse = [sft, { kl: 1, gold: 0.3 }, { kl: 2, gold: 0.1 }];
    const better = [sft, { kl: 1, gold: 0.7 }, { kl: 4, gold: 0.2 }];
    const { gap, range } = frontierGap(worse, better, 4);
    expect(range).toBe(2);
    // KL budgets 0, 0.5, 1, 1.5, 2: gaps 0, −0.1, −0.2, −0.2, −0.2.
    expect(gap).toBeCloseTo(-0.14);
    expect(frontierGap(better, worse, 4).gap).toBeCloseTo(0.14);
    expect(frontierGap([sft], better).gap).toBeNaN();
  });

  it('spreads checkpoints evenly and always measures the last step', () => {
    expect([...checkpointSteps(150, 3)]).toEqual([50, 100, 150]);
    expect([...checkpointSteps(2, 5)]).toEqual([1, 2]);
  });
});

describe('dpo-vs-ppo', () => {
  it('quick mode: finite frontier points for every β and kl_coef, and computed checks', {
    timeout: 300_000,
  }, async () => {
    const experiment = defaultRegistry.get('dpo-vs-ppo');
    const config = validateConfig(experiment, structuredClone(experiment.quick) as PlainObject);
    const { result, metrics } = await runExperimentInProcess(experiment, config, 7);
    const s = result.summary as Record<string, number>;
    const cfg = config as { dpoBetas: number[]; klCoefs: number[] };
    for (const beta of cfg.dpoBetas) {
      expect(s[`dpo/beta=${beta}/kl`]).toBeGreaterThanOrEqual(0);
      expect(Math.abs(s[`dpo/beta=${beta}/gold`])).toBeLessThanOrEqual(1);
    }
    for (const c of cfg.klCoefs) expect(Math.abs(s[`ppo/kl_coef=${c}/gold`])).toBeLessThanOrEqual(1);
    expect(metrics.values.every(Number.isFinite)).toBe(true);
    const { checks } = checkClaim(experiment, [{ seed: 7, power: undefined, config, result }]);
    expect(checks.map((c) => Number.isFinite(c.value))).toEqual([true, true, true]);
  });
});
