/**
 * Iterated amplification (Christiano, Shlegeris & Amodei 2018) on permutation powering
 * (src/oversight/amplification/): a permutation σ of n elements per seed; the question (x, k)
 * asks σ^k(x), 1 ≤ k ≤ K. The overseer H answers base cases by reading σ and splits every other
 * question, σ^k(x) = σ^⌈k/2⌉(σ^⌊k/2⌋(x)), asking the model frozen at the start of the round both
 * halves. The model (an MLP on one-hot x and k) is trained on those answers for `stepsPerRound`
 * steps, then frozen again: each round the overseer + model can reach one level deeper. The
 * supervised baseline trains the same model (same initial weights, same questions, same steps) on
 * ground-truth σ^k(x). Questions mix difficulties: a decomposition depth uniform on 0..⌈log2 K⌉,
 * then k uniform within it, so base cases are one level in D + 1.
 *
 * Measured per seed, by the evaluator only (the amplification loop never sees σ^k): accuracy on
 * every (x, k), per k; the hardest questions are k > K/2 (the deepest recursion); H's direct
 * answers (base cases it read) against the supervised arm's ground-truth labels.
 *
 * What this is not: the paper's contexts (σ) vary per question and its model (a transformer over
 * the facts) reads them, so it must learn an algorithm; here σ is fixed per seed and the MLP learns
 * the whole table of answers from questions alone. So this tests the training signal — can an
 * overseer who only reads σ and splits questions replace ground-truth labels on questions it cannot
 * answer? — not a model's ability to generalize across permutations. The paper also trains a model
 * of H's decompositions (H'); here H's split is a fixed rule, called on every split question.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import {
  accuracyByPower,
  amplifiedTeacher,
  distill,
  groundTruthTeacher,
  meanOverPowers,
  newModel,
} from '../oversight/amplification/distill.js';
import { type AccuracyPoint, accuracyFigureSvg } from '../oversight/amplification/figure.js';
import type { OneHotMlp } from '../oversight/amplification/model.js';
import { Overseer, PermutationTask, type Question } from '../oversight/amplification/permutation.js';
import { atLeast, atMost, summaryMean } from './checks.js';
import { defineExperiment, INTENDED, SPECIFIED } from './types.js';

const config = z.strictObject({
  /** Elements σ permutes (the paper: 64; see the README for a probe at 64). */
  n: z.number().int().min(2).max(1024).default(32),
  /** Largest power asked, K (the paper: k < 64). */
  maxPower: z.number().int().min(2).max(1024).default(32),
  hidden: z.number().int().min(1).max(4096).default(128),
  /** Distillation rounds: the model is frozen as H's helper at the start of each. */
  rounds: z.number().int().min(1).max(1000).default(20),
  stepsPerRound: z.number().int().min(1).max(100_000).default(200),
  batch: z.number().int().min(1).max(10_000).default(32),
  learningRate: z.number().gt(0).max(1).default(0.01),
  /** `depth`: each decomposition depth an equal share of questions; `power`: k uniform on 1..K. */
  mix: z.enum(['depth', 'power']).default('depth'),
  /**
   * `decompose`: H as in the paper. Controls: `base-only` (H cannot split; it answers base cases
   * only, so nothing teaches k > 1), `shuffled-subanswer` (H splits, but carries another question's
   * inner answer into the outer question).
   */
  overseer: z.enum(['decompose', 'base-only', 'shuffled-subanswer']).default('decompose'),
});

type Config = z.output<typeof config>;

/** The powers of the deepest recursion, K/2 < k ≤ K: the questions hardest for H. */
function hardestPowers(maxPower: number): [number, number] {
  return [Math.floor(maxPower / 2) + 1, maxPower];
}

/** The first round whose accuracy reaches `level` (rounds + 1 when none does). */
function firstRoundAtLeast(curve: readonly number[], level: number): number {
  const i = curve.findIndex((a) => a >= level);
  return i < 0 ? curve.length + 1 : i + 1;
}

