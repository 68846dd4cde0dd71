/**
 * Training the sparse judge, and its content-addressed cache.
 *
 * Recipe (Irving, Christiano & Amodei 2018): src/nn's ConvNet `judgeLayers` — conv 32 5×5 →
 * pool → conv 64 5×5 → pool → dense 1024 → dropout 0.4 → 10 logits — on two planes (mask,
 * revealed values), Adam at 1e-4 (AdamW with no decay), each example a training digit with a
 * fresh uniformly random set of k revealed pixels (one judge per k). Smaller recipes (fewer
 * filters, fewer steps) serve quick runs and tests.
 *
 * The trained weights live in `<cache>/mnist/judge-<key>/` (`<cache>` as the base model's:
 * $ALIGNLAB_CACHE, else $XDG_CACHE_HOME/alignlab, else ~/.cache/alignlab), where `<key>` hashes
 * the recipe, `JUDGE_CODE_VERSION` and the training digits; writers fill a temporary directory
 * and rename it into place, so concurrent builders never leave a partial judge.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import { cacheRoot } from '../../lm/base-model.js';
import { readSafetensors, writeSafetensors } from '../../lm/safetensors.js';
import { AdamW, createConvNet, crossEntropy, initBackend, judgeLayers, trainStep } from '../../nn/index.js';
import { BayesJudge } from './bayes-judge.js';
import { CLASSES, type DigitSet, digit, mnistSplit, PIXELS } from './data.js';
import { ConvJudge, type ConvJudgeWeights, convJudgeSizes, type SparseJudge } from './judge.js';

/** Bump when the training code changes what a recipe produces (it is part of the cache key). */
export const JUDGE_CODE_VERSION = 1;

export const JudgeRecipeSchema = z.strictObject({
  /** Revealed pixels per training example (the debate's length). */
  pixels: z.number().int().min(1).max(PIXELS),
  /**
   * `conv`: the paper's judge (src/nn ConvNet, trained by SGD); `bayes`: naive Bayes over the
   * revealed pixels (bayes-judge.ts), fitted by counting in a second — quick runs' judge.
   */
  arch: z.enum(['conv', 'bayes']).default('conv'),
  conv1: z.number().int().min(1).max(256).default(32),
  conv2: z.number().int().min(1).max(512).default(64),
  hidden: z.number().int().min(1).max(4096).default(1024),
  dropout: z.number().min(0).max(0.9).default(0.4),
  learningRate: z.number().positive().default(1e-4),
  batch: z.number().int().min(1).max(4096).default(64),
  steps: z.number().int().min(1).max(10_000_000).default(2000),
  /** Test digits held out of training (the debates are played on them). */
  testSize: z.number().int().min(1).default(1000),
  seed: z.number().int().default(0),
});
export type JudgeRecipe = z.output<typeof JudgeRecipeSchema>;

/** The paper's judge for k revealed pixels, with the training budget this machine affords. */
export function paperJudgeRecipe(pixels: number): JudgeRecipe {
  return JudgeRecipeSchema.parse({ pixels });
}

export interface JudgeStats {
  /** Judge-alone accuracy on the test digits, each with fresh random k-pixel masks. */
  testAccuracy: number;
  testSamples: number;
  finalLoss: number;
  seconds: number;
  backend: string;
}

export interface TrainedJudge {
  judge: SparseJudge;
  recipe: JudgeRecipe;
  stats: JudgeStats;
  key: string;
  dir: string;
}

/** One batch of k-pixel examples as NHWC planes [B, 28, 28, 2] (mask, value) and labels. */
export function maskedBatch(
  set: DigitSet,
  indices: readonly number[],
  pixels: number,
  rng: Rng,
): { planes: Float32Array; labels: Int32Array; revealed: number[][] } {
  const planes = new Float32Array(indices.length * PIXELS * 2);
  const labels = new Int32Array(indices.length);
  const revealed: number[][] = [];
  indices.forEach((d, b) => {
    const image = digit(set, d);
    const chosen = randomPixels(pixels, rng);
    for (const p of chosen) {
      planes[(b * PIXELS + p) * 2] = 1;
      planes[(b * PIXELS + p) * 2 + 1] = image[p];
    }
    labels[b] = set.labels[d];
    revealed.push(chosen);
  });
  return { planes, labels, revealed };
}

