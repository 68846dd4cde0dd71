/**
 * Weak-to-strong generalization (Burns et al. 2023) with MLPs on a synthetic task with known
 * truth (src/oversight/weak-to-strong.ts): a random tanh teacher labels x ~ N(0, I_10); the weak
 * supervisor is a 4-unit MLP that sees x through Gaussian noise (σ = 0.7), trained on ground
 * truth; the strong student is a 64-unit MLP on clean x trained on the weak model's soft labels
 * with plain cross-entropy (`w2s`) or the auxiliary confidence loss (`w2s+conf`, α = 0.5, warm-up
 * 10%); the ceiling is the same student trained on ground truth. Each seed draws its own teacher,
 * data and initializations; both students start from the same weights and see the same batches
 * (a paired comparison of the two losses).
 *
 * What this is not: the paper's students are pretrained LMs whose latent knowledge of the task
 * the weak labels elicit. Here the student's edge is its clean view of x and its width; with a
 * weak model that sees x cleanly and differs only in width, we measured PGR ≈ 0 (the student
 * imitates the weak model's errors; README, "Scalable oversight").
 */
import { z } from 'zod';
import { BinaryMlp } from '../oversight/mlp.js';
import {
  accuracy,
  noisyView,
  performanceGapRecovered,
  TeacherTask,
  train,
} from '../oversight/weak-to-strong.js';
import { atLeast, summaryMean } from './checks.js';
import { defineExperiment, INTENDED, SPECIFIED } from './types.js';

const config = z.strictObject({
  inputs: z.number().int().min(1).max(1000).default(10),
  teacherHidden: z.number().int().min(1).max(1000).default(16),
  /** Scales the teacher's first layer: larger is a more nonlinear boundary. */
  sharpness: z.number().min(0).max(100).default(2),
  weakHidden: z.number().int().min(1).max(1000).default(4),
  /** Std of the noise the weak model sees x through (its weaker perception). */
  weakNoise: z.number().min(0).max(100).default(0.7),
  strongHidden: z.number().int().min(1).max(4096).default(64),
  /** Ground-truth examples for the weak model. */
  weakTrain: z.number().int().min(10).max(1_000_000).default(1000),
  /** Examples the student trains on (weak labels, or truth for the ceiling). */
  strongTrain: z.number().int().min(10).max(1_000_000).default(8000),
  test: z.number().int().min(100).max(1_000_000).default(4000),
  epochs: z.number().int().min(1).max(1000).default(30),
  batch: z.number().int().min(1).max(100_000).default(64),
  learningRate: z.number().gt(0).max(1).default(0.003),
  /** The confidence loss's α (Burns et al.: 0.5 for their LM students). */
  auxCoef: z.number().min(0).max(1).default(0.5),
  /** The share of training steps over which α warms up (Burns et al.: 10%). */
  warmupFrac: z.number().min(0).max(1).default(0.1),
  /** `weak`: the weak model's soft labels; `shuffled`: the same labels permuted across examples (a control). */
  labels: z.enum(['weak', 'shuffled']).default('weak'),
});

type Config = z.output<typeof config>;

