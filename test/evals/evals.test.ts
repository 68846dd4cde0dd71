import { describe, expect, it } from 'vitest';
import { bootstrapInterval, bootstrapIntervals, meanInterval, quantile } from '../../src/evals/bootstrap.js';
import { brierScore, expectedCalibrationError, reliabilityBins } from '../../src/evals/calibration.js';
import { klDivergence, klEstimate } from '../../src/evals/kl.js';
import { accuracy, agreement, cohensKappa, proportion, wilsonInterval } from '../../src/evals/proportions.js';
import { arithmeticItem } from '../../src/lm/corpora/index.js';
import { arithmeticMeasures } from '../../src/lm/evaluate.js';

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

  it('gives accuracy 3/4 for predictions [1, 2, 3, 4] against labels [1, 2, 3, 0], with the Wilson interval of 3/4', () => {
    const a = accuracy([1, 2, 3, 4], [1, 2, 3, 0]);
    expect(a).toMatchObject({ value: 0.75, successes: 3, n: 4 });
    expect(a.ci).toEqual(wilsonInterval(3, 4));
    expect(() => accuracy([1], [])).toThrow(/1 predictions against 0 labels/);
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

describe('bootstrap', () => {
  it('reads quantiles as numpy does (type 7): the 0.25-quantile of [1, 2, 3, 4] is 1 + 0.75·1 = 1.75', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('gives [0, 1] as the 95% interval of the mean of {0, 1}: resampled means 0, ½, 1 with probabilities ¼, ½, ¼', () => {
    // Each tail holds ¼ > 2.5% of the resamples, so both quantiles land on the extremes.
    expect(meanInterval([0, 1], { seed: 3 })).toEqual({ lo: 0, hi: 1, level: 0.95 });
  });

  it('collapses on constant data, needs two units, and repeats itself for the same seed', () => {
    expect(meanInterval([2, 2, 2])).toEqual({ lo: 2, hi: 2, level: 0.95 });
    expect(meanInterval([5])).toBeNull();
    const data = [0.1, 0.4, 0.35, 0.8, 0.65, 0.2];
    const a = bootstrapInterval(data, (s) => Math.max(...s), { seed: 7, resamples: 500 });
    expect(a).toEqual(bootstrapInterval(data, (s) => Math.max(...s), { seed: 7, resamples: 500 }));
    // The maximum of a resample is one of the data, at most the largest.
    expect(data).toContain(a!.lo);
    expect(a!.hi).toBe(0.8);
  });

  it('computes several statistics from the same resamples', () => {
    const both = bootstrapIntervals(
      [0, 1],
      (s) =>
        new Map([
          ['mean', (s[0] + s[1]) / 2],
          ['first', s[0]],
        ]),
      { seed: 3 },
    );
    expect(both.get('mean')).toEqual({ lo: 0, hi: 1, level: 0.95 });
    expect(both.get('first')).toEqual({ lo: 0, hi: 1, level: 0.95 });
  });
});

describe('the evals module in use', () => {
  it('lm evaluation reads ECE from it: answers 3 sure (right), 8 sure (wrong), 81 maybe (right) give 2/3·|½ − 0.95| + 1/3·|1 − 0.7| = 0.4', () => {
    // Answers are written with their digits reversed: '81' answers 9 + 9.
    const truths = [arithmeticItem(1, '+', 2), arithmeticItem(3, '+', 4), arithmeticItem(9, '+', 9)].map(
      (i) => i.truth,
    );
    const m = arithmeticMeasures(truths, ['3 sure', '8 sure', '81 maybe']);
    expect(m.ece).toBeCloseTo((2 / 3) * 0.45 + (1 / 3) * 0.3, 12);
    expect(m.ece).toBeCloseTo(
      expectedCalibrationError([0.95, 0.95, 0.7], [true, false, true], 'by-value'),
      12,
    );
  });
});
