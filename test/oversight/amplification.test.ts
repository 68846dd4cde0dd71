import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  accuracyByPower,
  amplifiedTeacher,
  distill,
  groundTruthTeacher,
  meanOverPowers,
  newModel,
} from '../../src/oversight/amplification/distill.js';
import { OneHotMlp } from '../../src/oversight/amplification/model.js';
import {
  decompositionDepth,
  Overseer,
  type OverseerKind,
  PermutationTask,
  type Question,
} from '../../src/oversight/amplification/permutation.js';

describe('OneHotMlp', () => {
  it('backward pass matches finite differences', () => {
    const model = new OneHotMlp([3, 4], 5, 6, new Rng(1));
    const inputs = Int32Array.from([0, 1, 2, 3, 1, 0, 2, 2]);
    const targets = Int32Array.from([4, 0, 5, 2]);
    const grads = model.newGradients();
    model.gradients(inputs, targets, grads);
    const scratch = model.newGradients();
    [model.w1, model.b1, model.w2, model.b2].forEach((p, j) => {
      for (let i = 0; i < p.length; i++) {
        const old = p[i];
        p[i] = old + 1e-6;
        const up = model.gradients(inputs, targets, scratch);
        p[i] = old - 1e-6;
        const down = model.gradients(inputs, targets, scratch);
        p[i] = old;
        expect(grads[j][i]).toBeCloseTo((up - down) / 2e-6, 6);
      }
    });
  });

  it('a clone answers like the original and does not move when the original trains', () => {
    const model = new OneHotMlp([4, 4], 8, 4, new Rng(2));
    const frozen = model.clone();
    const inputs = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    const targets = Int32Array.from([3, 2, 1, 0]);
    const grads = model.newGradients();
    const all = [0, 1, 2, 3].flatMap((x) => [0, 1, 2, 3].map((k) => [x, k]));
    for (const v of all) expect(frozen.answer(v)).toBe(model.answer(v));
    for (let s = 0; s < 200; s++) {
      model.gradients(inputs, targets, grads);
      model.adam(grads, 0.05);
    }
    // The original learned the four rows; the clone kept its initial weights.
    for (let x = 0; x < 4; x++) expect(model.answer([x, x])).toBe(3 - x);
    expect(frozen.w1).not.toEqual(model.w1);
  });
});

describe('permutation powering and the overseer', () => {
  const task = new PermutationTask(12, 16, new Rng(3));
  const truthHelper = (x: number, k: number) => task.power(x, k);
  const everyQuestion: Question[] = Array.from({ length: 12 * 16 }, (_, i) => ({
    x: i % 12,
    k: 1 + Math.floor(i / 12),
  }));

  it('σ^a(σ^b(x)) = σ^(a+b)(x), and σ is a permutation', () => {
    expect(new Set(Array.from({ length: 12 }, (_, x) => task.apply(x))).size).toBe(12);
    for (const { x, k } of everyQuestion) {
      expect(task.power(task.power(x, Math.floor(k / 2)), Math.ceil(k / 2))).toBe(task.power(x, k));
    }
  });

  it('decomposition depth is ⌈log2 k⌉', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 16, 17, 64].map(decompositionDepth)).toEqual([0, 1, 2, 2, 3, 3, 4, 4, 5, 6]);
  });

  it('the depth mix gives each of the D + 1 levels about an equal share; the power mix gives each k one', () => {
    const rng = new Rng(4);
    const depths = [0, 0, 0, 0, 0];
    const powers = new Array(16).fill(0);
    for (let i = 0; i < 5000; i++) {
      depths[decompositionDepth(task.sample(rng, 'depth').k)]++;
      powers[task.sample(rng, 'power').k - 1]++;
    }
    for (const d of depths) expect(Math.abs(d / 5000 - 0.2)).toBeLessThan(0.03); // 1/5 each, K = 16
    for (const p of powers) expect(Math.abs(p / 5000 - 1 / 16)).toBeLessThan(0.02);
  });

  it('with a perfect helper, H’s split answers every question right, reading σ only for base cases', () => {
    const h = new Overseer((x) => task.apply(x), 'decompose');
    const answers = h.answerBatch(everyQuestion, truthHelper);
    everyQuestion.forEach(({ x, k }, i) => {
      expect(answers[i]).toBe(task.power(x, k));
    });
    expect(h.baseAnswers).toBe(12);
    expect(h.distinctBaseAnswers).toBe(12);
    expect(h.decompositions).toBe(12 * 15);
  });

  it('H passes on the helper’s answer: with a helper that always says 5, every split question gets 5', () => {
    const answers = new Overseer((x) => task.apply(x), 'decompose').answerBatch(everyQuestion, () => 5);
    everyQuestion.forEach(({ x, k }, i) => {
      expect(answers[i]).toBe(k === 1 ? task.apply(x) : 5);
    });
  });

  it('the controls: base-only cannot split; shuffled-subanswer is wrong on most split questions', () => {
    const baseOnly = new Overseer((x) => task.apply(x), 'base-only');
    expect(baseOnly.canAnswer(1)).toBe(true);
    expect(baseOnly.canAnswer(2)).toBe(false);
    expect(() => baseOnly.answerBatch([{ x: 0, k: 3 }], truthHelper)).toThrow(/base-only/);
    const shuffled = new Overseer((x) => task.apply(x), 'shuffled-subanswer').answerBatch(
      everyQuestion,
      truthHelper,
    );
    let right = 0;
    everyQuestion.forEach(({ x, k }, i) => {
      if (k > 1 && shuffled[i] === task.power(x, k)) right++;
    });
    expect(right / (12 * 15)).toBeLessThan(0.3); // chance is 1/12
  });
});

describe('distillation', () => {
  const opt = { hidden: 48, rounds: 7, stepsPerRound: 150, batch: 32, learningRate: 0.01 };
  const hardest = (kind: OverseerKind | 'supervised', seed: number) => {
    const task = new PermutationTask(8, 8, new Rng([seed, 1]));
    const model = newModel(task, opt.hidden, new Rng([seed, 2]));
    const overseer = new Overseer((x) => task.apply(x), kind === 'supervised' ? 'decompose' : kind);
    const teacher = kind === 'supervised' ? groundTruthTeacher(task) : amplifiedTeacher(overseer);
    distill(model, (rng) => task.sample(rng), teacher, opt, new Rng([seed, 3]));
    return meanOverPowers(accuracyByPower(model, task), 5, 8);
  };

  it('amplified training never reads the ground truth σ^k', () => {
    const task = new PermutationTask(8, 8, new Rng(5));
    const power = task.power.bind(task);
    task.power = () => {
      throw new Error('the amplification loop read σ^k');
    };
    const model = newModel(task, 16, new Rng(6));
    const overseer = new Overseer((x) => task.apply(x), 'decompose');
    distill(
      model,
      (rng) => task.sample(rng),
      amplifiedTeacher(overseer),
      { ...opt, rounds: 2, stepsPerRound: 20 },
      new Rng(7),
    );
    expect(overseer.baseAnswers + overseer.decompositions).toBe(2 * 20 * 32);
    task.power = power;
  });

  it('amplification and supervised learning both learn σ^k for k = 5..8 (n = 8); base-only does not', () => {
    for (const seed of [7, 8]) {
      expect(hardest('supervised', seed)).toBeGreaterThanOrEqual(0.9);
      expect(hardest('decompose', seed)).toBeGreaterThanOrEqual(0.9);
      expect(hardest('base-only', seed)).toBeLessThan(0.6);
      expect(hardest('shuffled-subanswer', seed)).toBeLessThan(0.6);
    }
  });
});
