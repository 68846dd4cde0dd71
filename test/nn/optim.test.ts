import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, clipGradients, cosineSchedule, initBackend } from '../../src/nn/index.js';

beforeAll(async () => {
  await initBackend();
});

describe('cosineSchedule', () => {
  const lr = cosineSchedule({ peakLearningRate: 1e-3, warmupSteps: 10, totalSteps: 110 });
  it('warms up linearly, peaks, decays to peak/10 halfway through a cosine and stays there', () => {
    expect(lr(0)).toBeCloseTo(1e-4, 12); // (0 + 1)/10 of the peak
    expect(lr(9)).toBeCloseTo(1e-3, 12);
    expect(lr(10)).toBeCloseTo(1e-3, 12);
    expect(lr(60)).toBeCloseTo(1e-4 + 0.5 * (1e-3 - 1e-4), 12); // cos(π/2) = 0
    expect(lr(110)).toBeCloseTo(1e-4, 12);
    expect(lr(500)).toBeCloseTo(1e-4, 12);
  });
});

describe('clipGradients', () => {
  it('scales by maxNorm/‖g‖ when the global norm is larger, and reports the norm', () => {
    const grads = new Map([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor1d([4])],
    ]);
    const { grads: clipped, norm } = clipGradients(grads, 1);
    expect(norm).toBeCloseTo(5, 5); // √(3² + 4²)
    expect(Array.from(clipped.get('a')?.dataSync() ?? [])).toEqual([expect.closeTo(0.6, 5), 0]);
    expect(clipped.get('b')?.dataSync()[0]).toBeCloseTo(0.8, 5);
    const unclipped = clipGradients(grads, 10);
    expect(unclipped.grads).toBe(grads);
    tf.dispose([...grads.values(), ...clipped.values()]);
  });
});

describe('AdamW', () => {
  it('stays finite for gradients so small their square is subnormal (fast-math sqrt of a denormal)', () => {
    // 32 weights, so the native kernel's vectorized loop (rsqrt-based under fast-math) runs.
    const w = tf.variable(tf.fill([4, 8], 0.5));
    const optimizer = new AdamW(new Map([['w', w]]), { learningRate: 1e-2 });
    const g = tf.fill([4, 8], 3e-20);
    optimizer.step(new Map([['w', g]]));
    const values = Array.from(w.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values[0]).toBeLessThan(0.5);
    tf.dispose([w, g]);
    optimizer.dispose();
  });

  it('first step moves each weight by lr·sign(g) and decays only matrices', () => {
    // At t = 1, m̂ = g and v̂ = g², so the Adam step is lr·g/(|g| + ε) ≈ lr·sign(g).
    const matrix = tf.variable(tf.tensor2d([[1, -1]]));
    const vector = tf.variable(tf.tensor1d([1, -1]));
    const opt = new AdamW(
      new Map<string, tf.Variable>([
        ['w', matrix],
        ['b', vector],
      ]),
      { learningRate: 0.1, weightDecay: 0.5 },
    );
    const g = tf.tensor1d([2, -3]);
    opt.step(
      new Map<string, tf.Tensor>([
        ['w', tf.reshape(g, [1, 2])],
        ['b', g],
      ]),
    );
    // w: 1·(1 − 0.1·0.5) − 0.1 = 0.85; −1·0.95 + 0.1 = −0.85. b: 1 − 0.1 = 0.9; −1 + 0.1 = −0.9.
    expect(Array.from(matrix.dataSync())).toEqual([expect.closeTo(0.85, 5), expect.closeTo(-0.85, 5)]);
    expect(Array.from(vector.dataSync())).toEqual([expect.closeTo(0.9, 5), expect.closeTo(-0.9, 5)]);
    expect(opt.state().size).toBe(4);
    opt.dispose();
    tf.dispose([matrix, vector, g]);
  });
});
