import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bradleyTerryLoss,
  dpoLoss,
  dpoLosses,
  dpoMetrics,
  dpoRewards,
  type PreferenceLogps,
  rewardAccuracy,
} from '../../src/align/losses.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const t = (values: number[]) => tf.tensor1d(values);
const value = (x: tf.Tensor) => x.arraySync() as number;

function expectAllClose(actual: tf.Tensor, expected: number[], digits: number): void {
  const values = actual.arraySync() as number[];
  expect(values.length).toBe(expected.length);
  for (let i = 0; i < values.length; i++) expect(values[i]).toBeCloseTo(expected[i], digits);
}

/** Central finite difference of a scalar function of one input vector. */
function finiteDifference(f: (x: number[]) => number, x: number[], h = 1e-2): number[] {
  return x.map((_, i) => {
    const up = [...x];
    const down = [...x];
    up[i] += h;
    down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

// policy chosen −1, rejected −3; reference −2, −2 → h = (−1 − −3) − (−2 − −2) = 2.
const example = (): PreferenceLogps => ({
  policyChosen: t([-1]),
  policyRejected: t([-3]),
  referenceChosen: t([-2]),
  referenceRejected: t([-2]),
});

describe('Bradley–Terry reward loss (TRL reward_trainer)', () => {
  it('is ln 2 when the rewards are equal', () => {
    expect(value(bradleyTerryLoss(t([0.3, -1]), t([0.3, -1])))).toBeCloseTo(Math.LN2, 6);
  });

  it('r_c − r_r = 1 → log(1 + e^−1) = 0.3132617; a margin of 1 brings it back to ln 2', () => {
    expect(value(bradleyTerryLoss(t([1]), t([0])))).toBeCloseTo(0.3132617, 6);
    expect(value(bradleyTerryLoss(t([1]), t([0]), { margin: t([1]) }))).toBeCloseTo(Math.LN2, 6);
  });

  it('adds center_rewards_coefficient · mean((r_c + r_r)²): 0.3132617 + 0.01·1 = 0.3232617', () => {
    const loss = bradleyTerryLoss(t([1]), t([0]), { centerRewardsCoefficient: 0.01 });
    expect(value(loss)).toBeCloseTo(0.3232617, 6);
    // two pairs: (1,0) and (2,1): mean((1)², (3)²) = 5 → 0.05 more than the mean BT loss.
    const two = bradleyTerryLoss(t([1, 2]), t([0, 1]), { centerRewardsCoefficient: 0.01 });
    expect(value(two)).toBeCloseTo(0.3132617 + 0.05, 6);
  });

  it('gradient wrt r_c matches finite differences (analytic −(1 − σ(Δ))/n + 2c(r_c + r_r)/n)', () => {
    const chosen = [0.5, -0.2, 1.3];
    const rejected = [0.1, 0.4, -0.7];
    const f = (x: number[]) =>
      tf.tidy(() => value(bradleyTerryLoss(t(x), t(rejected), { centerRewardsCoefficient: 0.1 })));
    const grad = tf.grad((x: tf.Tensor) =>
      bradleyTerryLoss(x as tf.Tensor1D, t(rejected), { centerRewardsCoefficient: 0.1 }),
    )(t(chosen));
    const numeric = finiteDifference(f, chosen);
    expectAllClose(grad, numeric, 3);
    const sigma = (z: number) => 1 / (1 + Math.exp(-z));
    const analytic = chosen.map(
      (c, i) => (-(1 - sigma(c - rejected[i])) + 2 * 0.1 * (c + rejected[i])) / chosen.length,
    );
    expectAllClose(grad, analytic, 5);
  });

  it('accuracy is the share of pairs with r_c > r_r', () => {
    expect(rewardAccuracy(t([1, 0, 2, 0]), t([0, 1, 1, 0]))).toBe(0.5);
  });
});

describe('DPO losses (TRL dpo_trainer)', () => {
  it('sigmoid loss is ln 2 at zero margin (policy = reference)', () => {
    const same = {
      policyChosen: t([-4, -1]),
      policyRejected: t([-2, -5]),
      referenceChosen: t([-4, -1]),
      referenceRejected: t([-2, -5]),
    };
    expect(value(dpoLoss(same, { beta: 0.1 }))).toBeCloseTo(Math.LN2, 6);
    expect(value(dpoLoss(same, { beta: 0.1, lossType: 'robust', labelSmoothing: 0.2 }))).toBeCloseTo(
      Math.LN2,
      6,
    );
  });

  it('sigmoid, β = 0.1, h = 2: log(1 + e^−0.2) = 0.5981389', () => {
    expect(value(dpoLoss(example(), { beta: 0.1 }))).toBeCloseTo(0.5981389, 6);
  });

  it('cDPO (sigmoid, ε = 0.1): 0.9·0.5981389 + 0.1·log(1 + e^0.2) = 0.6181389', () => {
    expect(value(dpoLoss(example(), { beta: 0.1, labelSmoothing: 0.1 }))).toBeCloseTo(0.6181389, 6);
  });

  it('robust (ε = 0.1): (0.9·0.5981389 − 0.1·0.7981389)/0.8 = 0.5731389', () => {
    expect(value(dpoLoss(example(), { beta: 0.1, lossType: 'robust', labelSmoothing: 0.1 }))).toBeCloseTo(
      0.5731389,
      6,
    );
  });

  it('IPO: (h − 1/(2β))² = (2 − 5)² = 9', () => {
    expect(value(dpoLoss(example(), { beta: 0.1, lossType: 'ipo' }))).toBeCloseTo(9, 5);
  });

  it('gradients wrt the policy log-probabilities match finite differences for every loss type', () => {
    const pc = [-1.2, -3.1];
    const pr = [-2.5, -1.9];
    const ref = { referenceChosen: t([-1.5, -2.8]), referenceRejected: t([-2.2, -2.4]) };
    for (const config of [
      { beta: 0.5 },
      { beta: 0.5, lossType: 'ipo' as const },
      { beta: 0.5, lossType: 'robust' as const, labelSmoothing: 0.15 },
    ]) {
      const loss = (c: tf.Tensor1D, r: tf.Tensor1D) =>
        dpoLoss({ policyChosen: c, policyRejected: r, ...ref }, config);
      const [gc, gr] = tf.grads((c: tf.Tensor, r: tf.Tensor) => loss(c as tf.Tensor1D, r as tf.Tensor1D))([
        t(pc),
        t(pr),
      ]);
      const numericC = finiteDifference((x) => tf.tidy(() => value(loss(t(x), t(pr)))), pc);
      const numericR = finiteDifference((x) => tf.tidy(() => value(loss(t(pc), t(x)))), pr);
      expectAllClose(gc, numericC, 3);
      expectAllClose(gr, numericR, 3);
    }
  });

  it('returns per-pair losses whose mean is the loss', () => {
    const logps = {
      policyChosen: t([-1, -2]),
      policyRejected: t([-3, -2]),
      referenceChosen: t([-2, -2]),
      referenceRejected: t([-2, -2]),
    };
    const per = dpoLosses(logps, { beta: 0.1 }).arraySync() as number[];
    expect(per[0]).toBeCloseTo(0.5981389, 6);
    expect(per[1]).toBeCloseTo(Math.LN2, 6);
  });

  it('stays finite for large margins and frees its intermediate tensors', () => {
    const logps = example();
    const before = tf.memory().numTensors;
    const far = dpoLoss({ ...logps, policyChosen: t([500]) }, { beta: 1 });
    expect(value(far)).toBeCloseTo(0, 6);
    const wrong = dpoLoss({ ...logps, policyChosen: t([-500]) }, { beta: 1 });
    expect(value(wrong)).toBeCloseTo(497, 3);
    // two inputs and two losses created above, nothing else left behind.
    expect(tf.memory().numTensors - before).toBe(4);
  });

  it('rejects β ≤ 0 and ε ≥ 0.5', () => {
    expect(() => dpoLoss(example(), { beta: 0 })).toThrow(/beta/);
    expect(() => dpoLoss(example(), { beta: 0.1, lossType: 'robust', labelSmoothing: 0.5 })).toThrow(
      /labelSmoothing/,
    );
  });
});

describe('DPO rewards and TRL metric names', () => {
  it('rewards are β(log π − log π_ref): chosen 0.1·1 = 0.1, rejected 0.1·(−1) = −0.1', () => {
    const r = dpoRewards(example(), 0.1);
    expect(value(r.chosen.squeeze())).toBeCloseTo(0.1, 6);
    expect(value(r.rejected.squeeze())).toBeCloseTo(-0.1, 6);
  });

  it('reports rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins, logps/chosen, logps/rejected', () => {
    const logps = {
      policyChosen: t([-1, -4]),
      policyRejected: t([-3, -2]),
      referenceChosen: t([-2, -3]),
      referenceRejected: t([-2, -3]),
    };
    // pair 1: chosen +0.1, rejected −0.1; pair 2: chosen −0.1, rejected +0.1.
    const m = dpoMetrics(logps, 0.1);
    expect(Object.keys(m)).toEqual([
      'rewards/chosen',
      'rewards/rejected',
      'rewards/accuracies',
      'rewards/margins',
      'logps/chosen',
      'logps/rejected',
    ]);
    expect(m['rewards/chosen']).toBeCloseTo(0, 6);
    expect(m['rewards/rejected']).toBeCloseTo(0, 6);
    expect(m['rewards/accuracies']).toBe(0.5);
    expect(m['rewards/margins']).toBeCloseTo(0, 6);
    expect(m['logps/chosen']).toBeCloseTo(-2.5, 6);
    expect(m['logps/rejected']).toBeCloseTo(-2.5, 6);
  });
});
