/**
 * RLHF with PPO, as TRL's PPOTrainer does it (Ziegler et al. 2019; Ouyang et al. 2022):
 *
 *   1. sample completions of a batch of prompts from the policy;
 *   2. score them with the reward model — the only channel the objective reaches the policy by;
 *   3. per-token reward r_t = −β·KL_t (k1: log π − log π_ref at the sampled token), plus the
 *      score on the last token;
 *   4. values from the value head, advantages by GAE (γ = 1, λ = 0.95), whitened;
 *   5. several epochs of minibatch updates of the clipped surrogate + vf_coef · clipped value loss.
 *
 * The value head sits on the policy's trunk (the older AutoModelForCausalLMWithValueHead
 * design; TRL's current trainer keeps a separate value model initialized from the reward
 * model). The reference is a frozen copy of the starting policy. Metrics use TRL's names.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { sampleRollouts } from '../lm/rollout.js';
import { completionReadout, type EncodedRows, selectRows } from '../lm/sequences.js';
import { EOS } from '../lm/tokenizer.js';
import { AdamW, type Transformer, trainStep } from '../nn/index.js';
import {
  type PolicyTrainingOptions,
  type PolicyTrainingResult,
  type PolicyTrainingStep,
  trainAgainstReference,
} from './policy-training.js';
import {
  AdaptiveKlController,
  clippedSurrogateLoss,
  clippedValueLoss,
  FixedKlController,
  gae,
  type KlController,
  klPenalizedRewards,
  whiten,
} from './ppo-math.js';
import type { RewardScorer } from './reward-model.js';

export const VALUE_HEAD = 'value';

/** PPO's hyperparameters (`klCoef`, `cliprange`, `lam`, ...) with their defaults. */
export const PpoConfigSchema = z.strictObject({
  /** PPO iterations (each: one batch of rollouts, then the update epochs). */
  steps: z.number().int().min(1).default(100),
  /** Rollouts per iteration. */
  batchSize: z.number().int().min(1).default(64),
  /** Minibatches per epoch (TRL's num_mini_batches). */
  miniBatches: z.number().int().min(1).default(2),
  /** TRL's num_ppo_epochs. */
  ppoEpochs: z.number().int().min(1).default(4),
  learningRate: z.number().positive().default(3e-4),
  maxGradNorm: z.number().positive().default(1),
  /** β of the per-token KL penalty (TRL's kl_coef). */
  klCoef: z.number().min(0).default(0.05),
  /** With a target, β adapts (Ziegler et al.'s controller); KL per sequence, in nats. */
  klTarget: z.number().positive().optional(),
  klHorizon: z.number().positive().default(10_000),
  gamma: z.number().min(0).max(1).default(1),
  lam: z.number().min(0).max(1).default(0.95),
  cliprange: z.number().positive().default(0.2),
  cliprangeValue: z.number().positive().default(0.2),
  vfCoef: z.number().min(0).default(0.1),
  maxNewTokens: z.number().int().min(1).default(8),
  temperature: z.number().positive().default(1),
  /** Subtracted from the score of a completion that never emitted <eos> (TRL's missing_eos_penalty). */
  missingEosPenalty: z.number().min(0).optional(),
  /** Per-token KL estimator of the penalty (TRL's kl_estimator): k1 = log π − log π_ref, k3 = (r − 1) − log r. */
  klEstimator: z.enum(['k1', 'k3']).default('k1'),
  /**
   * Whiten the advantages over the batch (TRL's masked_whiten). Whitening scales them to unit
   * variance whatever the reward's spread, so when the scores barely differ it blows the value
   * head's errors and the KL estimator's noise up into full-size policy steps. false: the
   * advantages keep the reward's scale and mean (a positive mean sharpens the policy).
   */
  whitenAdvantages: z.boolean().default(true),
  /**
   * The value head's starting weights: 'zero' (V ≡ 0 until it learns: the first advantages are
   * the returns themselves) or 'random' (N(0, 0.02²), as a fresh linear layer; its outputs are
   * noise the first advantages inherit, whitened to unit scale: measured on the arithmetic base
   * model with a constant reward, 12 iterations at lr 3·10⁻⁵ moved a random-head policy 0.57
   * nats and broke 6% of its answers' format; a zero head does not move at all).
   */
  valueHeadInit: z.enum(['zero', 'random']).default('zero'),
  /**
   * Value-only updates (the policy's weights untouched) on each of the first `valueWarmup`
   * iterations' batches before any policy update, so the first advantages have a baseline.
   */
  valueWarmup: z.number().int().min(0).default(0),
});
/** PPO's config as written (every key optional). */
export type PpoConfig = z.input<typeof PpoConfigSchema>;
/** PPO's config with every default filled in. */
export type ResolvedPpoConfig = z.output<typeof PpoConfigSchema>;

