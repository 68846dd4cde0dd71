/**
 * Reward models for text: a transformer with a scalar `reward` head read at the last real
 * token (TRL's AutoModelForSequenceClassification with one label), trained on preference
 * pairs with the Bradley–Terry loss. As in InstructGPT and TRL, the trunk starts from the SFT
 * policy's weights. An ensemble scores the mean of its members; the spread of their scores is
 * its disagreement. A reward model learns only from labels (`trainingView` pairs); the
 * evaluator-only truth a pair may carry is read by `evaluateRewardModel` alone.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { UserInputError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { expectedCalibrationError } from '../evals/calibration.js';
import { type PreferencePair, pairText, type TrainingPair } from '../feedback/preference-data.js';
import { loadCheckpoint, saveCheckpoint, writeDirectoryAtomically } from '../lm/checkpoint.js';
import {
  completionReadout,
  type EncodedRows,
  encodeRows,
  lastTokenScalar,
  type PromptCompletion,
} from '../lm/sequences.js';
import { type Tokenizer, trainTokenizer } from '../lm/tokenizer.js';
import { AdamW, cloneTransformer, createTransformer, type Transformer, trainStep } from '../nn/index.js';
import { bradleyTerryLoss } from './losses.js';

/** What an optimizer (PPO, best-of-n) sees: a score per completion, nothing else. */
export interface RewardScorer {
  score(items: readonly PromptCompletion[]): Float64Array;
}

export const REWARD_HEAD = 'reward';

/** A reward model's training hyperparameters with their defaults. */
export const RewardTrainConfigSchema = z.strictObject({
  epochs: z.number().int().min(1).default(3),
  batchSize: z.number().int().min(1).default(32),
  learningRate: z.number().positive().default(5e-4),
  weightDecay: z.number().min(0).default(0),
  maxGradNorm: z.number().positive().default(1),
  /** TRL's center_rewards_coefficient (0 = off). */
  centerRewardsCoefficient: z.number().min(0).default(0),
  /** Subtract a pair's `margin` column inside the sigmoid when present (Llama 2). */
  useMargin: z.boolean().default(true),
  /** Members of the ensemble; each sees a bootstrap resample of the pairs when > 1. */
  ensemble: z.number().int().min(1).max(16).default(1),
  seed: z.number().int().default(0),
  /**
   * Add the trunk's own log-probability of the completion's first word (for arithmetic: the
   * answer and the space that ends it) to the scalar head's score. A 2-layer trunk cannot
   * compare a digit with the prediction made one position earlier at the last token, so a
   * last-token head alone stays at chance on right-vs-wrong (measured: held-out truth agreement
   * 0.47–0.59 with 100–3,000 labels); the language-model head, fine-tuned with the rest, can.
   */
  answerLikelihood: z.boolean().default(false),
  /** Shape of a fresh model when no SFT trunk is given. */
  width: z.number().int().min(4).default(64),
  layers: z.number().int().min(1).default(2),
  heads: z.number().int().min(1).default(4),
});
/** A reward model's training config as written (every key optional). */
export type RewardTrainConfig = z.input<typeof RewardTrainConfigSchema>;

/** A transformer with a scalar `reward` head, read at the last token of prompt + completion. */
export class RewardModel implements RewardScorer {
  constructor(
    readonly model: Transformer,
    readonly tokenizer: Tokenizer,
    readonly batchSize = 256,
    readonly answerLikelihood = false,
  ) {}

