/**
 * DPO against PPO on one preference dataset (Rafailov et al. 2023, their Figure 2 transposed
 * from IMDb sentiment to arithmetic): the reward–KL frontier. Pairs of SFT samples on prompts
 * the SFT policy never trained on (`trainPrompts`) are labelled by a rater over the gold
 * utility; DPO trains on them directly for several β; PPO optimizes a reward model trained on the same pairs for several KL coefficients; PPO on the
 * gold utility itself (several KL coefficients) draws the envelope of what the KL can buy, as
 * the paper's "PPO-GT". As in the paper, every run is measured at several points along its
 * training: gold reward (mean `arithmeticUtility` of samples on held-out prompts, the same
 * random numbers for every policy) and KL from the SFT reference (mean sequence log-ratio of
 * those samples). A method's frontier is the upper-left envelope of its points; the claim
 * compares DPO's and PPO-on-the-learned-RM's envelopes over the KL range both reach, with a
 * 95% interval from resampling the held-out prompts.
 *
 * Starting policy (`base`, `questions`): by default the noisy-demonstrations base model
 * (src/lm/noisy-base-model.ts) on +/− questions only. On the competent base model RL had no
 * generalizable headroom (+/− already right, × memorized per question: PPO on gold learned which
 * training questions it knows, held-out gold did not rise, and a reward model on the same trunk
 * ordered × pairs at 0.57). The noisy policy samples a near miss a third of the time on every +/−
 * question while its argmax is right — the analogue of GPT-2's mixed sentiment in the paper's IMDb
 * task: one rule ("don't emit the noise") that RL can learn and that carries to held-out prompts.
 *
 * Specified = each method's own objective is different, so the headline pair is DPO's best
 * point: its implicit-reward accuracy on the training batch (specified) and its gold reward
 * (intended).
 */
import { z } from 'zod';
import { DpoConfigSchema, trainDpo } from '../align/dpo.js';
import { PpoConfigSchema, trainPpo } from '../align/ppo.js';
import { type RewardScorer, trainRewardModel } from '../align/reward-model.js';
import { type TrainingPair, trainingView } from '../feedback/preference-data.js';
import {
  arithmeticUtility,
  parseArithmeticPrompt,
  scoreArithmeticCompletion,
} from '../lm/corpora/arithmetic.js';
import { loadNoisyBaseModel } from '../lm/noisy-base-model.js';
import { sampleRollouts, sequenceKl } from '../lm/rollout.js';
import type { Transformer } from '../nn/index.js';
import { atLeast, mean } from './checks.js';
import { truthAgreement } from './overoptimization.js';
import {
  basePolicy,
  linesSvg,
  MAX_NEW_TOKENS,
  onPolicyPairs,
  type PolicyBase,
  promptSets,
  raterSchema,
  sftPolicy,
  sftSchema,
  simulatedRater,
} from './text-policy.js';
import { defineExperiment, INTENDED, type SeedResult, SPECIFIED } from './types.js';

