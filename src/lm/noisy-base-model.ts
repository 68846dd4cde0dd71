/**
 * A second cached starting policy: the competent base model (`base-model.ts`) fine-tuned on
 * NOISY demonstrations of its +/− questions — the arithmetic analogue of Rafailov et al.'s IMDb
 * setup, where GPT-2 emits mixed sentiment and the reward pushes it to one side by a rule that
 * holds on every prompt.
 *
 * Recipe (`noisyBaseModelRecipe`): each +/− training question appears `copies` times, each copy
 * independently a near miss with probability `noise` — the answer off by ±1 or ±10 (uniformly,
 * never below 0), an error type that does not depend on the question — and otherwise right;
 * × questions and every confidence word stay as the base model's corpus has them. Because every
 * copy draws its own error, no question's noise can be memorized: the best fit says the right
 * answer with probability ≈ 1 − noise on every +/− question, seen or not, and spreads the rest over
 * the four near misses. So the policy *samples* the right answer ~65% of the time on held-out +/−
 * questions while its argmax (and its trunk's answer ranking) stays right: RL on the gold utility
 * has a generalizable rule to learn ("don't emit the noise"), and a reward model on this trunk with
 * the answer likelihood (`reward-model.ts`) can tell a right answer from a near miss.
 *
 * Cached like the base model: `<cache>/lm/arithmetic-noisy-<key>/`, `<key>` hashing this recipe,
 * the base model's key and `NOISY_BASE_MODEL_CODE_VERSION`; built on a miss (fine-tuning only,
 * well under 2 minutes on 2 cores) and published atomically (`publishDirectory`). No copy is
 * shipped in the repository.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { cloneTransformer, initBackend } from '../nn/index.js';
import {
  type BaseModel,
  baseModelKey,
  cacheRoot,
  type LoadBaseModelOptions,
  loadArithmeticBaseModel,
  loadOnce,
  measureBaseModel,
  openBaseModel,
  publishDirectory,
} from './base-model.js';
import { checkpointFiles, saveCheckpoint } from './checkpoint.js';
import { type ArithmeticTruth, formatAnswer } from './corpora/arithmetic.js';
import type { CorpusItem } from './corpora/types.js';
import { type FitOptions, fitOnItems } from './train.js';

/** Bump when this file changes what the recipe produces (part of the cache key). */
export const NOISY_BASE_MODEL_CODE_VERSION = 1;

export interface NoisyBaseModelRecipe {
  /** Probability that a +/− training answer is a near miss. */
  noise: number;
  /** The offsets a near miss adds to the right answer (drawn uniformly; one giving < 0 is redrawn). */
  offsets: readonly number[];
  /** Independently noised copies of each +/− training question. */
  copies: number;
  /** Seed of the noise draws. */
  noiseSeed: number;
  sft: Omit<FitOptions, 'lossFrom'>;
}

export const noisyBaseModelRecipe: Readonly<NoisyBaseModelRecipe> = {
  // 0.35: the brief's 30–40% — the policy samples the right +/− answer about two times in three,
  // far from the base model's 0.99 (room for RL), and the right answer (0.65) still outweighs each
  // near miss (≈ 0.09) by 7×, so greedy decoding and the trunk's ranking stay right.
  noise: 0.35,
  offsets: [1, -1, 10, -10],
  copies: 3,
  noiseSeed: 0,
  // A short continuation of SFT from the base model (not from scratch): ~6 epochs' worth of
  // 64-row batches would be needed to relearn arithmetic; the noise only has to be learned.
  sft: {
    seed: 2,
    steps: 600,
    batchSize: 64,
    learningRate: 1e-3,
    warmupSteps: 30,
    weightDecay: 0,
    maxGradNorm: 1,
  },
};

