/**
 * The segment reward model (Christiano et al. 2017): from Bradley–Terry labels on segment pairs
 * it recovers which steps are good, its r̂ is normalized, ensembles are seeded bootstrap fits,
 * refits stay finite and leak no tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FeatureComparison, SegmentRewardModel } from '../../src/align/segment-reward-model.js';
import { Rng } from '../../src/core/rng.js';
import { initBackend } from '../../src/nn/index.js';

beforeAll(async () => {
  await initBackend();
});

/** Six one-hot step features; the hidden per-step reward: +1 for feature 0, −1 for feature 3. */
const FEATURES = 6;
const TRUE_REWARD = [1, 0, 0, -1, 0, 0];
const STEPS = 5;

function segment(rng: Rng): { x: Float32Array; value: number } {
  const x = new Float32Array(STEPS * FEATURES);
  let value = 0;
  for (let t = 0; t < STEPS; t++) {
    const f = rng.int(FEATURES);
    x[t * FEATURES + f] = 1;
    value += TRUE_REWARD[f];
  }
  return { x, value };
}

/** Pairs with distinct true returns, labelled by the larger (a rational rater). */
function comparisons(count: number, seed: number): FeatureComparison[] {
  const rng = new Rng(seed);
  const out: FeatureComparison[] = [];
  while (out.length < count) {
    const a = segment(rng);
    const b = segment(rng);
    if (a.value !== b.value) out.push({ a: a.x, b: b.x, preferred: a.value > b.value ? 'a' : 'b' });
  }
  return out;
}

const identity = Float32Array.from({ length: FEATURES * FEATURES }, (_, i) =>
  i % (FEATURES + 1) === 0 ? 1 : 0,
);

describe('SegmentRewardModel', () => {
  it('learns which steps are good from segment comparisons alone, and generalizes to new pairs', () => {
    const model = new SegmentRewardModel(FEATURES, { epochs: 40 }, new Rng(1));
    const fit = model.fit(comparisons(200, 2), new Rng(3));
    const rHat = model.predict(identity);
    // r̂(feature 0) is the largest, r̂(feature 3) the smallest: the order of TRUE_REWARD.
    expect(Math.max(...rHat)).toBe(rHat[0]);
    expect(Math.min(...rHat)).toBe(rHat[3]);
    expect(fit.accuracy).toBeGreaterThan(0.9);
    expect(model.accuracy(comparisons(300, 99))).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('normalizes r̂ to zero mean and unit spread over the steps it was fitted on', () => {
    const data = comparisons(60, 4);
    const model = new SegmentRewardModel(FEATURES, { epochs: 20 }, new Rng(5));
    model.fit(data, new Rng(6));
    const steps = data.flatMap((c) => [...model.predict(c.a), ...model.predict(c.b)]);
    const mean = steps.reduce((s, x) => s + x, 0) / steps.length;
    const sd = Math.sqrt(steps.reduce((s, x) => s + (x - mean) ** 2, 0) / steps.length);
    expect(mean).toBeCloseTo(0, 4);
    expect(sd).toBeCloseTo(1, 4);
    model.dispose();
  });

  it('repeats with its seed; an ensemble of bootstrap members differs from one member', () => {
    const data = comparisons(80, 7);
    const run = (members: number) => {
      const model = new SegmentRewardModel(FEATURES, { epochs: 15, members }, new Rng(8));
      model.fit(data, new Rng(9));
      const out = model.predict(identity);
      model.dispose();
      return [...out];
    };
    expect(run(1)).toEqual(run(1));
    const ensemble = run(3);
    expect(ensemble).toEqual(run(3));
    expect(ensemble).not.toEqual(run(1));
    expect(Math.max(...ensemble)).toBe(ensemble[0]);
  });

  it('stays finite over repeated refits on separable labels and leaks no tensors', () => {
    const data = comparisons(12, 10);
    const model = new SegmentRewardModel(FEATURES, { epochs: 60 }, new Rng(11));
    const before = tf.memory().numTensors;
    for (let n = 1; n <= data.length; n++) {
      const fit = model.fit(data.slice(0, n), new Rng(n));
      expect(Number.isFinite(fit.loss)).toBe(true);
      expect(model.predict(identity).every(Number.isFinite)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('reports NaN for no comparisons instead of fitting', () => {
    const model = new SegmentRewardModel(FEATURES, {}, new Rng(0));
    expect(model.fit([], new Rng(0)).accuracy).toBeNaN();
    expect(model.accuracy([])).toBeNaN();
    model.dispose();
  });
});