const config = z.strictObject({
  /** The starting policy: the cached competent base model (`basePolicy`, issue 10) or one trained in the run from `sft` (`in-run`). */
  policy: z.enum(['base', 'in-run']).default('base'),
  /**
   * Which cached base model `policy: 'base'` starts from: `competent` (src/lm/base-model.ts: +/−
   * right 99% of the time, × memorized per question) or `noisy` (src/lm/noisy-base-model.ts: the
   * same model fine-tuned on +/− demonstrations a third of which are near misses, so it samples
   * the right +/− answer ~2/3 of the time while its argmax stays right — a question-independent
   * error RL can learn to stop making, as GPT-2's mixed sentiment in Rafailov et al.'s IMDb task).
   */
  base: z.enum(['competent', 'noisy']).default('noisy'),
  /**
   * Which questions the pairs, PPO's rollouts and the evaluation use: `all` (half ×, as the
   * corpus's test head) or `add-sub` (+/− only: the class whose competence is a rule, not a
   * memorized table — where the noisy base's headroom lies and a held-out gain can be learned).
   */
  questions: z.enum(['all', 'add-sub']).default('add-sub'),
  sft: sftSchema,
  rater: raterSchema,
  pairs: z.number().int().min(10).max(100_000).default(1500),
  /**
   * Prompts of the preference pairs and of PPO's rollouts: `unseen` — questions the SFT policy
   * never trained on (the corpus's calibration split, multiplications repeated so they are about
   * half, as in the evaluation; falls back to the train split for a corpus without one), or
   * `train` (the SFT training prompts, whose answers it has partly memorized: there gold rewards
   * "sure" after a multiplication it has learnt by heart, which held-out questions punish).
   */
  trainPrompts: z.enum(['unseen', 'train']).default('unseen'),
  /** Share of DPO's pairs whose labels are swapped at random (the control: DPO without the preferences). */
  dpoLabelNoise: z.number().min(0).max(0.5).default(0),
  rewardEpochs: z.number().int().min(1).max(100).default(3),
  dpoBetas: z.array(z.number().positive()).min(1).default([0.1, 0.3, 1, 3]),
  dpo: DpoConfigSchema.omit({ beta: true })
    .extend({
      steps: z.number().int().min(1).default(150),
      learningRate: z.number().positive().default(1e-4),
    })
    .prefault({}),
  /** KL coefficients of PPO on the learned reward model. */
  klCoefs: z.array(z.number().min(0)).min(1).default([0.02, 0.05, 0.2, 0.5]),
  /** KL coefficients of PPO on the gold utility (the envelope; empty: none). */
  goldKlCoefs: z.array(z.number().min(0)).default([0.02, 0.05, 0.2, 0.5]),
  ppo: PpoConfigSchema.omit({ klCoef: true, maxNewTokens: true })
    .extend({ steps: z.number().int().min(1).default(60), learningRate: z.number().positive().default(1e-4) })
    .prefault({}),
  /** Points measured along each training run (evenly spaced steps, the last included). */
  checkpoints: z.number().int().min(1).max(20).default(3),
  /** Held-out test prompts, from the head of the test split (questions `all`: alternating × and +/−, the first 226 half ×; `add-sub`: its first +/− questions). */
  evalPrompts: z.number().int().min(10).max(1500).default(226),
  /** Samples per held-out prompt; every policy is sampled with the same random numbers. */
  evalSamples: z.number().int().min(1).max(16).default(4),
  /** Resamples of the held-out prompts for the interval of the frontier gap. */
  bootstrap: z.number().int().min(20).max(10_000).default(400),
});
type Config = z.output<typeof config>;

export interface FrontierPoint {
  kl: number;
  gold: number;
}

/**
 * The reward–KL frontier of a set of points: those no other point beats with at most its KL
 * (the upper-left envelope), sorted by KL, so gold rises along it.
 */
export function paretoFrontier(points: readonly FrontierPoint[]): FrontierPoint[] {
  const sorted = [...points].sort((a, b) => a.kl - b.kl || b.gold - a.gold);
  const out: FrontierPoint[] = [];
  for (const p of sorted) if (out.length === 0 || p.gold > out[out.length - 1].gold) out.push(p);
  return out;
}

/** Gold reward at `kl` on a frontier by linear interpolation (NaN outside its KL range). */
export function interpolate(frontier: readonly FrontierPoint[], kl: number): number {
  const pts = [...frontier].sort((a, b) => a.kl - b.kl);
  for (let i = 0; i + 1 < pts.length; i++) {
    const [a, b] = [pts[i], pts[i + 1]];
    if (kl >= a.kl && kl <= b.kl)
      return b.kl === a.kl
        ? Math.max(a.gold, b.gold)
        : a.gold + ((kl - a.kl) / (b.kl - a.kl)) * (b.gold - a.gold);
  }
  return pts.length === 1 && pts[0].kl === kl ? pts[0].gold : Number.NaN;
}