  score(items: readonly PromptCompletion[]): Float64Array {
    const out = new Float64Array(items.length);
    for (let start = 0; start < items.length; start += this.batchSize) {
      const chunk = items.slice(start, start + this.batchSize);
      const rows = encodeRows(this.tokenizer, chunk, { maxTime: this.model.config.contextLength });
      const scores = rewardScores(this.model, this.tokenizer, chunk, rows, this.answerLikelihood);
      out.set(scores.dataSync(), start);
      scores.dispose();
    }
    return out;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Reward models whose mean is the score and whose spread is their disagreement. */
export class RewardEnsemble implements RewardScorer {
  constructor(readonly members: readonly RewardModel[]) {
    if (members.length === 0) throw new RangeError('RewardEnsemble needs at least one member');
  }

  /** Every member's scores: [member][item]. */
  memberScores(items: readonly PromptCompletion[]): Float64Array[] {
    return this.members.map((m) => m.score(items));
  }

  score(items: readonly PromptCompletion[]): Float64Array {
    return this.scoreWithSpread(items).mean;
  }

  /** Standard deviation of the members' scores per item (0 for a single model). */
  disagreement(items: readonly PromptCompletion[]): Float64Array {
    return this.scoreWithSpread(items).spread;
  }

  /** Mean and standard deviation of the members' scores, from one pass of every member. */
  scoreWithSpread(items: readonly PromptCompletion[]): { mean: Float64Array; spread: Float64Array } {
    const all = this.memberScores(items);
    const mean = all[0].map((_, i) => all.reduce((s, m) => s + m[i], 0) / all.length);
    const spread = mean.map((mu, i) => Math.sqrt(all.reduce((s, m) => s + (m[i] - mu) ** 2, 0) / all.length));
    return { mean, spread };
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}

export interface RewardTrainProgress {
  member: number;
  step: number;
  steps: number;
  loss: number;
}

/** Optional inputs of `trainRewardModel`: the SFT trunk to start from, a progress hook, a signal. */
export interface RewardTrainOptions {
  /** The SFT model whose trunk the reward model starts from (and whose tokenizer it uses). */
  init?: { model: Transformer; tokenizer: Tokenizer };
  onStep?: (p: RewardTrainProgress) => void;
  signal?: AbortSignal;
}

/** Trains a reward model (an ensemble of `config.ensemble` members) on labelled pairs. */
export function trainRewardModel(
  pairs: readonly TrainingPair[],
  input: RewardTrainConfig = {},
  options: RewardTrainOptions = {},
): RewardEnsemble {
  const config = RewardTrainConfigSchema.parse(input);
  if (pairs.length === 0) throw new UserInputError('no preference pairs to train on', 'reward model');
  const texts = pairs.map((p) => pairText(p));
  const tokenizer =
    options.init?.tokenizer ??
    trainTokenizer(
      'char',
      texts.flatMap((t) => [t.prompt + t.chosen, t.prompt + t.rejected]),
    );
  const longest = Math.max(
    ...texts.map(
      (t) =>
        tokenizer.encode(t.prompt + (t.chosen.length > t.rejected.length ? t.chosen : t.rejected)).length + 2,
    ),
  );
  const rng = new Rng(config.seed).derive('reward-model');
  const members: RewardModel[] = [];
  for (let k = 0; k < config.ensemble; k++) {
    const memberRng = rng.derive(k);
    const model = options.init
      ? cloneTransformer(options.init.model, { scalarHeads: [REWARD_HEAD], seed: memberRng.int(2 ** 31) })
      : createTransformer(
          {
            vocabSize: tokenizer.vocabSize,
            contextLength: longest + 8,
            layers: config.layers,
            heads: config.heads,
            width: config.width,
            scalarHeads: [REWARD_HEAD],
          },
          { seed: memberRng.int(2 ** 31) },
        );
    if (longest > model.config.contextLength) {
      model.dispose();
      throw new UserInputError(
        `a pair is ${longest} tokens, longer than the model's context of ${model.config.contextLength}`,
        'reward model',
      );
    }
    const indices =
      config.ensemble > 1
        ? Array.from({ length: pairs.length }, () => memberRng.int(pairs.length))
        : pairs.map((_, i) => i);
    fitMember(model, tokenizer, pairs, indices, config, memberRng, k, options);
    members.push(new RewardModel(model, tokenizer, 256, config.answerLikelihood));
  }
  return new RewardEnsemble(members);
}

function fitMember(
  model: Transformer,
  tokenizer: Tokenizer,
  pairs: readonly TrainingPair[],
  indices: number[],
  config: z.output<typeof RewardTrainConfigSchema>,
  rng: Rng,
  member: number,
  options: RewardTrainOptions,
): void {
  const optimizer = new AdamW(model.namedWeights(), {
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
  });
  const perEpoch = Math.ceil(indices.length / config.batchSize);
  const steps = perEpoch * config.epochs;
  let step = 0;
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = rng.shuffle([...indices]);
      for (let start = 0; start < order.length; start += config.batchSize) {
        options.signal?.throwIfAborted();
        const batch = order.slice(start, start + config.batchSize).map((i) => pairs[i]);
        const texts = batch.map((p) => pairText(p));
        const items = [
          ...texts.map((t) => ({ prompt: t.prompt, completion: t.chosen })),
          ...texts.map((t) => ({ prompt: t.prompt, completion: t.rejected })),
        ];
        const rows = encodeRows(tokenizer, items);
        const margins = batch.map((p) => (config.useMargin ? (p.margin ?? 0) : 0));
        const n = batch.length;
        const { loss } = trainStep(
          model,
          optimizer,
          (m) =>
            tf.tidy(() => {
              const scores = rewardScores(m, tokenizer, items, rows, config.answerLikelihood);
              return bradleyTerryLoss(tf.slice(scores, 0, n), tf.slice(scores, n, n), {
                margin: margins.some((x) => x !== 0) ? tf.tensor1d(margins) : undefined,
                centerRewardsCoefficient: config.centerRewardsCoefficient,
              });
            }),
          { maxGradNorm: config.maxGradNorm },
        );
        step++;
        options.onStep?.({ member, step, steps, loss });
      }
    }
  } finally {
    optimizer.dispose();
  }
}

/** The scalar head at the last token, plus (with `answerLikelihood`) log p(first word of the completion). */
function rewardScores(
  model: Transformer,
  tokenizer: Tokenizer,
  items: readonly PromptCompletion[],
  rows: EncodedRows,
  answerLikelihood: boolean,
): tf.Tensor1D {
  if (!answerLikelihood) return lastTokenScalar(model, rows, REWARD_HEAD);
  return tf.tidy(() => {
    const head = lastTokenScalar(model, rows, REWARD_HEAD);
    const width = rows.time - 1;
    const mask = new Float32Array(rows.batch * width);
    items.forEach((item, b) => {
      const space = item.completion.indexOf(' ');
      const word = space >= 0 ? item.completion.slice(0, space + 1) : item.completion;
      const n = Math.min(tokenizer.encode(word).length, rows.lengths[b] - rows.promptLengths[b]);
      // tokenLogps[j] predicts token j + 1: the completion's first n tokens sit at promptLength − 1 … + n − 2.
      for (let k = 0; k < n; k++) mask[b * width + rows.promptLengths[b] - 1 + k] = 1;
    });
    const readout = completionReadout(model, rows);
    const answer = tf.sum(tf.mul(readout.tokenLogps, tf.tensor2d(mask, [rows.batch, width])), 1);
    return tf.add(head, answer) as tf.Tensor1D;
  });
}

/** A reward model's measures on labelled pairs (TRL's accuracy and more). */
export interface RewardMetrics {
  pairs: number;
  /** Share of pairs with r_chosen > r_rejected (TRL's `accuracy`). */
  accuracy: number;
  /** Mean r_chosen − r_rejected. */
  margin: number;
  /** Expected calibration error (`src/evals/calibration.ts`, 10 equal-width bins) of the model's confidence σ(|Δr|) in its predicted winner, against the labels. */
  ece: number;
  /** Mean ensemble disagreement (std of member scores) over both completions. */
  disagreement: number;
  /** Against the evaluator's truth, on pairs whose true utilities differ (when the pairs carry it). */
  truthAccuracy?: number;
  truthCounted?: number;
  /** Share of pairs whose label agrees with the truth (the rater's own accuracy). */
  labelTruthAgreement?: number;
}

/** Accuracy, margin and calibration of a reward model on labelled pairs (and against their truth, if present). */
export function evaluateRewardModel(model: RewardEnsemble, pairs: readonly PreferencePair[]): RewardMetrics {
  const texts = pairs.map((p) => pairText(p));
  const n = pairs.length;
  const { mean: scores, spread } = model.scoreWithSpread([
    ...texts.map((t) => ({ prompt: t.prompt, completion: t.chosen })),
    ...texts.map((t) => ({ prompt: t.prompt, completion: t.rejected })),
  ]);
  const chosen = scores.subarray(0, n);
  const rejected = scores.subarray(n);
  let correct = 0;
  let margin = 0;
  const confidences: number[] = [];
  const hits: boolean[] = [];
  let truthCorrect = 0;
  let truthCounted = 0;
  let labelAgrees = 0;
  for (let i = 0; i < n; i++) {
    const d = chosen[i] - rejected[i];
    margin += d;
    if (d > 0) correct++;
    confidences.push(1 / (1 + Math.exp(-Math.abs(d))));
    hits.push(d > 0);
    const truth = pairs[i].truth;
    const uc = truth?.chosen_utility;
    const ur = truth?.rejected_utility;
    if (typeof uc === 'number' && typeof ur === 'number' && uc !== ur) {
      truthCounted++;
      if (d > 0 === uc > ur) truthCorrect++;
      if (uc > ur) labelAgrees++;
    }
  }
  const metrics: RewardMetrics = {
    pairs: n,
    accuracy: correct / n,
    margin: margin / n,
    ece: expectedCalibrationError(confidences, hits),
    disagreement: spread.reduce((s, x) => s + x, 0) / Math.max(1, spread.length),
  };
  if (truthCounted > 0) {
    metrics.truthAccuracy = truthCorrect / truthCounted;
    metrics.truthCounted = truthCounted;
    metrics.labelTruthAgreement = labelAgrees / truthCounted;
  }
  return metrics;
}

/** The project's one ECE (`src/evals/calibration.ts`), re-exported where reward-model metrics are read. */
export { expectedCalibrationError };

const INDEX_FILE = 'reward.json';
const RewardIndexSchema = z.object({
  format: z.literal('alignlab-reward'),
  version: z.literal(1),
  members: z.array(z.string()).min(1),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** Saves an ensemble as a directory: `reward.json` and one lm-format checkpoint per member. Atomic. */
export function saveRewardModel(
  dir: string,
  model: RewardEnsemble,
  training: Record<string, unknown> = {},
): void {
  writeDirectoryAtomically(dir, (tmp) => {
    const names = model.members.map((_, k) => `member-${k}`);
    model.members.forEach((m, k) => {
      saveCheckpoint(join(tmp, names[k]), {
        model: m.model,
        tokenizer: m.tokenizer,
        config: { format: 'alignlab-lm', version: 1, model: m.model.config },
      });
    });
    const index = { format: 'alignlab-reward', version: 1, members: names, training };
    writeFileSync(join(tmp, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  });
}

/** Loads a reward model (ensemble) that `saveRewardModel` wrote. */
export function loadRewardModel(dir: string): RewardEnsemble {
  const indexPath = join(dir, INDEX_FILE);
  if (!existsSync(indexPath)) {
    throw new UserInputError(
      'missing (is this a reward model directory from `alignlab rm train`?)',
      indexPath,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (error) {
    throw new UserInputError(`not valid JSON (${(error as Error).message})`, indexPath);
  }
  const parsed = RewardIndexSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(
      `not a reward index: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      indexPath,
    );
  }
  const members: RewardModel[] = [];
  try {
    for (const name of parsed.data.members) {
      const checkpoint = loadCheckpoint(join(dir, name));
      if (!checkpoint.model.config.scalarHeads.includes(REWARD_HEAD)) {
        checkpoint.model.dispose();
        throw new UserInputError(`member '${name}' has no '${REWARD_HEAD}' head`, join(dir, name));
      }
      members.push(new RewardModel(checkpoint.model, checkpoint.tokenizer));
    }
  } catch (error) {
    for (const m of members) m.dispose();
    throw error;
  }
  return new RewardEnsemble(members);
}