export const ppoMetricNames = [
  'objective/kl',
  'objective/entropy',
  'objective/non_score_reward',
  'objective/rlhf_reward',
  'objective/scores',
  'policy/approxkl_avg',
  'policy/clipfrac_avg',
  'loss/policy_avg',
  'loss/value_avg',
  'val/clipfrac_avg',
  'policy/entropy_avg',
  'val/ratio',
  'kl_coef',
] as const;
export type PpoMetrics = Record<(typeof ppoMetricNames)[number], number>;

/** A batch of scored rollouts with everything the update needs, as flat [batch, time − 1] arrays. */
export interface PpoBatch {
  rows: EncodedRows;
  oldLogps: Float32Array;
  oldValues: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
}

export interface PpoUpdateStats {
  'policy/approxkl_avg': number;
  'policy/clipfrac_avg': number;
  'loss/policy_avg': number;
  'loss/value_avg': number;
  'val/clipfrac_avg': number;
  'policy/entropy_avg': number;
  'val/ratio': number;
}

/**
 * The optimization phase: `ppoEpochs` passes of minibatch updates over one rollout batch. With
 * `valueOnly` the loss is the value loss alone (for an optimizer over the value head's weights:
 * `valueWarmup`).
 */
export function ppoUpdate(
  policy: Transformer,
  optimizer: AdamW,
  batch: PpoBatch,
  config: ResolvedPpoConfig,
  rng: Rng,
  options: { valueOnly?: boolean } = {},
): PpoUpdateStats {
  const { rows } = batch;
  const width = rows.time - 1;
  const size = Math.ceil(rows.batch / config.miniBatches);
  const sums = { approxkl: 0, clipfrac: 0, pg: 0, vf: 0, vclip: 0, entropy: 0, ratio: 0, n: 0 };
  for (let epoch = 0; epoch < config.ppoEpochs; epoch++) {
    const order = rng.shuffle(Array.from({ length: rows.batch }, (_, i) => i));
    for (let start = 0; start < order.length; start += size) {
      const pick = order.slice(start, start + size);
      const sub = selectRows(rows, pick);
      const slice = (a: Float32Array) => {
        const out = new Float32Array(pick.length * width);
        pick.forEach((i, k) => {
          out.set(a.subarray(i * width, (i + 1) * width), k * width);
        });
        return tf.tensor2d(out, [pick.length, width]);
      };
      const [oldLogps, oldValues, advantages, returns] = [
        batch.oldLogps,
        batch.oldValues,
        batch.advantages,
        batch.returns,
      ].map(slice);
      let stats = { approxkl: 0, clipfrac: 0, pg: 0, vf: 0, vclip: 0, entropy: 0, ratio: 0 };
      trainStep(
        policy,
        optimizer,
        (m) => {
          const out = completionReadout(m, sub, { valueHead: VALUE_HEAD, entropy: true });
          const pg = clippedSurrogateLoss(out.tokenLogps, oldLogps, advantages, config.cliprange, out.mask);
          const vf = clippedValueLoss(
            out.values as tf.Tensor,
            oldValues,
            returns,
            config.cliprangeValue,
            out.mask,
          );
          const [entropy, ratio] = tf.tidy(() => {
            const count = tf.sum(out.mask);
            const ent = tf.div(tf.sum(out.entropy as tf.Tensor), count);
            const r = tf.div(tf.sum(tf.mul(tf.exp(tf.sub(out.tokenLogps, oldLogps)), out.mask)), count);
            return [ent.dataSync()[0], r.dataSync()[0]];
          });
          stats = {
            approxkl: pg.approxkl,
            clipfrac: pg.clipfrac,
            pg: pg.loss.dataSync()[0],
            vf: vf.loss.dataSync()[0],
            vclip: vf.clipfrac,
            entropy,
            ratio,
          };
          if (options.valueOnly) {
            pg.loss.dispose();
            return vf.loss;
          }
          return tf.tidy(() => tf.add(pg.loss, tf.mul(config.vfCoef, vf.loss)));
        },
        { maxGradNorm: config.maxGradNorm },
      );
      tf.dispose([oldLogps, oldValues, advantages, returns]);
      sums.approxkl += stats.approxkl;
      sums.clipfrac += stats.clipfrac;
      sums.pg += stats.pg;
      sums.vf += stats.vf;
      sums.vclip += stats.vclip;
      sums.entropy += stats.entropy;
      sums.ratio += stats.ratio;
      sums.n++;
    }
  }
  return {
    'policy/approxkl_avg': sums.approxkl / sums.n,
    'policy/clipfrac_avg': sums.clipfrac / sums.n,
    'loss/policy_avg': sums.pg / sums.n,
    'loss/value_avg': sums.vf / sums.n,
    'val/clipfrac_avg': sums.vclip / sums.n,
    'policy/entropy_avg': sums.entropy / sums.n,
    'val/ratio': sums.ratio / sums.n,
  };
}