/**
 * The best gold a method reaches within a KL budget: its frontier interpolated (mixing two
 * policies reaches any point between them), and flat past its last point (a larger budget may
 * still use the smaller-KL policy). NaN below the frontier's first KL.
 */
export function goldWithin(frontier: readonly FrontierPoint[], kl: number): number {
  const last = frontier[frontier.length - 1];
  return kl >= last.kl ? last.gold : interpolate(frontier, kl);
}

/**
 * Frontier of points a minus frontier of points b, averaged over an even grid of KL budgets
 * from 0 to the smaller of the two methods' largest measured KLs (both sets include the SFT
 * point at KL 0): the area between the frontiers per nat.
 */
export function frontierGap(
  a: readonly FrontierPoint[],
  b: readonly FrontierPoint[],
  grid = 50,
): { gap: number; range: number } {
  const range = Math.min(Math.max(...a.map((p) => p.kl)), Math.max(...b.map((p) => p.kl)));
  if (!(range > 0)) return { gap: Number.NaN, range: 0 };
  const [fa, fb] = [paretoFrontier(a), paretoFrontier(b)];
  const gaps = Array.from({ length: grid + 1 }, (_, i) => {
    const kl = (range * i) / grid;
    return goldWithin(fa, kl) - goldWithin(fb, kl);
  });
  return { gap: mean(gaps), range };
}

/** Evenly spaced steps of a run at which to measure it (the last always). */
export function checkpointSteps(steps: number, checkpoints: number): Set<number> {
  const n = Math.min(steps, checkpoints);
  return new Set(Array.from({ length: n }, (_, i) => Math.round((steps * (i + 1)) / n)));
}

/** A measured policy: gold and KL per held-out prompt (each the mean over that prompt's samples). */
export interface MeasuredPolicy {
  gold: Float64Array;
  kl: Float64Array;
}

/** The (KL, gold) point of a measured policy over the prompts `indices` (with repeats: a resample). */
export function pointOn(policy: MeasuredPolicy, indices: readonly number[]): FrontierPoint {
  let kl = 0;
  let gold = 0;
  for (const i of indices) {
    kl += policy.kl[i];
    gold += policy.gold[i];
  }
  return { kl: Math.max(0, kl / indices.length), gold: gold / indices.length };
}

export interface FrontierComparison {
  /** DPO's frontier minus PPO-on-the-learned-RM's, mean over KL budgets in [0, range]. */
  gap: number;
  /** The smaller of the two methods' largest KLs. */
  range: number;
  /** PPO-on-gold's frontier minus the SFT gold over the same budgets: what the KL can buy (NaN without gold runs). */
  envelopeGain: number;
}

/** The two frontiers compared over the KL range both reach, and the gold envelope over that range. */
export function compareFrontiers(
  sft: FrontierPoint,
  dpo: readonly FrontierPoint[],
  ppo: readonly FrontierPoint[],
  gold: readonly FrontierPoint[],
  grid = 50,
): FrontierComparison {
  const { gap, range } = frontierGap([sft, ...dpo], [sft, ...ppo], grid);
  if (gold.length === 0 || !(range > 0)) return { gap, range, envelopeGain: Number.NaN };
  const envelope = paretoFrontier([sft, ...gold]);
  const gains = Array.from(
    { length: grid + 1 },
    (_, i) => goldWithin(envelope, (range * i) / grid) - sft.gold,
  );
  return { gap, range, envelopeGain: mean(gains) };
}

/**
 * Questions the SFT policy never trained on and the evaluation never uses: the corpus's
 * calibration split (undefined when the corpus has none), multiplications repeated so they make
 * up about half, as in the held-out evaluation prompts.
 */
