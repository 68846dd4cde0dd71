import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  accuracy,
  auroc,
  ccsCredence,
  fitCcs,
  fitLogisticProbe,
  probeProbabilities,
  signFreeAccuracy,
} from '../../src/interp/probes.js';

/** Contrast pairs whose first coordinate carries truth: +1 on the true half, −1 on the false one. */
function plantedPairs(n: number, seed: number, noise = 0.3) {
  const rng = new Rng(seed);
  const labels: number[] = [];
  const positive: Float32Array[] = [];
  const negative: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const truth = rng.bernoulli(0.5) ? 1 : 0;
    labels.push(truth);
    const shared = Array.from({ length: 6 }, () => rng.normal(0, 1));
    const row = (says: number) =>
      Float32Array.from(shared, (v, j) => (j === 0 ? (says === truth ? 1 : -1) : v) + rng.normal(0, noise));
    positive.push(row(1));
    negative.push(row(0));
  }
  return { pairs: { positive, negative }, labels };
}

describe('auroc', () => {
  it('is the share of (positive, negative) pairs ranked right, ties one half', () => {
    // Hand count: positives {0.9, 0.4}, negatives {0.4, 0.1}: (0.9>0.4) (0.9>0.1) (0.4=0.4 → ½) (0.4>0.1) = 3.5/4.
    expect(auroc([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.875, 12);
    expect(auroc([0.1, 0.9], [1, 0])).toBe(0);
  });
});

describe('fitLogisticProbe', () => {
  it('separates linearly separable rows', () => {
    const rng = new Rng(1);
    const rows = Array.from({ length: 80 }, (_, i) =>
      Float32Array.from([i % 2 ? 1 : -1, rng.normal(0, 1), rng.normal(0, 1)]),
    );
    const labels = rows.map((_, i) => i % 2);
    const probe = fitLogisticProbe(rows, labels);
    expect(auroc(probeProbabilities(probe, rows), labels)).toBe(1);
  });
});

describe('fitCcs (Burns et al. 2022)', () => {
  it('finds a planted truth direction without labels (sign-free accuracy ≥ 0.95)', () => {
    const train = plantedPairs(120, 2);
    const test = plantedPairs(60, 3);
    // The reference code's settings (AdamW, lr 1e-3, weight decay 0.01, 1000 epochs), 3 tries.
    const ccs = fitCcs(train.pairs, new Rng(4), { restarts: 3 });
    const credence = ccsCredence(ccs, test.pairs);
    expect(signFreeAccuracy(credence, test.labels)).toBeGreaterThanOrEqual(0.95);
    // Its loss is well below that of the uninformative p = ½ everywhere (0.25).
    expect(ccs.loss).toBeLessThan(0.1);
  });

  it('on pairs that carry no truth stays near chance', () => {
    const rng = new Rng(5);
    const noise = () =>
      Array.from({ length: 40 }, () => Float32Array.from({ length: 6 }, () => rng.normal(0, 1)));
    const pairs = { positive: noise(), negative: noise() };
    const labels = Array.from({ length: 40 }, (_, i) => i % 2);
    const ccs = fitCcs(pairs, new Rng(6), { restarts: 2, steps: 200 });
    // Fresh noise: max(acc, 1 − acc) of a direction unrelated to the labels.
    const fresh = { positive: noise(), negative: noise() };
    expect(signFreeAccuracy(ccsCredence(ccs, fresh), labels)).toBeLessThan(0.75);
  });

  it('weight decay (AdamW, decoupled) keeps the probe smaller than plain Adam', () => {
    const { pairs } = plantedPairs(80, 7);
    const norm = (weightDecay: number) => {
      const w = fitCcs(pairs, new Rng(8), { restarts: 1, steps: 1000, learningRate: 0.01, weightDecay }).probe
        .weight;
      return Math.hypot(...w);
    };
    // With decay 0.1 each step shrinks the weights by 1 − 1e-3: a smaller norm than without.
    expect(norm(0.1)).toBeLessThan(norm(0));
  });

  it('sign-free accuracy is max(acc, 1 − acc)', () => {
    expect(accuracy([0.9, 0.8, 0.2], [0, 0, 1])).toBe(0);
    expect(signFreeAccuracy([0.9, 0.8, 0.2], [0, 0, 1])).toBe(1);
  });
});