/** k distinct pixels, uniformly at random. */
export function randomPixels(k: number, rng: Rng): number[] {
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(rng.int(PIXELS));
  return [...chosen];
}

/**
 * Trains a judge by the recipe on the split's training digits (src/nn ConvNet), then measures
 * its judge-alone accuracy on the test digits with the sparse evaluator.
 */
export async function trainJudge(
  recipe: JudgeRecipe,
  onProgress?: (line: string) => void,
): Promise<{ weights: ConvJudgeWeights; stats: JudgeStats }> {
  const info = await initBackend();
  const { train, test } = mnistSplit(recipe.testSize);
  const rng = new Rng([recipe.seed, 0x6a756467]);
  const net = createConvNet(
    judgeLayers({ conv1: recipe.conv1, conv2: recipe.conv2, hidden: recipe.hidden, dropout: recipe.dropout }),
    { seed: recipe.seed },
  );
  const adam = new AdamW(net.namedWeights(), { learningRate: recipe.learningRate, weightDecay: 0 });
  const started = Date.now();
  let loss = Number.NaN;
  let order: number[] = [];
  for (let step = 0; step < recipe.steps; step++) {
    if (order.length < recipe.batch) order = rng.shuffle(Array.from({ length: train.count }, (_, i) => i));
    const batch = order.splice(0, recipe.batch);
    const { planes, labels } = maskedBatch(train, batch, recipe.pixels, rng);
    const x = tf.tensor4d(planes, [batch.length, 28, 28, 2]);
    const y = tf.tensor1d(labels, 'int32');
    loss = trainStep(net, adam, (m) => crossEntropy(m.forward(x, { training: true }), y)).loss;
    x.dispose();
    y.dispose();
    if (!Number.isFinite(loss)) throw new Error(`trainJudge: loss is ${loss} at step ${step}`);
    if ((step + 1) % 200 === 0)
      onProgress?.(`judge k=${recipe.pixels}: step ${step + 1}/${recipe.steps}, loss ${loss.toFixed(3)}`);
  }
  const named = net.namedWeights();
  const read = (name: string) => Float32Array.from(named.get(name)!.dataSync());
  const weights: ConvJudgeWeights = {
    conv1: recipe.conv1,
    conv2: recipe.conv2,
    hidden: recipe.hidden,
    w1: read('layers.0.weight'),
    b1: read('layers.0.bias'),
    w2: read('layers.2.weight'),
    b2: read('layers.2.bias'),
    w3: read('layers.5.weight'),
    b3: read('layers.5.bias'),
    w4: read('layers.7.weight'),
    b4: read('layers.7.bias'),
  };
  net.dispose();
  adam.dispose();
  const judge = new ConvJudge(weights);
  const testAccuracy = judgeAloneAccuracy(judge, test, recipe.pixels, new Rng([recipe.seed, 0x74657374]), 4);
  return {
    weights,
    stats: {
      testAccuracy,
      testSamples: test.count * 4,
      finalLoss: loss,
      seconds: (Date.now() - started) / 1000,
      backend: info.path,
    },
  };
}

/** The judge's accuracy on `set` with `rounds` fresh random k-pixel masks per digit. */
export function judgeAloneAccuracy(
  judge: SparseJudge,
  set: DigitSet,
  pixels: number,
  rng: Rng,
  rounds = 1,
  indices: readonly number[] = Array.from({ length: set.count }, (_, i) => i),
): number {
  let right = 0;
  for (let r = 0; r < rounds; r++)
    for (const d of indices) {
      const lp = judge.logProbs(randomPixels(pixels, rng), digit(set, d));
      if (argmax(lp) === set.labels[d]) right++;
    }
  return right / (rounds * indices.length);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** The cache key: the recipe, the code version and the training digits. */
export function judgeKey(recipe: JudgeRecipe): string {
  const { train } = mnistSplit(recipe.testSize);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ recipe, code: JUDGE_CODE_VERSION, classes: CLASSES }));
  hash.update(new Uint8Array(train.images.buffer, train.images.byteOffset, train.images.byteLength));
  hash.update(train.labels);
  return hash.digest('hex').slice(0, 16);
}