export function unseenPrompts(sft: PolicyBase): string[] | undefined {
  const corpus = sft.corpus as PolicyBase['corpus'] & { calibration?: () => readonly { prompt: string }[] };
  if (typeof corpus.calibration !== 'function') return undefined;
  const prompts = corpus.calibration().map((i) => i.prompt);
  const times = prompts.filter((p) => parseArithmeticPrompt(p)?.op === '*');
  const others = prompts.filter((p) => parseArithmeticPrompt(p)?.op !== '*');
  if (times.length === 0 || others.length === 0) return prompts.length > 0 ? prompts : undefined;
  const copies = Math.max(1, Math.round(others.length / times.length));
  return [...others, ...Array.from({ length: copies }, () => times).flat()];
}

/** A summary number as stored (JSON turns NaN into null): anything not finite is NaN. */
function finite(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : Number.NaN;
}

/** Standard deviation (n − 1); NaN for fewer than two values. */
function sd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, values.length - 1));
}

/**
 * Seeds pooled: the mean gap and its standard error (each seed's bootstrap SE, independent
 * seeds), the lower end of its 95% interval, and that lower end as a share of the gold envelope's
 * gain — how much of what the KL can buy DPO may lose to PPO, at worst.
 */
export function pooledGap(runs: readonly { result: { summary?: Record<string, number> } }[]) {
  const get = (key: string) => runs.map((r) => finite(r.result.summary?.[key]));
  const gap = mean(get('frontierGapDpoMinusPpo'));
  const se = Math.sqrt(get('frontierGapSe').reduce((s, x) => s + x * x, 0)) / runs.length;
  const lower = gap - 1.96 * se;
  const envelope = mean(get('envelopeGain'));
  return { gap, se, lower, envelope, lowerShare: envelope > 0 ? lower / envelope : Number.NaN };
}

