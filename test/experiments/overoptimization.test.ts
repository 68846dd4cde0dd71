/**
 * overoptimization (Gao et al. 2022): the two functional forms are fitted by closed-form least
 * squares (exact on noiseless curves, with the peaks the paper's formulas give), and the quick
 * mode runs end to end with its computed checks. Whether the claim holds is `reproduce`'s
 * report, not asserted here: the checks must only be computed from finite numbers.
 */
import { describe, expect, it } from 'vitest';
import { fitBestOfN, fitRl, ppoCheckpointSteps } from '../../src/experiments/overoptimization.js';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { type PlainObject, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';

const ds = [0.5, 0.9, 1.3, 1.7, 2.1, 2.5];

describe('overoptimization fits', () => {
  it('recovers α, β of R_bon(d) = d(α − βd) and its peak d* = α/2β, R* = α²/4β', () => {
    const fit = fitBestOfN(ds.map((d) => ({ d, y: d * (0.6 - 0.2 * d) })));
    expect(fit.alpha).toBeCloseTo(0.6, 10);
    expect(fit.beta).toBeCloseTo(0.2, 10);
    expect(fit.peakD).toBeCloseTo(1.5, 10);
    expect(fit.peakGain).toBeCloseTo(0.45, 10);
  });

  it('recovers α, β of R_RL(d) = d(α − β ln d) and its peak d* = e^(α/β − 1), R* = βd*', () => {
    const fit = fitRl([{ d: 0, y: 0 }, ...ds.map((d) => ({ d, y: d * (0.3 - 0.4 * Math.log(d)) }))]);
    expect(fit.alpha).toBeCloseTo(0.3, 10);
    expect(fit.beta).toBeCloseTo(0.4, 10);
    // dR/dd = α − β ln d − β = 0  ⇒  d* = exp(α/β − 1) = exp(−0.25)
    expect(fit.peakD).toBeCloseTo(Math.exp(-0.25), 10);
    expect(fit.peakGain).toBeCloseTo(0.4 * Math.exp(-0.25), 10);
  });

  it('reports no finite peak when gold never turns down (β ≤ 0)', () => {
    const fit = fitBestOfN(ds.map((d) => ({ d, y: 0.3 * d + 0.05 * d * d })));
    expect(fit.beta).toBeCloseTo(-0.05, 10);
    expect(fit.peakD).toBe(Number.POSITIVE_INFINITY);
  });

  it('puts the peak at d = 0 with no gain when gold falls from the start (α ≤ 0), not at a negative d', () => {
    const fit = fitBestOfN(ds.map((d) => ({ d, y: d * (-0.2 - 0.1 * d) })));
    expect(fit.alpha).toBeCloseTo(-0.2, 10);
    expect(fit.peakD).toBe(0);
    expect(fit.peakGain).toBe(0);
  });

  it('spaces PPO checkpoints geometrically, ending at the last step', () => {
    // 120^(i/8) for i = 1..8: 1.82, 3.31, 6.03, 10.97, 19.97, 36.3, 66.1, 120
    expect([...ppoCheckpointSteps(120, 8)]).toEqual([2, 3, 6, 11, 20, 36, 66, 120]);
    expect([...ppoCheckpointSteps(3, 5)]).toEqual([1, 2, 3]);
  });
});

describe('overoptimization quick mode', () => {
  it('gives finite gold and proxy at every d for every N, and computed checks', {
    timeout: 240_000,
  }, async () => {
    const experiment = defaultRegistry.get('overoptimization');
    const config = validateConfig(experiment, structuredClone(experiment.quick) as PlainObject);
    const started = Date.now();
    const { result } = await runExperimentInProcess(experiment, config, 7);
    console.log(
      `overoptimization quick seed 7: ${((Date.now() - started) / 1000).toFixed(1)} s`,
      result.summary,
    );
    const s = result.summary as Record<string, number>;
    for (const n of (config as { labels: number[] }).labels) {
      for (const method of ['bon', 'rl']) {
        for (const key of ['alpha', 'beta', 'measuredPeakGold', 'topGold', 'proxyAtTop', 'topD']) {
          expect(Number.isFinite(s[`${method}/N=${n}/${key}`]), `${method}/N=${n}/${key}`).toBe(true);
        }
        // Gold is arithmeticUtility: within [−1, 1].
        expect(Math.abs(s[`${method}/N=${n}/topGold`])).toBeLessThanOrEqual(1);
      }
    }
    const { checks } = checkClaim(experiment, [{ seed: 7, power: undefined, config, result }]);
    expect(checks.length).toBe(8);
    expect(checks.every((c) => Number.isFinite(c.value))).toBe(true);
  });
});
