/**
 * Iterated amplification as distillation rounds (Christiano, Shlegeris & Amodei 2018): at the
 * start of round r the model X_r is frozen; for `stepsPerRound` Adam steps, questions drawn from
 * the task's mixed-difficulty distribution are answered by Amplify^H(X_r) — H answering base
 * cases from σ and splitting the rest into sub-questions X_r answers — and the model is trained
 * on those answers (cross-entropy), giving X_{r+1}. The supervised baseline runs the same loop
 * (same questions, same initial weights, same steps) with ground-truth labels.
 *
 * The loop knows nothing of the truth: a `Teacher` supplies the targets. Only the evaluator
 * (`accuracyByPower`) and the supervised `groundTruthTeacher` read σ^k.
 */
import type { Rng } from '../../core/rng.js';
import { OneHotMlp } from './model.js';
import type { Overseer, PermutationTask, Question } from './permutation.js';

export interface DistillOptions {
  hidden: number;
  rounds: number;
  stepsPerRound: number;
  batch: number;
  learningRate: number;
}

/** Where training targets come from. */
export interface Teacher {
  /** Called with the current model before each round's first step. */
  beginRound(model: OneHotMlp): void;
  /** Whether this teacher can answer a question of power k (others are not sampled). */
  canAnswer(k: number): boolean;
  /** One target per question. */
  label(questions: readonly Question[]): Int32Array;
}

/** Amplify^H(X_r): the overseer with the model frozen at the round's start as its helper. */
export function amplifiedTeacher(overseer: Overseer): Teacher {
  let frozen: OneHotMlp | null = null;
  let scratch: { h: Float64Array; z: Float64Array } | null = null;
  const values = new Int32Array(2);
  const helper = (x: number, k: number) => {
    values[0] = x;
    values[1] = k - 1;
    return frozen!.answer(values, scratch!);
  };
  return {
    beginRound(model) {
      frozen = model.clone();
      scratch = frozen.scratch();
    },
    canAnswer: (k) => overseer.canAnswer(k),
    label: (questions) => overseer.answerBatch(questions, helper),
  };
}

/** Ground-truth labels σ^k(x) for the supervised baseline, counted. */
export function groundTruthTeacher(task: PermutationTask): Teacher & { labels: () => number } {
  let labels = 0;
  return {
    beginRound() {},
    canAnswer: () => true,
    label(questions) {
      labels += questions.length;
      return Int32Array.from(questions, ({ x, k }) => task.power(x, k));
    },
    labels: () => labels,
  };
}

/** The learner for a task: one-hot x and k in, one of n answers out. */
export function newModel(task: PermutationTask, hidden: number, rng: Rng): OneHotMlp {
  return new OneHotMlp([task.n, task.maxPower], hidden, task.n, rng);
}

/**
 * Trains `model` for `rounds × stepsPerRound` steps on the teacher's answers to questions drawn
 * by `sample` (questions the teacher cannot answer are redrawn). `afterRound(r, questions,
 * targets)` sees each round's last batch (for auditing targets against the truth outside the loop).
 */
export function distill(
  model: OneHotMlp,
  sample: (rng: Rng) => Question,
  teacher: Teacher,
  opt: DistillOptions,
  rng: Rng,
  afterRound: (round: number, audit: { questions: Question[]; targets: Int32Array }[]) => void = () => {},
  signal?: AbortSignal,
): void {
  const grads = model.newGradients();
  const inputs = new Int32Array(opt.batch * 2);
  for (let round = 1; round <= opt.rounds; round++) {
    teacher.beginRound(model);
    const audit: { questions: Question[]; targets: Int32Array }[] = [];
    for (let step = 0; step < opt.stepsPerRound; step++) {
      const questions: Question[] = [];
      let draws = 0;
      while (questions.length < opt.batch) {
        const q = sample(rng);
        if (teacher.canAnswer(q.k)) questions.push(q);
        else if (++draws > 1000 * opt.batch)
          throw new Error('distill: the teacher can answer no sampled question');
      }
      const targets = teacher.label(questions);
      questions.forEach(({ x, k }, i) => {
        inputs[2 * i] = x;
        inputs[2 * i + 1] = k - 1;
      });
      model.gradients(inputs, targets, grads);
      model.adam(grads, opt.learningRate);
      audit.push({ questions, targets });
    }
    afterRound(round, audit);
    signal?.throwIfAborted();
  }
}

/** The model's accuracy on every question (x, k), per power k (index k − 1): evaluator only. */
export function accuracyByPower(model: OneHotMlp, task: PermutationTask): number[] {
  const scratch = model.scratch();
  const values = new Int32Array(2);
  return Array.from({ length: task.maxPower }, (_, i) => {
    let right = 0;
    for (let x = 0; x < task.n; x++) {
      values[0] = x;
      values[1] = i;
      if (model.answer(values, scratch) === task.power(x, i + 1)) right++;
    }
    return right / task.n;
  });
}

/** Mean accuracy over the powers k with lo <= k <= hi. */
export function meanOverPowers(byPower: readonly number[], lo: number, hi: number): number {
  const picked = byPower.slice(lo - 1, hi);
  return picked.reduce((a, b) => a + b, 0) / picked.length;
}