export const dpoVsPpoExperiment = defineExperiment({
  id: 'dpo-vs-ppo',
  title: 'DPO vs PPO: the reward–KL frontier (Rafailov et al. 2023)',
  claim:
    'On the same preference data, DPO reaches at least the gold reward PPO on the learned reward model reaches at ' +
    'matched KL from the reference (Rafailov et al., fig. 2), both below PPO on the gold reward.',
  config,
  quick: {
    pairs: 300,
    dpoBetas: [0.3, 3],
    dpo: { steps: 24 },
    klCoefs: [0.05, 0.5],
    goldKlCoefs: [0.05],
    // Smaller PPO batches in quick mode (one minibatch of 32, 4 epochs): ≈ 2.5× cheaper per iteration.
    ppo: { steps: 10, batchSize: 32, miniBatches: 1 },
    checkpoints: 2,
    // 200 prompts × 4 samples: at 100 × 2 (seed 20) the gold envelope's SE was 0.037 on a gain of
    // 0.056 (1.5 SE); at 200 × 4 it is 0.021–0.026 (gain 3.5–3.9 SE, seeds 20–21), for ≈ +5 s CPU.
    evalPrompts: 200,
    evalSamples: 4,
    bootstrap: 200,
  },

  controls: [
    {
      name: 'dpo-random-labels',
      why: 'DPO trained on coin-flipped labels learns no preference, while PPO still optimizes a reward model of the real ones: DPO cannot match it.',
      override: { dpoLabelNoise: 0.5 },
    },
  ],

  async run(cfg, ctx) {
    const sft =
      cfg.policy === 'in-run'
        ? await sftPolicy(cfg.sft, ctx.seed)
        : cfg.base === 'noisy'
          ? await loadNoisyBaseModel()
          : await basePolicy();
    const keep = (p: string) => cfg.questions === 'all' || parseArithmeticPrompt(p)?.op !== '*';
    const sets = promptSets(sft, cfg.questions === 'all' ? cfg.evalPrompts : Number.MAX_SAFE_INTEGER);
    const test = sets.test.filter(keep).slice(0, cfg.evalPrompts);
    const train = (cfg.trainPrompts === 'unseen' ? (unseenPrompts(sft) ?? sets.train) : sets.train).filter(
      keep,
    );
    const pairs = onPolicyPairs(
      sft,
      train,
      cfg.pairs,
      simulatedRater(cfg.rater, ctx.rng.derive('rater')),
      ctx.rng.derive('pairs'),
    );
    const view = pairs.map(trainingView);
    const noiseRng = ctx.rng.derive('dpo-label-noise');
    const dpoView = view.map((p) =>
      noiseRng.next() < cfg.dpoLabelNoise
        ? ({ ...p, chosen: p.rejected, rejected: p.chosen } as TrainingPair)
        : p,
    );
    const evalPrompts = test.flatMap((p) => Array<string>(cfg.evalSamples).fill(p));
    const perPrompt = (values: ArrayLike<number>) =>
      Float64Array.from(test, (_, p) => {
        let s = 0;
        for (let j = 0; j < cfg.evalSamples; j++) s += values[p * cfg.evalSamples + j];
        return s / cfg.evalSamples;
      });
    // Common random numbers: every policy is sampled with the same stream, so the differences
    // between points are the policies', not the dice's.
    const evalRng = ctx.rng.derive('eval');
    const sample = (policy: Transformer) =>
      sampleRollouts(policy, sft.tokenizer, evalPrompts, {
        maxNewTokens: MAX_NEW_TOKENS,
        rng: evalRng.derive('samples'),
      });
    const measure = (policy: Transformer): MeasuredPolicy => {
      const rollouts = sample(policy);
      return {
        kl: perPrompt(sequenceKl(policy, sft.model, rollouts.rows)),
        gold: perPrompt(evalPrompts.map((p, i) => arithmeticUtility(p, rollouts.completions[i]))),
      };
    };
    const all = test.map((_, i) => i);
    const sftSamples = sample(sft.model);
    const sftGold = evalPrompts.map((p, i) => arithmeticUtility(p, sftSamples.completions[i]));
    const sftMeasured: MeasuredPolicy = { kl: new Float64Array(test.length), gold: perPrompt(sftGold) };
    const sftPoint = pointOn(sftMeasured, all);
    // Greedy decoding of the held-out +/− prompts: what the model can do, whatever its sampling noise.
    const addSubTest = test.filter((p) => parseArithmeticPrompt(p)?.op !== '*');
    const greedy = sampleRollouts(sft.model, sft.tokenizer, addSubTest, {
      maxNewTokens: MAX_NEW_TOKENS,
      temperature: 1e-6,
      rng: ctx.rng.derive('greedy'),
    }).completions;
    const summary: Record<string, number> = {
      sftGreedyAccuracyAddSub: mean(
        addSubTest.map((p, i) => (scoreArithmeticCompletion(p, greedy[i]).correct ? 1 : 0)),
      ),
      sftGold: sftPoint.gold,
      sftAccuracy: mean(
        evalPrompts.map((p, i) => (scoreArithmeticCompletion(p, sftSamples.completions[i]).correct ? 1 : 0)),
      ),
      // The +/− questions alone: the class the model is meant to master (the × class is hard by design).
      sftAccuracyAddSub: mean(
        evalPrompts.flatMap((p, i) =>
          parseArithmeticPrompt(p)?.op === '*'
            ? []
            : [scoreArithmeticCompletion(p, sftSamples.completions[i]).correct ? 1 : 0],
        ),
      ),
    };
    const total = cfg.dpoBetas.length + cfg.klCoefs.length + cfg.goldKlCoefs.length;
    let done = 0;
    const measured = {
      dpo: [] as MeasuredPolicy[],
      ppo: [] as MeasuredPolicy[],
      gold: [] as MeasuredPolicy[],
    };
    let bestDpo = { gold: Number.NEGATIVE_INFINITY, accuracy: 0 };
    // Each run's points in training order, from the SFT point: the figure draws one line per run.
    const trajectories: Record<string, { x: number; y: number }[]> = {};
    const record = (method: keyof typeof measured, key: string, m: MeasuredPolicy, last: boolean) => {
      measured[method].push(m);
      const point = pointOn(m, all);
      trajectories[key] ??= [{ x: 0, y: sftPoint.gold }];
      trajectories[key].push({ x: point.kl, y: point.gold });
      ctx.log(measured[method].length, `${method}/gold`, point.gold);
      ctx.log(measured[method].length, `${method}/kl`, point.kl);
      if (last) {
        summary[`${key}/kl`] = point.kl;
        summary[`${key}/gold`] = point.gold;
      }
      return point;
    };
    const dpoAt = checkpointSteps(cfg.dpo.steps, cfg.checkpoints);
    for (const beta of cfg.dpoBetas) {
      const r = await trainDpo({
        policy: sft.model,
        tokenizer: sft.tokenizer,
        pairs: dpoView,
        rng: ctx.rng.derive(`dpo-${beta}`),
        signal: ctx.signal,
        config: { ...cfg.dpo, beta },
        onStep: ({ step, steps, metrics, policy }) => {
          if (!dpoAt.has(step)) return;
          const point = record('dpo', `DPO β=${beta}`, measure(policy), step === steps);
          if (point.gold > bestDpo.gold)
            bestDpo = { gold: point.gold, accuracy: metrics['rewards/accuracies'] };
        },
      });
      r.policy.dispose();
      r.reference.dispose();
      ctx.progress(++done, total);
    }
    const learned = trainRewardModel(
      view,
      {
        epochs: cfg.rewardEpochs,
        seed: ctx.rng.derive('rm').int(2 ** 31),
        // The trunk's likelihood of the answer: without it a last-token head cannot tell right from wrong.
        answerLikelihood: true,
      },
      { init: sft, signal: ctx.signal },
    );
    summary.rmTruthAgreement = truthAgreement(
      learned.score(evalPrompts.map((prompt, i) => ({ prompt, completion: sftSamples.completions[i] }))),
      sftGold,
      cfg.evalSamples,
    );
    const gold: RewardScorer = {
      score: (items) => Float64Array.from(items, (x) => arithmeticUtility(x.prompt, x.completion)),
    };
    const ppoAt = checkpointSteps(cfg.ppo.steps, cfg.checkpoints);
    const arms = [
      ...cfg.klCoefs.map((klCoef) => ({ method: 'ppo' as const, klCoef, reward: learned as RewardScorer })),
      ...cfg.goldKlCoefs.map((klCoef) => ({ method: 'gold' as const, klCoef, reward: gold })),
    ];
    for (const { method, klCoef, reward } of arms) {
      const r = await trainPpo({
        policy: sft.model,
        tokenizer: sft.tokenizer,
        prompts: train,
        reward,
        rng: ctx.rng.derive(`${method}-${klCoef}`),
        signal: ctx.signal,
        config: { ...cfg.ppo, klCoef, maxNewTokens: MAX_NEW_TOKENS },
        onStep: ({ step, steps, policy }) => {
          const key = method === 'ppo' ? `PPO kl_coef=${klCoef}` : `PPO-gold kl_coef=${klCoef}`;
          if (ppoAt.has(step)) record(method, key, measure(policy), step === steps);
        },
      });
      r.policy.dispose();
      r.reference.dispose();
      ctx.progress(++done, total);
    }
    learned.dispose();
    // Both methods start at the SFT policy: its point (KL 0) opens every frontier.
    const compare = (indices: readonly number[]) =>
      compareFrontiers(
        pointOn(sftMeasured, indices),
        measured.dpo.map((m) => pointOn(m, indices)),
        measured.ppo.map((m) => pointOn(m, indices)),
        measured.gold.map((m) => pointOn(m, indices)),
      );
    const observed = compare(all);
    const bootRng = ctx.rng.derive('bootstrap');
    const resamples = Array.from({ length: cfg.bootstrap }, () =>
      compare(all.map(() => bootRng.int(all.length))),
    );
    const points = (ms: MeasuredPolicy[]) => ms.map((m) => pointOn(m, all));
    Object.assign(summary, {
      sharedKlRange: observed.range,
      frontierGapDpoMinusPpo: observed.gap,
      frontierGapSe: sd(resamples.map((r) => r.gap).filter(Number.isFinite)),
      envelopeGain: observed.envelopeGain,
      envelopeGainSe: sd(resamples.map((r) => r.envelopeGain).filter(Number.isFinite)),
      // Resamples where per-prompt KL noise left one method with no KL above 0: no shared range.
      bootstrapWithoutRange: resamples.filter((r) => !Number.isFinite(r.gap)).length,
      bestGoldDpo: Math.max(...points(measured.dpo).map((p) => p.gold)),
      bestGoldPpo: Math.max(...points(measured.ppo).map((p) => p.gold)),
      bestGoldPpoGold: Math.max(...points(measured.gold).map((p) => p.gold)),
    });
    ctx.log(1, SPECIFIED, bestDpo.accuracy);
    ctx.log(1, INTENDED, bestDpo.gold);
    const line = (pts: FrontierPoint[]) => pts.map((p) => ({ x: p.kl, y: p.gold }));
    ctx.artifact(
      'frontier.svg',
      linesSvg(
        {
          ...trajectories,
          'DPO frontier': line(paretoFrontier([sftPoint, ...points(measured.dpo)])),
          'PPO frontier': line(paretoFrontier([sftPoint, ...points(measured.ppo)])),
          'PPO-gold frontier': line(paretoFrontier([sftPoint, ...points(measured.gold)])),
        },
        'KL(π ‖ π_ref), nats per completion',
        'gold reward (mean utility)',
      ),
    );
    return { specified: bestDpo.accuracy, intended: bestDpo.gold, summary };
  },

  check(_result, runs) {
    return [
      // Non-inferiority at matched KL (Rafailov et al.'s fig. 2 shows DPO's frontier above PPO's):
      // the lower end of the 95% interval of DPO − PPO may lose at most a tenth of the gain PPO
      // on the gold reward buys over the same KL range — a margin, not a zero threshold.
      atLeast(
        'DPO − PPO(learned RM) frontier gap, lower 95% bound, as a share of the gold envelope gain',
        pooledGap(runs).lowerShare,
        -0.1,
      ),
    ];
  },

  gates(runs) {
    return dpoVsPpoGates(runs);
  },
});

