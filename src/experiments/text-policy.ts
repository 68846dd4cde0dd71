/**
 * What the text reproductions (confident-liar, overoptimization, dpo-vs-ppo) share: an SFT
 * policy on the arithmetic corpus (`basePolicy()`: the cached competent base model of
 * `src/lm/base-model.ts`; `sftPolicy()`: one trained inside the run from a small config), preference pairs of its own samples
 * labelled by a simulated rater over the corpus truth, and the evaluator's measures of a
 * policy on held-out prompts — accuracy, confident wording, calibration and the gold utility
 * (`scoreArithmeticCompletion`). Only these measures and the raters read the truth; trainers
 * see labels and reward-model scores.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { expectedCalibrationError } from '../evals/calibration.js';
import { type Bias, confidenceBias, lengthBias } from '../feedback/biases.js';
import { BoltzmannRater } from '../feedback/boltzmann-rater.js';
import type { PreferencePair } from '../feedback/preference-data.js';
import { type BaseModel, loadArithmeticBaseModel } from '../lm/base-model.js';
import {
  type ArithmeticScore,
  arithmeticUtility,
  scoreArithmeticCompletion,
} from '../lm/corpora/arithmetic.js';
import type { Corpus } from '../lm/corpora/types.js';
import { sampleRollouts } from '../lm/rollout.js';
import type { Tokenizer } from '../lm/tokenizer.js';
import { type TrainedModel, trainLanguageModel } from '../lm/train.js';
import { initBackend, type Transformer } from '../nn/index.js';
import { type BandPoint, curveSvg } from '../plots/curves.js';

export const sftSchema = z
  .strictObject({
    steps: z.number().int().min(1).max(100_000).default(1500),
    width: z.number().int().min(8).max(512).default(32),
    layers: z.number().int().min(1).max(8).default(2),
    heads: z.number().int().min(1).max(16).default(4),
    learningRate: z.number().positive().default(6e-3),
    batchSize: z.number().int().min(1).default(64),
  })
  .prefault({});
export type SftConfig = z.output<typeof sftSchema>;

/** A simulated rater over the gold utility, with the biases the reproductions turn on. */
export const raterFields = {
  beta: z.number().min(0).default(5),
  confidenceBias: z.number().default(0),
  lengthBias: z.number().default(0),
  flipProbability: z.number().min(0).max(0.5).default(0),
};
export const raterSchema = z.strictObject(raterFields).prefault({});
export type RaterConfig = z.output<typeof raterSchema>;

const sftCache = new Map<string, TrainedModel>();

/**
 * The SFT policy for a run's seed. Memoized per process: the three text reproductions (and
 * their tests) start from the same model when config and seed agree, instead of training it
 * again. Callers must not dispose it.
 */
export async function sftPolicy(config: SftConfig, seed: number): Promise<TrainedModel> {
  await initBackend();
  const key = JSON.stringify([config, seed]);
  let trained = sftCache.get(key);
  if (!trained) {
    trained = trainLanguageModel({ corpus: 'arithmetic', seed, ...config, warmupSteps: 100 });
    sftCache.set(key, trained);
  }
  return trained;
}

/** What the shared helpers need of an SFT policy: the model, its tokenizer and its corpus. */
export interface PolicyBase {
  model: Transformer;
  tokenizer: Tokenizer;
  corpus: Corpus;
}

/**
 * The competent arithmetic base model (the same for every seed: built once, cached on disk,
 * seeded from the repository's copy). Callers must not dispose it.
 */
export async function basePolicy(): Promise<BaseModel> {
  return loadArithmeticBaseModel();
}

export function simulatedRater(config: RaterConfig, rng: Rng): BoltzmannRater<string> {
  const biases: Bias<string>[] = [];
  if (config.confidenceBias !== 0) biases.push(confidenceBias(config.confidenceBias));
  if (config.lengthBias !== 0) biases.push(lengthBias(config.lengthBias));
  return new BoltzmannRater<string>({
    trueUtility: arithmeticUtility,
    beta: config.beta,
    biases,
    flipProbability: config.flipProbability,
    rng,
  });
}

/** Completion room: the longest answer "891 maybe" (198 reversed) is 9 characters, then <eos>. */
export const MAX_NEW_TOKENS = 10;

/**
 * Preference pairs of the policy's own samples (two per prompt, as InstructGPT's labellers
 * compared model outputs), labelled by the rater; identical pairs are skipped. The truth
 * object carries the gold utilities for the evaluator.
 */
