import { describe, expect, it } from 'vitest';
import { brierScore, expectedCalibrationError, reliabilityBins } from '../../src/evals/calibration.js';
import { klDivergence, klEstimate } from '../../src/evals/kl.js';
import { agreement, cohensKappa, proportion, wilsonInterval } from '../../src/evals/proportions.js';

// Five answers: two stated 0.9 (one right), three stated 0.6 (two right).
const confidences = [0.9, 0.9, 0.6, 0.6, 0.6];
const correct = [true, false, true, true, false];

describe('calibration', () => {
  it('computes ECE by stated value: 3/5·|2/3 − 0.6| + 2/5·|1/2 − 0.9| = 0.04 + 0.16 = 0.2', () => {
    expect(expectedCalibrationError(confidences, correct, 'by-value')).toBeCloseTo(0.2, 12);
  });

  it('puts 0.6 and 0.9 in the bins (0.5, 0.6] and (0.8, 0.9] of ten equal-width bins: the same 0.2', () => {
    const bins = reliabilityBins(confidences, correct);
    expect(bins.map((b) => [b.lo, b.hi, b.count])).toEqual([
      [0.5, 0.6, 3],
      [0.8, 0.9, 2],
    ]);
    expect(expectedCalibrationError(confidences, correct)).toBeCloseTo(0.2, 12);
  });

  it('is zero for a perfectly calibrated labeller and NaN with no answers', () => {
    expect(expectedCalibrationError([0.5, 0.5, 1], [true, false, true], 'by-value')).toBe(0);
    expect(expectedCalibrationError([], [])).toBeNaN();
  });

  it('computes the Brier score: (0.01 + 0.81 + 0.16 + 0.16 + 0.36) / 5 = 0.3', () => {
    expect(brierScore(confidences, correct)).toBeCloseTo(0.3, 12);
  });

  it('refuses confidences and outcomes of different lengths', () => {
    expect(() => expectedCalibrationError([0.5], [])).toThrow(/1 confidences but 0 outcomes/);
  });
});

describe('proportions', () => {
  it('gives the Wilson interval of 8/10 as [0.490, 0.943] and of 0/10 as [0, 0.278] (standard tables)', () => {
    const [lo, hi] = wilsonInterval(8, 10)!;
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
    const [lo0, hi0] = wilsonInterval(0, 10)!;
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('reports a share with its interval, and agreement between two labellers', () => {
    expect(proportion([true, true, false, true])).toMatchObject({ value: 0.75, successes: 3, n: 4 });
    expect(agreement(['a', 'b', 'a'], ['a', 'a', 'a']).value).toBeCloseTo(2 / 3, 12);
  });

  it("computes Cohen's kappa: observed 3/4, chance 1/2, kappa (0.75 − 0.5)/(1 − 0.5) = 0.5", () => {
    expect(cohensKappa([1, 1, 0, 0], [1, 0, 0, 0])).toBeCloseTo(0.5, 12);
  });
});

describe('KL', () => {
  it('computes KL([.5, .5] ‖ [.9, .1]) = .5 ln(5/9) + .5 ln 5 = 0.5108', () => {
    expect(klDivergence([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(0.5108, 4);
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Number.POSITIVE_INFINITY);
  });

  it('gives k1 = ln 2, k2 = (ln 2)²/2 and k3 = −1/2 + ln 2 for one sample with π = 1/2, π_ref = 1/4', () => {
    const p = [Math.log(0.5)];
    const q = [Math.log(0.25)];
    expect(klEstimate(p, q, 'k1')).toBeCloseTo(Math.LN2, 12);
    expect(klEstimate(p, q, 'k2')).toBeCloseTo(Math.LN2 ** 2 / 2, 12);
    expect(klEstimate(p, q, 'k3')).toBeCloseTo(Math.LN2 - 0.5, 12);
  });
});
