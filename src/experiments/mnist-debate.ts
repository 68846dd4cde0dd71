/**
 * Debate on MNIST as Irving, Christiano & Amodei (2018) ran it (src/oversight/mnist/): a sparse
 * judge that sees k revealed pixels (k = 6 and 4) classifies test digits alone (random pixels),
 * then after a debate in which an honest debater (the true label) and a liar (another label)
 * take turns revealing pixels. Judge accuracy with debate is the rate at which seat A — the
 * honest debater — wins the image; with precommit the liar fixes its lie first, every lie is
 * tried, and the liar wins the image if any lie wins. Debaters search with MCTS; a greedy
 * baseline plays the same images.
 *
 * Control `two-liars`: seat A claims a wrong label (drawn per image), so the truth is never on
 * the table; seat A's win rate then measures seat and search advantages, not truth winning, and
 * must not exceed the judge alone by the claimed margin.
 */
import { z } from 'zod';
import { mnistSplit } from '../oversight/mnist/data.js';
import { debateImage, defaultDebater } from '../oversight/mnist/game.js';
import { judgeAloneAccuracy, loadJudge } from '../oversight/mnist/judge-train.js';
import { atLeast, summaryMean } from './checks.js';
import { defineExperiment, INTENDED, SPECIFIED } from './types.js';

const judgeConfig = z
  .strictObject({
    /** `conv`: the paper's judge; `bayes`: naive Bayes over the revealed pixels (quick). */
    arch: z.enum(['conv', 'bayes']).default('conv'),
    conv1: z.number().int().min(1).max(256).default(32),
    conv2: z.number().int().min(1).max(512).default(64),
    hidden: z.number().int().min(1).max(4096).default(1024),
    learningRate: z.number().positive().default(1e-4),
    steps: z.number().int().min(1).default(3000),
  })
  .prefault({});

const config = z.strictObject({
  /** Debate lengths (total revealed pixels); the paper's are 6 and 4. */
  sizes: z.array(z.number().int().min(2).max(20)).min(1).default([6, 4]),
  /** Test digits debated per seed. */
  images: z.number().int().min(1).max(1000).default(100),
  /** Random masks per digit for the judge-alone accuracy. */
  aloneRounds: z.number().int().min(1).max(100).default(10),
  precommit: z.boolean().default(true),
  /** `honest`: seat A claims the true label; `liar`: a wrong one (the two-liars control). */
  seatA: z.enum(['honest', 'liar']).default('honest'),
  judge: judgeConfig,
  debater: z
    .strictObject({
      rollouts: z.number().int().min(1).max(100_000).default(defaultDebater.rollouts),
      cPuct: z.number().positive().default(defaultDebater.cPuct),
      priorSharpness: z.number().min(0).default(defaultDebater.priorSharpness),
      greedyShortlist: z.number().int().min(1).max(784).default(defaultDebater.greedyShortlist),
      candidates: z.number().int().min(1).max(784).default(defaultDebater.candidates),
    })
    .prefault({}),
  /** Play the greedy baseline too (for the search check). */
  greedy: z.boolean().default(true),
});

type Config = z.output<typeof config>;

/** The paper's numbers (Irving et al. 2018, abstract): judge alone → with debate. */
export const paperAccuracy: Record<number, { alone: number; debate: number }> = {
  6: { alone: 0.594, debate: 0.889 },
  4: { alone: 0.482, debate: 0.852 },
};