/** The noisy training items: +/− questions `copies` times, each copy a near miss with probability `noise`. */
export function noisyTrainItems(
  train: readonly CorpusItem<ArithmeticTruth>[],
  recipe: NoisyBaseModelRecipe = noisyBaseModelRecipe,
): CorpusItem<ArithmeticTruth>[] {
  const rng = new Rng(recipe.noiseSeed).derive('noisy-demonstrations');
  const out: CorpusItem<ArithmeticTruth>[] = [];
  for (const item of train) {
    if (item.truth.op === '*') {
      out.push(item);
      continue;
    }
    for (let c = 0; c < recipe.copies; c++) {
      if (rng.next() >= recipe.noise) {
        out.push(item);
        continue;
      }
      let wrong = -1;
      while (wrong < 0) wrong = item.truth.answer + recipe.offsets[rng.int(recipe.offsets.length)];
      out.push({
        prompt: item.prompt,
        completion: formatAnswer(wrong, item.truth.confidence),
        truth: item.truth,
      });
    }
  }
  return rng.derive('order').shuffle(out);
}

export function noisyBaseModelKey(recipe: NoisyBaseModelRecipe = noisyBaseModelRecipe): string {
  return createHash('sha256')
    .update(JSON.stringify({ recipe, base: baseModelKey(), code: NOISY_BASE_MODEL_CODE_VERSION }))
    .digest('hex')
    .slice(0, 16);
}

export function noisyBaseModelDir(root = cacheRoot()): string {
  return join(root, 'lm', `arithmetic-noisy-${noisyBaseModelKey()}`);
}

/**
 * The noisy-demonstrations policy: from this process's memo, else the cache, else fine-tuned
 * from the competent base model and cached. Its `corpus` is the base model's (clean truth, same
 * splits); `stats` are measured on the test split as the base model's. Shared: callers must
 * not dispose or train it in place.
 */
export function loadNoisyBaseModel(options: LoadBaseModelOptions = {}): Promise<BaseModel> {
  const dir = noisyBaseModelDir(options.cache ?? cacheRoot());
  return loadOnce(dir, () => openOrBuild(dir, options));
}

async function openOrBuild(dir: string, options: LoadBaseModelOptions): Promise<BaseModel> {
  await initBackend();
  if (!Object.values(checkpointFiles).every((f) => existsSync(join(dir, f)))) {
    const base = await loadArithmeticBaseModel(options);
    options.onProgress?.(`fine-tuning the noisy-demonstrations policy into ${dir}`);
    const model = cloneTransformer(base.model);
    try {
      const items = noisyTrainItems(base.corpus.split('train') as CorpusItem<ArithmeticTruth>[]);
      const { seconds } = fitOnItems(model, base.tokenizer, items, noisyBaseModelRecipe.sft, (p) => {
        if (p.step % 100 === 0 || p.step === p.steps)
          options.onProgress?.(`noisy sft step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)}`);
      });
      const stats = {
        ...measureBaseModel(model, base.tokenizer, base.corpus),
        classAccuracy: {},
        trainSeconds: seconds,
      };
      options.onProgress?.(`noisy policy ${JSON.stringify(stats)}`);
      publishDirectory(dir, (tmp) =>
        saveCheckpoint(tmp, {
          model,
          tokenizer: base.tokenizer,
          config: {
            format: 'alignlab-lm',
            version: 1,
            model: model.config,
            corpus: { name: 'arithmetic', seed: 0 },
            training: {
              key: noisyBaseModelKey(),
              base: base.key,
              recipe: noisyBaseModelRecipe,
              confidence: base.confidence,
              mixture: base.mixture,
              stats,
            },
          },
        }),
      );
    } finally {
      model.dispose();
    }
  }
  return openBaseModel(dir);
}

/** The stored build measurements of a noisy-policy cache entry (undefined when absent). */
export function readNoisyStats(dir = noisyBaseModelDir()): BaseModel['stats'] | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, checkpointFiles.config), 'utf8')).training?.stats;
  } catch {
    return undefined;
  }
}