export const amplificationExperiment = defineExperiment({
  id: 'amplification',
  title: 'Iterated amplification: an overseer who can only read σ and split questions teaches σ^k(x)',
  claim:
    'On permutation powering, a model trained only on the answers of an overseer who answers base cases ' +
    '(k = 1) and splits harder questions into two it asks the current model, comes close to supervised ' +
    'learning on ground truth with the same training steps on the hardest powers, while the overseer answers ' +
    'directly only a fraction of the questions supervised learning needed labels for (Christiano, Shlegeris & ' +
    'Amodei 2018).',
  config,
  quick: { n: 16, maxPower: 16, hidden: 64, rounds: 8 },

  // Left out of `npm start`: two trainings per seed and two controls cost more than the quick suite can spare.
  extended: true,

  async run(cfg: Config, ctx) {
    const task = new PermutationTask(cfg.n, cfg.maxPower, ctx.rng.derive('task'));
    const opt = {
      hidden: cfg.hidden,
      rounds: cfg.rounds,
      stepsPerRound: cfg.stepsPerRound,
      batch: cfg.batch,
      learningRate: cfg.learningRate,
    };
    const [hardLo, hardHi] = hardestPowers(cfg.maxPower);
    const sample = (rng: Rng) => task.sample(rng, cfg.mix);
    const totalSteps = cfg.rounds * cfg.stepsPerRound;
    const figure: AccuracyPoint[] = [];
    const point = (round: number, series: string, accuracy: number) =>
      figure.push({ round, series, accuracy });

    // Evaluator: the model's true accuracy, per k, after each round (and before the first).
    const evaluate = (model: OneHotMlp, arm: 'amplification' | 'supervised', round: number) => {
      const byPower = accuracyByPower(model, task);
      const hard = meanOverPowers(byPower, hardLo, hardHi);
      const all = meanOverPowers(byPower, 1, cfg.maxPower);
      ctx.log(round * cfg.stepsPerRound, `${arm}/hardest_accuracy`, hard);
      ctx.log(round * cfg.stepsPerRound, `${arm}/accuracy`, all);
      point(round, `${arm}, k > ${hardLo - 1}`, hard);
      point(round, `${arm}, all k`, all);
      return { byPower, hard, all };
    };

    // Amplification: the loop sees only the overseer, which reads σ one element at a time.
    const overseer = new Overseer((x) => task.apply(x), cfg.overseer);
    const ampModel = newModel(task, cfg.hidden, ctx.rng.derive('init'));
    const ampCurve: number[] = [];
    let lastAgreement = Number.NaN;
    let amp = evaluate(ampModel, 'amplification', 0);
    distill(
      ampModel,
      sample,
      amplifiedTeacher(overseer),
      opt,
      ctx.rng.derive('questions'),
      (round, audit) => {
        amp = evaluate(ampModel, 'amplification', round);
        ampCurve.push(amp.hard);
        // Specified: the model's agreement with what it was trained on (Amplify^H(X) on the
        // round's last batches); intended: its true accuracy. Also how often Amplify^H(X) was
        // right — the evaluator's audit, never fed back.
        const { agree, right } = auditTargets(ampModel, task, audit.slice(-20));
        lastAgreement = agree;
        ctx.log(round * cfg.stepsPerRound, SPECIFIED, agree);
        ctx.log(round * cfg.stepsPerRound, INTENDED, amp.all);
        ctx.log(round * cfg.stepsPerRound, 'amplification/target_accuracy', right);
        point(round, 'Amplify(H, X) right on training questions', right);
        ctx.progress(round, 2 * cfg.rounds);
      },
      ctx.signal,
    );

    // Supervised: the same initial weights and question stream, ground-truth labels.
    const labeller = groundTruthTeacher(task);
    const supModel = newModel(task, cfg.hidden, ctx.rng.derive('init'));
    const supCurve: number[] = [];
    let sup = evaluate(supModel, 'supervised', 0);
    let unaidedReads = 0;
    distill(
      supModel,
      (rng) => {
        const q = sample(rng);
        unaidedReads += q.k; // what an unaided H would read of σ to produce this label
        return q;
      },
      labeller,
      opt,
      ctx.rng.derive('questions'),
      (round) => {
        sup = evaluate(supModel, 'supervised', round);
        supCurve.push(sup.hard);
        ctx.progress(cfg.rounds + round, 2 * cfg.rounds);
      },
      ctx.signal,
    );

    ctx.artifact(
      'accuracy-vs-round.svg',
      accuracyFigureSvg(
        figure,
        `distillation round (${cfg.stepsPerRound} steps of ${cfg.batch} questions each)`,
        `accuracy over every x, n = ${cfg.n}, K = ${cfg.maxPower} (seed ${ctx.seed})`,
      ),
    );

    const supervisedLabels = labeller.labels();
    const summary: Record<string, number> = {
      amplificationHardest: amp.hard,
      supervisedHardest: sup.hard,
      /** Supervised minus amplification on k > K/2, accuracy points (0–1). */
      hardestGap: sup.hard - amp.hard,
      amplificationAll: amp.all,
      supervisedAll: sup.all,
      amplificationBase: amp.byPower[0],
      supervisedBase: sup.byPower[0],
      overseerAnswers: overseer.baseAnswers,
      overseerDistinctAnswers: overseer.distinctBaseAnswers,
      overseerDecompositions: overseer.decompositions,
      supervisedLabels,
      supervisedDistinctLabels: cfg.n * cfg.maxPower,
      /** H's direct answers per ground-truth label the supervised arm used. */
      overseerAnswerShare: overseer.baseAnswers / supervisedLabels,
      /** σ reads: H's (one per base case) per what an unaided H would read to label supervised's questions. */
      overseerReadShare: overseer.baseAnswers / unaidedReads,
      amplificationRoundsTo90: firstRoundAtLeast(ampCurve, 0.9),
      supervisedRoundsTo90: firstRoundAtLeast(supCurve, 0.9),
      trainingSteps: totalSteps,
    };
    amp.byPower.forEach((a, i) => {
      summary[`amplification/k${i + 1}`] = a;
      summary[`supervised/k${i + 1}`] = sup.byPower[i];
    });
    for (const [name, value] of Object.entries(summary)) ctx.log(totalSteps, `summary/${name}`, value);
    // Specified: agreement with the amplified overseer's answers it was trained on; intended: true
    // accuracy on every question (1 is achievable: supervised learning gets there).
    return { specified: lastAgreement, intended: amp.all, intendedBest: 1, summary };
  },

  check(_result, runs) {
    return [
      // 0.05: the paper's amplification curves reach the same final accuracy as supervised learning
      // on permutation powering; "comes close" allowed 5 points of the hardest bucket (in quick mode
      // 6 of its 128 questions). An overseer that cannot decompose leaves these questions at chance
      // (1/n), tens of points behind.
      atMost(
        'supervised − amplification accuracy on the hardest powers (k > K/2)',
        summaryMean(runs, 'hardestGap'),
        0.05,
      ),
      // 0.25: at least 4× fewer direct answers from H than ground-truth labels — "a fraction". Here
      // H answers only base cases, one level in D + 1 of the question mix (1/5 at K = 16, 1/6 at K = 32,
      // 1/7 at K = 64); an overseer that must answer every training question itself would be at 1.
      atMost(
        'H’s direct answers / supervised’s ground-truth labels',
        summaryMean(runs, 'overseerAnswerShare'),
        0.25,
      ),
    ];
  },

  gates(runs) {
    return [
      // The model can learn the hardest powers from ground truth within the step budget.
      atLeast('supervised accuracy on the hardest powers', summaryMean(runs, 'supervisedHardest'), 0.9),
    ];
  },

  controls: [
    {
      name: 'base-only',
      why: 'an overseer who cannot decompose answers base cases only: every training question is one it answered directly, and nothing teaches the model k > 1',
      override: { overseer: 'base-only' },
    },
    {
      name: 'shuffled-subanswer',
      why: 'an overseer who splits questions but carries another question’s inner answer into the outer one gives wrong targets for k > 1, at the same share of direct answers',
      override: { overseer: 'shuffled-subanswer' },
    },
  ],
});

/** The model's agreement with its training targets, and the targets' agreement with the truth. */
function auditTargets(
  model: OneHotMlp,
  task: PermutationTask,
  batches: readonly { questions: Question[]; targets: Int32Array }[],
): { agree: number; right: number } {
  const scratch = model.scratch();
  const values = new Int32Array(2);
  let agree = 0;
  let right = 0;
  let total = 0;
  for (const { questions, targets } of batches) {
    questions.forEach(({ x, k }, i) => {
      values[0] = x;
      values[1] = k - 1;
      if (model.answer(values, scratch) === targets[i]) agree++;
      if (task.power(x, k) === targets[i]) right++;
      total++;
    });
  }
  return { agree: agree / total, right: right / total };
}