export interface RolloutStats {
  'objective/kl': number;
  'objective/entropy': number;
  'objective/non_score_reward': number;
  'objective/rlhf_reward': number;
  'objective/scores': number;
}

/**
 * Scores rollouts and computes the per-token rewards, values, GAE advantages (whitened over
 * the batch, as TRL's masked_whiten) and returns that the update needs.
 */
export function preparePpoBatch(
  policy: Transformer,
  reference: Transformer,
  rows: EncodedRows,
  scores: Float64Array,
  klCoef: number,
  config: ResolvedPpoConfig,
): { batch: PpoBatch; stats: RolloutStats } {
  const width = rows.time - 1;
  const read = (m: Transformer, valueHead?: string) => {
    const out = completionReadout(m, rows, { valueHead });
    const logps = out.tokenLogps.dataSync() as Float32Array;
    const values = out.values?.dataSync() as Float32Array | undefined;
    tf.dispose([out.tokenLogps, out.totalLogps, out.mask, out.values as tf.Tensor]);
    return { logps, values };
  };
  const old = read(policy, VALUE_HEAD);
  const ref = read(reference);
  const oldValues = old.values as Float32Array;
  const advantages = new Float32Array(rows.batch * width);
  const returns = new Float32Array(rows.batch * width);
  const advantageList: number[] = [];
  let kl = 0;
  let entropy = 0;
  let nonScore = 0;
  let scoreSum = 0;
  for (let b = 0; b < rows.batch; b++) {
    const from = b * width + rows.promptLengths[b] - 1;
    const to = b * width + rows.lengths[b] - 1;
    const logps = old.logps.subarray(from, to);
    const r = klPenalizedRewards(logps, ref.logps.subarray(from, to), scores[b], klCoef, config.klEstimator);
    const { advantages: adv, returns: ret } = gae(
      r.rewards,
      oldValues.subarray(from, to),
      config.gamma,
      config.lam,
    );
    advantages.set(adv, from);
    returns.set(ret, from);
    advantageList.push(...adv);
    for (let t = 0; t < logps.length; t++) {
      kl += r.kl[t];
      entropy -= logps[t];
      nonScore += r.nonScoreReward[t];
    }
    scoreSum += scores[b];
  }
  const whitened = config.whitenAdvantages ? whiten(advantageList) : advantageList;
  let k = 0;
  for (let b = 0; b < rows.batch; b++) {
    for (let j = b * width + rows.promptLengths[b] - 1; j < b * width + rows.lengths[b] - 1; j++)
      advantages[j] = whitened[k++];
  }
  const n = rows.batch;
  return {
    batch: { rows, oldLogps: old.logps, oldValues, advantages, returns },
    stats: {
      'objective/kl': kl / n,
      'objective/entropy': entropy / n,
      'objective/non_score_reward': nonScore / n,
      'objective/rlhf_reward': (scoreSum + nonScore) / n,
      'objective/scores': scoreSum / n,
    },
  };
}