export const weakToStrongExperiment = defineExperiment({
  id: 'weak-to-strong',
  title: 'Weak-to-strong generalization: a strong student trained on weak labels beats its supervisor',
  claim:
    'A strong model trained on a weak supervisor’s labels recovers part of the gap between the supervisor and ' +
    'the strong ceiling (PGR > 0), and the auxiliary confidence loss raises that share (Burns et al. 2023).',
  config,
  quick: { strongTrain: 2000, epochs: 15 },

  // Left out of `npm start`: with weak-to-strong it costs more than the quick suite can spare.
  extended: true,

  async run(cfg: Config, ctx) {
    const taskRng = ctx.rng.derive('task');
    const task = new TeacherTask(cfg.inputs, cfg.teacherHidden, taskRng, cfg.sharpness);
    const weakData = task.sample(taskRng, cfg.weakTrain);
    const strongData = task.sample(taskRng, cfg.strongTrain);
    const testData = task.sample(taskRng, cfg.test);
    const viewRng = ctx.rng.derive('weak-view');
    const opts = {
      epochs: cfg.epochs,
      batch: cfg.batch,
      learningRate: cfg.learningRate,
      auxCoef: 0,
      warmupFrac: cfg.warmupFrac,
    };

    const weak = new BinaryMlp(cfg.inputs, cfg.weakHidden, ctx.rng.derive('weak-init'));
    train(
      weak,
      noisyView(weakData.x, cfg.weakNoise, viewRng),
      Float64Array.from(weakData.y),
      opts,
      ctx.rng.derive('weak-order'),
    );
    const weakAcc = accuracy(weak, noisyView(testData.x, cfg.weakNoise, viewRng), testData.y);
    ctx.progress(1, 4);
    const soft = weak.predict(noisyView(strongData.x, cfg.weakNoise, viewRng));
    if (cfg.labels === 'shuffled') {
      const rng = ctx.rng.derive('shuffle');
      for (let i = soft.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [soft[i], soft[j]] = [soft[j], soft[i]];
      }
    }

    const student = (targets: Float64Array, auxCoef: number) => {
      const model = new BinaryMlp(cfg.inputs, cfg.strongHidden, ctx.rng.derive('strong-init'));
      train(model, strongData.x, targets, { ...opts, auxCoef }, ctx.rng.derive('strong-order'));
      ctx.signal.throwIfAborted();
      return accuracy(model, testData.x, testData.y);
    };
    const ceiling = student(Float64Array.from(strongData.y), 0);
    ctx.progress(2, 4);
    const w2s = student(soft, 0);
    ctx.progress(3, 4);
    const w2sConf = student(soft, cfg.auxCoef);
    ctx.progress(4, 4);

    const pgr = performanceGapRecovered(weakAcc, w2s, ceiling);
    const pgrConf = performanceGapRecovered(weakAcc, w2sConf, ceiling);
    const summary = {
      weakAccuracy: weakAcc,
      ceilingAccuracy: ceiling,
      w2sAccuracy: w2s,
      w2sConfAccuracy: w2sConf,
      pgr,
      pgrConf,
      pgrConfGain: pgrConf - pgr,
      gap: ceiling - weakAcc,
    };
    for (const [name, value] of Object.entries(summary)) ctx.log(0, `w2s/${name}`, value);
    // Specified: agreement with what the student was trained on is not measured; the student's
    // test accuracy under ground truth is the intended score, the ceiling the best.
    ctx.log(cfg.epochs, SPECIFIED, w2sConf);
    ctx.log(cfg.epochs, INTENDED, w2sConf);
    return { specified: w2sConf, intended: w2sConf, intendedBest: ceiling, summary };
  },

  check(_result, runs) {
    return [
      // 0.2: a student that only imitates its supervisor has PGR 0, and seed-to-seed spread of
      // PGR here is ~0.15; Burns et al. report naive-loss PGRs of roughly 0.2–0.5 on most NLP
      // tasks — 0.2 is the low end of the published range.
      atLeast('PGR with cross-entropy on weak labels', summaryMean(runs, 'pgr'), 0.2),
      // 0.02: both students start from the same weights and see the same batches, so the paired
      // difference isolates the loss; 2 points of the gap is about 0.3–0.4 test-accuracy points
      // here (gaps of 0.15–0.2), several times the difference the pairing leaves from float
      // order alone (0). The paper's gains are larger (often +0.2 to +0.5 PGR with large gaps).
      atLeast('confidence loss raises PGR (PGR(conf) − PGR(xent))', summaryMean(runs, 'pgrConfGain'), 0.02),
    ];
  },

  gates(runs) {
    return [
      // The student can learn the task from truth, and there is a gap to recover.
      atLeast('ceiling accuracy', summaryMean(runs, 'ceilingAccuracy'), 0.85),
      atLeast('gap between ceiling and weak supervisor', summaryMean(runs, 'gap'), 0.08),
    ];
  },

  controls: [
    {
      name: 'shuffled-labels',
      why: 'weak labels permuted across examples carry no information about x: the student falls to chance, below the weak model (PGR < 0)',
      override: { labels: 'shuffled' },
    },
    {
      name: 'no-aux-loss',
      why: 'with α = 0 the "confidence" student is the cross-entropy student: the raise must vanish',
      override: { auxCoef: 0 },
    },
  ],
});
