/**
 * Direct Preference Optimization (Rafailov et al. 2023), as TRL's DPOTrainer: the policy is
 * trained directly on preference pairs, with the frozen starting policy as the reference whose
 * completion log-probabilities are computed once. Loss variants sigmoid / IPO / robust come
 * from `losses.ts`; metrics use TRL's names. No reward model, no sampling: the KL from the
 * reference is implicit in β.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { pairText, type TrainingPair } from '../feedback/preference-data.js';
import { completionReadout, type EncodedRows, encodeRows, selectRows } from '../lm/sequences.js';
import type { Tokenizer } from '../lm/tokenizer.js';
import { type AdamW, type Transformer, trainStep } from '../nn/index.js';
import { type DpoMetrics, dpoLoss, dpoLossTypes, dpoMetrics, type PreferenceLogps } from './losses.js';
import {
  type PolicyTrainingOptions,
  type PolicyTrainingResult,
  type PolicyTrainingStep,
  trainAgainstReference,
} from './policy-training.js';

/** DPO's hyperparameters (`beta`, `lossType`, `steps`, ...) with their defaults. */
export const DpoConfigSchema = z.strictObject({
  beta: z.number().positive().default(0.1),
  lossType: z.enum(dpoLossTypes as unknown as ['sigmoid', 'ipo', 'robust']).default('sigmoid'),
  labelSmoothing: z.number().min(0).max(0.49).default(0),
  steps: z.number().int().min(1).default(200),
  batchSize: z.number().int().min(1).default(32),
  learningRate: z.number().positive().default(3e-4),
  maxGradNorm: z.number().positive().default(1),
});
/** DPO's config as written (every key optional). */
export type DpoConfig = z.input<typeof DpoConfigSchema>;
/** DPO's config with every default filled in. */
export type ResolvedDpoConfig = z.output<typeof DpoConfigSchema>;

export type DpoStepMetrics = DpoMetrics & { loss: number };

/** Chosen rows then rejected rows of every pair, one shape, plus the reference's log-probabilities. */
export interface DpoData {
  /** 2n rows: chosen 0..n−1, rejected n..2n−1. */
  rows: EncodedRows;
  pairs: number;
  /** Σ log π_ref over each row's completion (per-token means for IPO). */
  referenceLogps: Float32Array;
}

/** IPO is defined on per-token average log-probabilities (TRL); the others on sums. */
function sequenceLogps(model: Transformer, rows: EncodedRows, average: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    const out = completionReadout(model, rows);
    return (
      average ? tf.div(out.totalLogps, tf.maximum(tf.sum(out.mask, 1), 1)) : out.totalLogps
    ) as tf.Tensor1D;
  });
}

export function prepareDpoData(
  reference: Transformer,
  tokenizer: Tokenizer,
  pairs: readonly TrainingPair[],
  config: ResolvedDpoConfig,
): DpoData {
  const texts = pairs.map((p) => pairText(p));
  const rows = encodeRows(
    tokenizer,
    [
      ...texts.map((t) => ({ prompt: t.prompt, completion: t.chosen })),
      ...texts.map((t) => ({ prompt: t.prompt, completion: t.rejected })),
    ],
    { maxTime: reference.config.contextLength },
  );
  return { rows, pairs: pairs.length, referenceLogps: referenceLogps(reference, rows, config) };
}

/** The frozen reference's log-probability of every row's completion, in chunks of 256 rows. */
export function referenceLogps(
  reference: Transformer,
  rows: EncodedRows,
  config: ResolvedDpoConfig,
): Float32Array {
  const out = new Float32Array(rows.batch);
  for (let start = 0; start < rows.batch; start += 256) {
    const idx = Array.from({ length: Math.min(256, rows.batch - start) }, (_, i) => start + i);
    const t = sequenceLogps(reference, selectRows(rows, idx), config.lossType === 'ipo');
    out.set(t.dataSync(), start);
    t.dispose();
  }
  return out;
}

/** One DPO update on the pairs at `indices`. */
export function dpoStep(
  policy: Transformer,
  optimizer: AdamW,
  data: DpoData,
  indices: readonly number[],
  config: ResolvedDpoConfig,
): DpoStepMetrics {
  const n = indices.length;
  const rows = selectRows(data.rows, [...indices, ...indices.map((i) => i + data.pairs)]);
  const refChosen = Float32Array.from(indices, (i) => data.referenceLogps[i]);
  const refRejected = Float32Array.from(indices, (i) => data.referenceLogps[i + data.pairs]);
  let metrics: DpoMetrics | undefined;
  const { loss } = trainStep(
    policy,
    optimizer,
    (m) => {
      const logps = sequenceLogps(m, rows, config.lossType === 'ipo');
      const all: PreferenceLogps = {
        policyChosen: tf.slice(logps, 0, n),
        policyRejected: tf.slice(logps, n, n),
        referenceChosen: tf.tensor1d(refChosen),
        referenceRejected: tf.tensor1d(refRejected),
      };
      metrics = dpoMetrics(all, config.beta);
      return dpoLoss(all, config);
    },
    { maxGradNorm: config.maxGradNorm },
  );
  return { ...(metrics as DpoMetrics), loss };
}

/** One finished DPO step. */
export type DpoProgress = PolicyTrainingStep<DpoStepMetrics>;

/** What `trainDpo` needs: the starting policy (cloned), its tokenizer, the pairs, the config and a generator. */
export interface TrainDpoOptions extends PolicyTrainingOptions<DpoConfig, DpoStepMetrics> {
  pairs: readonly TrainingPair[];
}

/** What `trainDpo` returns: the trained policy, the frozen reference and each step's metrics. */
export type DpoResult = PolicyTrainingResult<DpoStepMetrics>;

/** Direct preference optimization (Rafailov et al. 2023) of a policy against a frozen reference. */
export async function trainDpo(options: TrainDpoOptions): Promise<DpoResult> {
  const config = DpoConfigSchema.parse(options.config ?? {});
  if (options.pairs.length === 0) throw new RangeError('trainDpo: no preference pairs');
  let data: DpoData | undefined;
  let order: number[] = [];
  return trainAgainstReference<DpoStepMetrics>({
    start: options.policy,
    learningRate: config.learningRate,
    steps: config.steps,
    signal: options.signal,
    onStep: options.onStep,
    prepare: ({ reference }) => {
      data = prepareDpoData(reference, options.tokenizer, options.pairs, config);
    },
    step: (_step, { policy, optimizer }) => {
      const d = data as DpoData;
      if (order.length < config.batchSize)
        order = [...order, ...options.rng.shuffle(Array.from({ length: d.pairs }, (_, i) => i))];
      const indices = order.splice(0, Math.min(config.batchSize, d.pairs));
      return dpoStep(policy, optimizer, d, indices, config);
    },
  });
}
