import { describe, expect, it } from 'vitest';
import { bootstrapInterval, meanInterval, quantile } from '../../src/evals/bootstrap.js';
import { atLeast, mean } from '../../src/experiments/checks.js';
import type { ControlArm, Experiment, SeedResult } from '../../src/experiments/types.js';
import { assessClaim, seedsNeeded } from '../../src/lab/evidence.js';
import { reproduceInProcess } from '../../src/lab/reproduce.js';
import { counter } from './fixtures.js';

/** A hand-made experiment whose check is "mean intended >= 0.5" and a gate "mean specified >= 1". */
const toy = {
  id: 'toy',
  title: 'toy',
  claim: 'intended is at least 0.5',
  config: undefined as never,
  quick: {},
  controls: [{ name: 'low', why: 'intended is 0 there', override: {} }],
  run: async () => ({ specified: 0, intended: 0 }),
  check: (_result, runs) => [atLeast('mean intended', mean(runs.map((r) => r.result.intended)), 0.5)],
  gates: (runs) => [atLeast('mean specified', mean(runs.map((r) => r.result.specified)), 1)],
} satisfies Experiment<unknown>;

const runs = (values: number[], specified = 2): SeedResult<unknown>[] =>
  values.map((intended, seed) => ({ seed, config: {}, result: { specified, intended } }));
const arm = (list: SeedResult<unknown>[]) => ({ runs: list, planned: list.length });
const low = toy.controls[0] as ControlArm<unknown>;

describe('bootstrap', () => {
  it('interpolates quantiles as numpy does (type 7)', () => {
    // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; 0.5 -> 2.5
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
  });

  it('gives a degenerate interval for constant data and none for one unit', () => {
    expect(meanInterval([3, 3, 3, 3])).toEqual({ lo: 3, hi: 3, level: 0.95 });
    expect(meanInterval([3])).toBeNull();
  });

  it('covers the sample mean and stays inside the data range, the same on every call', () => {
    const data = [0.1, 0.4, 0.35, 0.8, 0.55, 0.2, 0.6];
    const a = meanInterval(data)!;
    const b = meanInterval(data)!;
    expect(a).toEqual(b);
    expect(a.lo).toBeLessThan(mean(data));
    expect(a.hi).toBeGreaterThan(mean(data));
    expect(a.lo).toBeGreaterThanOrEqual(0.1);
    expect(a.hi).toBeLessThanOrEqual(0.8);
  });

  it('leaves out resamples whose statistic is not finite', () => {
    const ci = bootstrapInterval([0, 1, 2], (s) => (s.includes(0) ? Number.NaN : 1));
    expect(ci).toEqual({ lo: 1, hi: 1, level: 0.95 });
  });
});

describe('assessClaim', () => {
  it('needs at least 80% of seeds, rounded up', () => {
    expect([1, 3, 5, 7, 10].map(seedsNeeded)).toEqual([1, 3, 4, 6, 8]);
  });

  it('holds when the check passes on the mean and every seed, a control fails it and the gate is met', () => {
    const evidence = assessClaim(toy, arm(runs([0.9, 0.8, 0.7])), [{ arm: low, runs: arm(runs([0, 0, 0])) }]);
    expect(evidence.verdict).toBe('holds');
    expect(evidence.reasons).toEqual([]);
    const [check] = evidence.checks;
    expect(check).toMatchObject({ seeds: 3, seedsPassed: 3, passed: true, informative: true });
    expect(check.value).toBeCloseTo(0.8, 12);
    expect(check.perSeed.map((s) => s.value)).toEqual([0.9, 0.8, 0.7]);
    expect(check.ci![0]).toBeGreaterThanOrEqual(0.7 - 1e-12);
    expect(check.ci![1]).toBeLessThanOrEqual(0.9 + 1e-12);
    expect(check.controls).toEqual([{ name: 'low', value: 0, passed: false }]);
  });

  it('fails when the mean passes but fewer than 80% of seeds do', () => {
    // mean 0.6 passes; seeds 0.1 and 0.2 fail: 3 of 5 < 4.
    const evidence = assessClaim(toy, arm(runs([1, 1, 0.1, 0.2, 0.7])), [
      { arm: low, runs: arm(runs([0, 0, 0, 0, 0])) },
    ]);
    expect(evidence.checks[0]).toMatchObject({ passed: true, seeds: 5, seedsPassed: 3 });
    expect(evidence.verdict).toBe('fails');
    expect(evidence.reasons[0]).toContain('passes on 3/5 seeds (needs 4)');
  });

  it('calls a check that every control passes uninformative, and the claim not held', () => {
    const evidence = assessClaim(toy, arm(runs([0.9, 0.9, 0.9])), [
      { arm: low, runs: arm(runs([0.9, 0.9, 0.9])) },
    ]);
    expect(evidence.checks[0].informative).toBe(false);
    expect(evidence.verdict).toBe('fails');
    expect(evidence.reasons).toContain("check 'mean intended' is uninformative: no control fails it");
  });

  it('does not count a control that did not finish all its runs', () => {
    const evidence = assessClaim(toy, arm(runs([0.9, 0.9, 0.9])), [
      { arm: low, runs: { runs: runs([0, 0]), planned: 3 } },
    ]);
    expect(evidence.checks[0].informative).toBe(false);
    expect(evidence.verdict).toBe('fails');
  });

  it('is inconclusive below a competence gate, whatever the checks say', () => {
    const evidence = assessClaim(toy, arm(runs([0.9, 0.9, 0.9], 0)), [
      { arm: low, runs: arm(runs([0, 0, 0])) },
    ]);
    expect(evidence.gates[0]).toMatchObject({ name: 'mean specified', passed: false, value: 0 });
    expect(evidence.verdict).toBe('inconclusive');
  });

  it('says which controls were skipped because a gate was not met (nothing planned for them)', () => {
    const evidence = assessClaim(toy, arm(runs([0.9, 0.9, 0.9], 0)), [
      { arm: low, runs: { runs: [], planned: 0 } },
    ]);
    expect(evidence.verdict).toBe('inconclusive');
    expect(evidence.reasons).toContain('controls not run (a gate is not met): low');
    expect(evidence.reasons.some((r) => r.includes('did not finish'))).toBe(false);
  });

  it('turns a check that throws into a failed check instead of a crash', () => {
    const broken = {
      ...toy,
      check: () => {
        throw new Error('bad fit');
      },
    } satisfies Experiment<unknown>;
    const evidence = assessClaim(broken, arm(runs([1, 1])), [{ arm: low, runs: arm(runs([0, 0])) }]);
    expect(evidence.checks[0]).toMatchObject({
      name: 'check raised an error',
      passed: false,
      expected: 'bad fit',
    });
    expect(evidence.verdict).toBe('fails');
  });
});

describe('reproduceInProcess', () => {
  it('runs the main arm and each control on the same seeds and sweep, and judges the claim', async () => {
    // Quick sweep steps 5, 20: at 20 steps specified - intended = 20 - 10 = 10 >= 5 on every seed;
    // under the no-cap control intended = specified, so the gap is 0 and the check fails there.
    const evidence = await reproduceInProcess(counter as Experiment, { quick: true, seeds: [1, 2, 3] });
    expect(evidence.verdict).toBe('holds');
    expect(evidence.checks[0]).toMatchObject({ value: 10, seeds: 3, seedsPassed: 3, ci: [10, 10] });
    expect(evidence.checks[0].controls).toEqual([{ name: 'no-cap', value: 0, passed: false }]);
    expect(evidence.controls[0]).toMatchObject({ name: 'no-cap', runs: 6, planned: 6 });
  });
});