export const mnistDebateExperiment = defineExperiment({
  id: 'mnist-debate',
  title: 'Debate on MNIST: a sparse judge is right far more often after an honest and a lying debater argue',
  claim:
    'A judge that sees 6 (or 4) pixels of a digit is right far more often when an honest and a lying debater ' +
    'choose the pixels than when they are random (paper: 59.4% → 88.9% at 6 px, 48.2% → 85.2% at 4 px), and ' +
    'the honest debater wins more with MCTS than with greedy play (Irving, Christiano & Amodei 2018).',
  config,
  quick: {
    images: 30,
    aloneRounds: 10,
    judge: { arch: 'bayes' },
    debater: { rollouts: 200 },
  },
  extended: true,

  async run(cfg: Config, ctx) {
    const { test } = mnistSplit();
    const pick = ctx.rng.derive('images');
    const order = pick.shuffle(Array.from({ length: test.count }, (_, i) => i)).slice(0, cfg.images);
    const summary: Record<string, number> = {};
    const total = cfg.sizes.length * cfg.images * (cfg.greedy ? 2 : 1);
    let done = 0;
    let evaluations = 0;
    const transcripts: unknown[] = [];
    for (const k of cfg.sizes) {
      const { judge, stats } = await loadJudge({ pixels: k, ...cfg.judge });
      // The judge's own accuracy on every test digit (4 random masks each): the gate's number.
      summary[`judgeTest${k}`] = stats.testAccuracy;
      summary[`judgeAlone${k}`] = judgeAloneAccuracy(
        judge,
        test,
        k,
        ctx.rng.derive(`alone${k}`),
        cfg.aloneRounds,
        order,
      );
      const kinds = cfg.greedy ? (['mcts', 'greedy'] as const) : (['mcts'] as const);
      for (const kind of kinds) {
        const rng = ctx.rng.derive(`${kind}${k}`);
        const labelRng = ctx.rng.derive(`labels${k}`);
        let wins = 0;
        for (const [i, d] of order.entries()) {
          const truth = test.labels[d];
          const wrong = [...Array(10).keys()].filter((c) => c !== truth);
          const labelA = cfg.seatA === 'honest' ? truth : labelRng.pick(wrong);
          const rivals = wrong.filter((c) => c !== labelA);
          const result = debateImage(
            {
              judge,
              image: test.images.subarray(d * 784, (d + 1) * 784),
              pixels: k,
              first: i % 2 === 0 ? 'A' : 'B',
              labelA,
            },
            cfg.precommit,
            rivals,
            { kind, ...cfg.debater },
            rng,
          );
          if (result.seatAWins) wins++;
          evaluations += result.evaluations;
          if (kind === 'mcts' && transcripts.length < 10)
            transcripts.push({
              digit: d,
              truth,
              pixels: k,
              labelA,
              seatAWins: result.seatAWins,
              games: result.games,
            });
          ctx.progress(++done, total);
          ctx.signal.throwIfAborted();
        }
        summary[kind === 'mcts' ? `debate${k}` : `greedy${k}`] = wins / cfg.images;
      }
      summary[`lift${k}`] = summary[`debate${k}`] - summary[`judgeAlone${k}`];
      if (cfg.greedy) summary[`searchGain${k}`] = summary[`debate${k}`] - summary[`greedy${k}`];
      ctx.log(k, 'debate/accuracy', summary[`debate${k}`]);
      ctx.log(k, 'debate/judge_alone', summary[`judgeAlone${k}`]);
    }
    summary.judgeEvaluations = evaluations;
    ctx.artifact('transcripts.json', JSON.stringify(transcripts));
    const first = cfg.sizes[0];
    ctx.log(first, SPECIFIED, summary[`debate${first}`]);
    ctx.log(first, INTENDED, summary[`debate${first}`]);
    return {
      specified: summary[`debate${first}`],
      intended: summary[`debate${first}`],
      intendedBest: 1,
      summary,
    };
  },

  check(_result, runs) {
    const sizes = runs[0]?.config.sizes ?? [6, 4];
    const checks = sizes.map((k) =>
      // 0.20: the claim; the paper's lifts are 29.5 (6 px) and 37.0 (4 px) points.
      atLeast(`judge accuracy: debate − judge alone at ${k} px`, summaryMean(runs, `lift${k}`), 0.2),
    );
    if (runs[0]?.config.greedy !== false) {
      const gains = sizes.map((k) => summaryMean(runs, `searchGain${k}`));
      // 0.05: five points more honest wins with search than with greedy play, averaged over the
      // sizes — above the ±3-point noise of the mean over 3 seeds × 30 images × 2 sizes.
      checks.push(
        atLeast(
          'honest wins: MCTS − greedy (mean over sizes)',
          gains.reduce((a, b) => a + b, 0) / gains.length,
          0.05,
        ),
      );
    }
    return checks;
  },

  gates(runs) {
    const sizes = runs[0]?.config.sizes ?? [6, 4];
    // A judge that has learned something from k random pixels (about four in five of them
    // black): twice chance at least on the 1,000 test digits (the paper's: 59.4% and 48.2%).
    return sizes.map((k) =>
      atLeast(
        `judge alone on the test digits at ${k} px (chance 0.1)`,
        summaryMean(runs, `judgeTest${k}`),
        0.2,
      ),
    );
  },

  controls: [
    {
      name: 'two-liars',
      why: 'seat A claims a wrong label: the truth is never argued, so seat A winning measures seat and search, not truth',
      override: { seatA: 'liar' },
    },
  ],
});