/** Competence the comparison presumes, from the main runs. */
export function dpoVsPpoGates(runs: readonly SeedResult<Config>[]) {
  const at = (key: string) => mean(runs.map((r) => finite(r.result.summary?.[key])));
  const envelope = pooledGapEnvelope(runs);
  return [
    // Competence: a model that CAN answer +/− right. Issue 10 asks ≥ 95% of held-out +/− right;
    // the gate reads the policy's greedy (argmax) answer against that 0.95 — stricter than the
    // former 0.9 on samples at temperature 1 for the competent base (0.99 greedy, ~0.95 sampled),
    // and the right measure for the noisy-demonstrations base, whose samples are noisy by
    // construction (that noise is the headroom RL is meant to remove) while its argmax is right.
    // The sampled accuracy (`sftAccuracyAddSub`) stays in every summary.
    atLeast('SFT greedy accuracy on held-out +/− questions', at('sftGreedyAccuracyAddSub'), 0.95),
    atLeast('learned reward model: truth agreement on held-out sample pairs', at('rmTruthAgreement'), 0.75),
    // The KL must buy something: PPO on the gold reward gains over SFT by ≥ 2 standard errors.
    atLeast('PPO on gold: gain over SFT within the shared KL range, in standard errors', envelope, 2),
  ];
}

function pooledGapEnvelope(runs: readonly SeedResult<Config>[]): number {
  const gain = mean(runs.map((r) => finite(r.result.summary?.envelopeGain)));
  const se =
    Math.sqrt(runs.reduce((s, r) => s + finite(r.result.summary?.envelopeGainSe) ** 2, 0)) / runs.length;
  return se > 0 ? gain / se : Number.NaN;
}
