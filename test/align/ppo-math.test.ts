import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdaptiveKlController,
  bestOfNKl,
  clippedSurrogateLoss,
  clippedValueLoss,
  FixedKlController,
  gae,
  klPenalizedRewards,
  perTokenKl,
  whiten,
} from '../../src/align/ppo-math.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const close = (actual: ArrayLike<number>, expected: number[], digits = 6) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], digits);
};

describe('GAE', () => {
  it('γ = 1, λ = 0.95, rewards [0, 0, 1], values 0.5: A = [0.45125, 0.475, 0.5], returns = A + V', () => {
    // t=2: δ = 1 + 0 − 0.5 = 0.5; t=1: δ = 0 → A = 0.95·0.5; t=0: A = 0.95·0.475.
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.5, 0.5], 1, 0.95);
    close(advantages, [0.45125, 0.475, 0.5]);
    close(returns, [0.95125, 0.975, 1]);
  });

  it('γ = 0.9, λ = 0.5, rewards [1, 2], values [1, 3]: δ = [1 + 2.7 − 1, 2 − 3] → A = [2.7 − 0.45, −1]', () => {
    const { advantages } = gae([1, 2], [1, 3], 0.9, 0.5);
    close(advantages, [2.25, -1]);
  });

  it('rejects mismatched lengths', () => {
    expect(() => gae([1, 2], [1])).toThrow(/values/);
  });
});

describe('per-token KL penalty', () => {
  it('k1 = log π − log π_ref; rewards = −kl_coef·kl, plus the score on the last token', () => {
    const { kl, rewards, nonScoreReward } = klPenalizedRewards([-1, -2], [-1.5, -1.5], 2, 0.05);
    close(kl, [0.5, -0.5]);
    close(nonScoreReward, [-0.025, 0.025]);
    close(rewards, [-0.025, 2.025]);
  });

  it('k3 = (r − 1) − log r with r = π_ref/π: e^−0.5 − 0.5 = 0.1065307, e^0.5 − 1.5 = 0.1487213', () => {
    close(perTokenKl([-1, -2], [-1.5, -1.5], 'k3'), [0.1065307, 0.1487213]);
  });
});

describe('whiten', () => {
  it('[1, 2, 3] → [−1, 0, 1] (unbiased variance 1)', () => {
    close(whiten([1, 2, 3]), [-1, 0, 1], 6);
    close(whiten([1, 2, 3], false), [1, 2, 3], 6);
  });
});

describe('clipped surrogate (PPO)', () => {
  // ratios 1.5, 0.5, 0.5 with advantages 1, 1, −1 and cliprange 0.2:
  //   token 1: max(−1.5, −1.2) = −1.2 (clipped);  token 2: max(−0.5, −0.8) = −0.5;
  //   token 3: max(0.5, 0.8) = 0.8 (clipped).  loss = (−1.2 − 0.5 + 0.8)/3 = −0.3, clipfrac 2/3.
  const old = [0, 0, 0];
  const logprobs = [Math.log(1.5), Math.log(0.5), Math.log(0.5)];
  const advantages = [1, 1, -1];

  it('loss −0.3, clipfrac 2/3, approxkl ½·mean(Δ²) = 0.1875513', () => {
    const r = clippedSurrogateLoss(tf.tensor1d(logprobs), tf.tensor1d(old), tf.tensor1d(advantages), 0.2);
    expect(r.loss.arraySync()).toBeCloseTo(-0.3, 5);
    expect(r.clipfrac).toBeCloseTo(2 / 3, 6);
    expect(r.approxkl).toBeCloseTo((0.5 * (Math.log(1.5) ** 2 + 2 * Math.log(0.5) ** 2)) / 3, 6);
    expect(r.approxkl).toBeCloseTo(0.1875513, 6);
  });

  it('clipped tokens carry no gradient: ∂loss/∂logπ = [0, −A·ρ/3 = −1/6, 0]', () => {
    const grad = tf.grad(
      (lp: tf.Tensor) => clippedSurrogateLoss(lp, tf.tensor1d(old), tf.tensor1d(advantages), 0.2).loss,
    )(tf.tensor1d(logprobs));
    close(grad.arraySync() as number[], [0, -1 / 6, 0], 5);
  });

  it('a mask leaves padding out of the mean', () => {
    const r = clippedSurrogateLoss(
      tf.tensor1d(logprobs),
      tf.tensor1d(old),
      tf.tensor1d(advantages),
      0.2,
      tf.tensor1d([1, 1, 0]),
    );
    expect(r.loss.arraySync()).toBeCloseTo((-1.2 - 0.5) / 2, 5);
    expect(r.clipfrac).toBeCloseTo(0.5, 6);
  });
});

describe('clipped value loss', () => {
  it('V = 1, V_old = 0.5, R = 2, clip 0.2: ½·max(1, (0.7 − 2)²) = 0.845, clipfrac 1', () => {
    const r = clippedValueLoss(tf.tensor1d([1]), tf.tensor1d([0.5]), tf.tensor1d([2]), 0.2);
    expect(r.loss.arraySync()).toBeCloseTo(0.845, 5);
    expect(r.clipfrac).toBe(1);
  });

  it('inside the clip range it is ½·(V − R)²: V = 0.6, V_old = 0.5, R = 1 → 0.08', () => {
    const r = clippedValueLoss(tf.tensor1d([0.6]), tf.tensor1d([0.5]), tf.tensor1d([1]), 0.2);
    expect(r.loss.arraySync()).toBeCloseTo(0.08, 5);
    expect(r.clipfrac).toBe(0);
  });
});

describe('KL controllers', () => {
  it('adaptive: β ← β(1 + clip(KL/target − 1, ±0.2)·n/horizon)', () => {
    const up = new AdaptiveKlController(0.1, 6, 10_000);
    up.update(12, 256); // error clipped to +0.2
    expect(up.value).toBeCloseTo(0.1 * (1 + (0.2 * 256) / 10_000), 12);
    const down = new AdaptiveKlController(0.1, 6, 10_000);
    down.update(3, 256); // error −0.5 clipped to −0.2
    expect(down.value).toBeCloseTo(0.099488, 12);
    const near = new AdaptiveKlController(0.1, 6, 10_000);
    near.update(6.6, 256); // error 0.1, inside the clip
    expect(near.value).toBeCloseTo(0.100256, 12);
  });

  it('fixed: never changes', () => {
    const fixed = new FixedKlController(0.05);
    fixed.update();
    expect(fixed.value).toBe(0.05);
  });
});

describe('best-of-n KL', () => {
  it('log n − (n−1)/n: n=1 → 0, n=2 → 0.1931472, n=16 → 1.8350887', () => {
    expect(bestOfNKl(1)).toBe(0);
    expect(bestOfNKl(2)).toBeCloseTo(0.1931472, 6);
    expect(bestOfNKl(16)).toBeCloseTo(1.8350887, 6);
    expect(() => bestOfNKl(0)).toThrow(/n must be/);
  });
});