export function onPolicyPairs(
  sft: PolicyBase,
  prompts: readonly string[],
  count: number,
  rater: BoltzmannRater<string>,
  rng: Rng,
): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  const seen = new Set<string>();
  for (let round = 0; round < 8 && pairs.length < count; round++) {
    const chosenPrompts = Array.from({ length: count - pairs.length }, () => rng.pick(prompts));
    const doubled = chosenPrompts.flatMap((p) => [p, p]);
    const samples = sampleRollouts(sft.model, sft.tokenizer, doubled, {
      maxNewTokens: MAX_NEW_TOKENS,
      rng: rng.derive(`round-${round}`),
    }).completions;
    chosenPrompts.forEach((prompt, i) => {
      const [a, b] = [samples[2 * i], samples[2 * i + 1]];
      const key = JSON.stringify([prompt, ...[a, b].sort()]);
      if (a === b || seen.has(key) || pairs.length >= count) return;
      const judgement = rater.judge(prompt, a, b);
      if (judgement.choice === 'tie') return;
      seen.add(key);
      pairs.push(arithmeticPair(prompt, a, b, judgement.choice));
    });
  }
  return pairs;
}

/** The pair in the rater's order, with the gold utilities of both answers for the evaluator. */
export function arithmeticPair(prompt: string, a: string, b: string, choice: 'a' | 'b'): PreferencePair {
  const [chosen, rejected] = choice === 'a' ? [a, b] : [b, a];
  return {
    prompt,
    chosen,
    rejected,
    truth: {
      chosen_utility: arithmeticUtility(prompt, chosen),
      rejected_utility: arithmeticUtility(prompt, rejected),
    },
  };
}

export interface PolicyMeasures {
  /** Share of completions with the right answer. */
  accuracy: number;
  /** Share that say "sure". */
  confident: number;
  /** Expected calibration error of the stated words (src/evals/calibration.ts, one bin per stated probability). */
  ece: number;
  /** Mean gold utility (the intended objective). */
  utility: number;
  /** Share of well-formed completions ("58 sure"). */
  wellFormed: number;
}

export interface MeasuredSamples {
  completions: string[];
  measures: PolicyMeasures;
}

/** The evaluator's measures of completions of `prompts`. */
export function measureCompletions(
  prompts: readonly string[],
  completions: readonly string[],
): PolicyMeasures {
  const scores = completions.map((c, i) => scoreArithmeticCompletion(prompts[i], c));
  const share = (pick: (s: ArithmeticScore) => boolean) => scores.filter(pick).length / scores.length;
  return {
    accuracy: share((s) => s.correct),
    confident: share((s) => s.confidence === 'sure'),
    // One bin per stated probability (a completion without a word states 0.5), as src/lm's base model measures it.
    ece: expectedCalibrationError(
      scores.map((s) => s.statedProbability),
      scores.map((s) => s.correct),
      'by-value',
    ),
    utility: scores.reduce((sum, s) => sum + s.utility, 0) / scores.length,
    wellFormed: share((s) => s.wellFormed),
  };
}

/** Samples one completion per prompt and measures them. */
export function measurePolicy(
  model: Transformer,
  sft: PolicyBase,
  prompts: readonly string[],
  rng: Rng,
): MeasuredSamples {
  const completions = sampleRollouts(model, sft.tokenizer, prompts, {
    maxNewTokens: MAX_NEW_TOKENS,
    rng,
  }).completions;
  return { completions, measures: measureCompletions(prompts, completions) };
}

/** Held-out and training prompts of the SFT corpus (evaluation never uses a training prompt). */
export function promptSets(sft: PolicyBase, evalPrompts: number): { train: string[]; test: string[] } {
  return {
    train: sft.corpus.split('train').map((i) => i.prompt),
    test: sft.corpus
      .split('test')
      .slice(0, evalPrompts)
      .map((i) => i.prompt),
  };
}

/** A line chart of named series (no seed bands) as SVG. */
export function linesSvg(
  series: Record<string, readonly { x: number; y: number }[]>,
  xLabel: string,
  yLabel: string,
): string {
  const points: BandPoint[] = Object.entries(series).flatMap(([name, pts]) =>
    pts.map((p) => ({ series: name, x: p.x, mean: p.y, lo: p.y, hi: p.y, n: 1 })),
  );
  return curveSvg(points, { xLabel, yLabel });
}
