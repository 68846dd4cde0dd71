import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { BinaryMlp } from '../../src/oversight/mlp.js';
import {
  confidenceTargets,
  performanceGapRecovered,
  TeacherTask,
} from '../../src/oversight/weak-to-strong.js';

describe('BinaryMlp', () => {
  it('backward pass matches finite differences', () => {
    const rng = new Rng(1);
    const model = new BinaryMlp(3, 5, rng);
    const x = Float64Array.from({ length: 12 }, () => rng.normal());
    const rows = [0, 1, 2, 3];
    const targets = [0, 1, 0.3, 0.8];
    const grads = model.newGradients();
    model.gradients(x, rows, targets, grads);
    const params = [model.w1, model.b1, model.w2, model.b2];
    const scratch = model.newGradients();
    params.forEach((p, j) => {
      for (let i = 0; i < p.length; i++) {
        const old = p[i];
        p[i] = old + 1e-6;
        const up = model.gradients(x, rows, targets, scratch);
        p[i] = old - 1e-6;
        const down = model.gradients(x, rows, targets, scratch);
        p[i] = old;
        expect(grads[j][i]).toBeCloseTo((up - down) / 2e-6, 5);
      }
    });
  });
});

describe('weak-to-strong pieces', () => {
  it('the teacher task is roughly balanced', () => {
    const rng = new Rng(2);
    const data = new TeacherTask(10, 16, rng).sample(rng, 4000);
    const share = data.y.reduce((a, b) => a + b, 0) / 4000;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });

  it('confidence targets harden the strong predictions to the weak labels’ share of positives', () => {
    const model = new BinaryMlp(1, 1, new Rng(3));
    model.w1[0] = 1;
    model.w2[0] = 1;
    const x = Float64Array.from([-2, -1, 0.5, 1, 2]);
    const weak = [0.9, 0.9, 0.1, 0.1, 0.0]; // 2 positives' worth
    const t = confidenceTargets(model, x, [0, 1, 2, 3, 4], weak, 0.5);
    // hardened: the two largest logits (x = 2, 1) are positive
    expect(t).toEqual([0.45, 0.45, 0.05, 0.55, 0.5]);
    expect(confidenceTargets(model, x, [0, 1, 2, 3, 4], weak, 0)).toEqual(weak);
  });

  it('PGR is (w2s − weak)/(ceiling − weak), NaN without a gap', () => {
    expect(performanceGapRecovered(0.7, 0.8, 0.9)).toBeCloseTo(0.5);
    expect(performanceGapRecovered(0.9, 0.8, 0.9)).toBeNaN();
  });
});