export function judgeDir(recipe: JudgeRecipe, root = cacheRoot()): string {
  return join(root, 'mnist', `judge-k${recipe.pixels}-${judgeKey(recipe)}`);
}

const WEIGHTS_FILE = 'judge.safetensors';
const META_FILE = 'judge.json';
const weightNames = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3', 'w4', 'b4'] as const;

function saveJudge(
  dir: string,
  weights: ConvJudgeWeights,
  recipe: JudgeRecipe,
  stats: JudgeStats,
  key: string,
) {
  const tensors = new Map(weightNames.map((n) => [n, { shape: [weights[n].length], data: weights[n] }]));
  writeFileSync(join(dir, WEIGHTS_FILE), writeSafetensors(tensors));
  writeFileSync(
    join(dir, META_FILE),
    `${JSON.stringify({ format: 'alignlab-mnist-judge', key, recipe, stats }, null, 2)}\n`,
  );
}

function openJudge(dir: string): TrainedJudge {
  const meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as {
    key: string;
    recipe: JudgeRecipe;
    stats: JudgeStats;
  };
  const file = readSafetensors(readFileSync(join(dir, WEIGHTS_FILE)), join(dir, WEIGHTS_FILE), {
    expected: weightNames,
  });
  const { conv1, conv2, hidden } = meta.recipe;
  const weights = { conv1, conv2, hidden } as ConvJudgeWeights;
  const sizes = convJudgeSizes(weights);
  for (const n of weightNames) {
    const t = file.tensors.get(n)!;
    if (!(t.data instanceof Float32Array) || t.data.length !== sizes[n])
      throw new Error(`${join(dir, WEIGHTS_FILE)}: weight '${n}' is not ${sizes[n]} float32 numbers`);
    weights[n] = t.data;
  }
  return { judge: new ConvJudge(weights), recipe: meta.recipe, stats: meta.stats, key: meta.key, dir };
}

const isComplete = (dir: string) => existsSync(join(dir, WEIGHTS_FILE)) && existsSync(join(dir, META_FILE));

const loaded = new Map<string, Promise<TrainedJudge>>();

/**
 * The judge for a recipe: from this process's memo, else the cache, else trained (minutes;
 * the paper-size judge about a quarter of an hour on two cores) and cached.
 */
export function loadJudge(
  recipeInput: z.input<typeof JudgeRecipeSchema>,
  options: { cache?: string; onProgress?: (line: string) => void } = {},
): Promise<TrainedJudge> {
  const recipe = JudgeRecipeSchema.parse(recipeInput);
  if (recipe.arch === 'bayes') {
    // Fitted by counting in well under a second: never cached.
    const { train, test } = mnistSplit(recipe.testSize);
    const started = Date.now();
    const judge = new BayesJudge(train);
    const testAccuracy = judgeAloneAccuracy(
      judge,
      test,
      recipe.pixels,
      new Rng([recipe.seed, 0x74657374]),
      4,
    );
    const seconds = (Date.now() - started) / 1000;
    const stats = {
      testAccuracy,
      testSamples: test.count * 4,
      finalLoss: Number.NaN,
      seconds,
      backend: 'counts',
    };
    return Promise.resolve({ judge, recipe, stats, key: 'bayes', dir: '' });
  }
  const dir = judgeDir(recipe, options.cache ?? cacheRoot());
  let pending = loaded.get(dir);
  if (!pending) {
    pending = (async () => {
      if (!isComplete(dir)) {
        options.onProgress?.(`training the k=${recipe.pixels} judge into ${dir}`);
        const { weights, stats } = await trainJudge(recipe, options.onProgress);
        mkdirSync(dirname(dir), { recursive: true });
        const tmp = `${dir}.tmp-${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}`;
        try {
          mkdirSync(tmp, { recursive: true });
          saveJudge(tmp, weights, recipe, stats, judgeKey(recipe));
          try {
            renameSync(tmp, dir);
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (!(code === 'ENOTEMPTY' || code === 'EEXIST') || !isComplete(dir)) throw error;
          }
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      }
      return openJudge(dir);
    })();
    loaded.set(dir, pending);
    pending.catch(() => loaded.delete(dir));
  }
  return pending;
}