/** One finished PPO step. */
export type PpoStep = PolicyTrainingStep<PpoMetrics>;

/** What `trainPpo` needs: the starting policy (cloned), its tokenizer, the prompts, the reward scorer and the config. */
export interface TrainPpoOptions extends PolicyTrainingOptions<PpoConfig, PpoMetrics> {
  /** Prompts to sample from (with replacement). */
  prompts: readonly string[];
  /** The specified objective: a reward model's score. */
  reward: RewardScorer;
}

/** What `trainPpo` returns: the trained policy (with its value head), the frozen reference and each step's metrics. */
export type PpoResult = PolicyTrainingResult<PpoMetrics>;

/** RLHF with PPO (Ouyang et al. 2022): maximizes the reward model's score with a KL penalty to the reference. */
export async function trainPpo(options: TrainPpoOptions): Promise<PpoResult> {
  const config = PpoConfigSchema.parse(options.config ?? {});
  const { tokenizer, prompts, reward, rng } = options;
  if (prompts.length === 0) throw new RangeError('trainPpo: no prompts');
  const controller: KlController =
    config.klTarget === undefined
      ? new FixedKlController(config.klCoef)
      : new AdaptiveKlController(config.klCoef, config.klTarget, config.klHorizon);
  let valueOptimizer: AdamW | undefined;
  try {
    return await trainAgainstReference<PpoMetrics>({
      start: options.policy,
      scalarHeads: [VALUE_HEAD],
      headSeed: rng.derive('value-head').int(2 ** 31),
      learningRate: config.learningRate,
      steps: config.steps,
      signal: options.signal,
      onStep: options.onStep,
      prepare: ({ policy }) => {
        if (config.valueHeadInit === 'zero')
          for (const [name, v] of policy.namedWeights())
            if (name.startsWith(`${VALUE_HEAD}_head.`)) tf.tidy(() => v.assign(tf.zerosLike(v)));
      },
      step: (step, { policy, reference, optimizer }) => {
        const stepRng = rng.derive(`step-${step}`);
        const batchPrompts = Array.from({ length: config.batchSize }, () => stepRng.pick(prompts));
        const rollouts = sampleRollouts(policy, tokenizer, batchPrompts, {
          maxNewTokens: config.maxNewTokens,
          temperature: config.temperature,
          rng: stepRng.derive('sample'),
        });
        const scores = reward.score(
          batchPrompts.map((prompt, i) => ({ prompt, completion: rollouts.completions[i] })),
        );
        if (config.missingEosPenalty !== undefined) {
          const r = rollouts.rows;
          for (let b = 0; b < r.batch; b++)
            if (r.ids[b * r.time + r.lengths[b] - 1] !== EOS) scores[b] -= config.missingEosPenalty;
        }
        const klCoef = controller.value;
        const { batch, stats } = preparePpoBatch(policy, reference, rollouts.rows, scores, klCoef, config);
        if (step < config.valueWarmup) {
          valueOptimizer ??= new AdamW(
            new Map([...policy.namedWeights()].filter(([name]) => name.startsWith(`${VALUE_HEAD}_head.`))),
            { learningRate: config.learningRate, weightDecay: 0 },
          );
          ppoUpdate(policy, valueOptimizer, batch, config, stepRng.derive('value-warmup'), {
            valueOnly: true,
          });
          const again = preparePpoBatch(policy, reference, rollouts.rows, scores, klCoef, config);
          Object.assign(batch, again.batch);
        }
        const update = ppoUpdate(policy, optimizer, batch, config, stepRng.derive('update'));
        controller.update(stats['objective/kl'], config.batchSize);
        return { ...stats, ...update, kl_coef: klCoef };
      },
    });
  } finally {
    valueOptimizer?.dispose();
  }
}
