/**
 * The competent arithmetic base model, built once and reused by every text reproduction.
 *
 * Recipe (`baseModelRecipe`): a character-level transformer SFT-trained on the arithmetic
 * corpus (answers in reversed-digit order, Lee et al. 2023), in two passes:
 *   1. every completion's confidence word is the prior ("sure" for +/−, "maybe" for ×);
 *   2. the model's accuracy per question class is estimated on the calibration split (never
 *      trained on, not the test split) by sampling each question several times at temperature
 *      1 — how the experiments sample — and each class gets the word whose claimed probability
 *      is nearest; a second, short pass at a tenth of the learning rate continues SFT on the
 *      relabelled corpus, so the words track the model's own accuracy.
 *
 * The checkpoint lives in a content-addressed cache, `<cache>/lm/arithmetic-base-<key>/`,
 * where `<cache>` is $ALIGNLAB_CACHE, else $XDG_CACHE_HOME/alignlab, else ~/.cache/alignlab,
 * and `<key>` hashes the recipe, the corpus and `BASE_MODEL_CODE_VERSION`. A cache miss is
 * first filled from the copy shipped in the repository (`models/arithmetic-base/`, when its
 * key matches), else by training. Writers fill a unique temporary directory and rename it into
 * place; a rename that finds the directory already there yields to the other writer (same key,
 * same content), so concurrent builders — processes or worker threads — never leave a partial
 * checkpoint.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { Rng } from '../core/rng.js';
import { expectedCalibrationError } from '../evals/calibration.js';
import { createTransformer, initBackend, type Transformer } from '../nn/index.js';
import { checkpointFiles, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import {
  type ArithmeticCorpus,
  type ArithmeticTruth,
  arithmeticCorpus,
  type ConfidenceMixture,
  type ConfidenceTable,
  type ConfidenceWord,
  confidenceProbability,
  confidenceWords,
  scoreArithmeticCompletion,
} from './corpora/arithmetic.js';
import type { CorpusItem } from './corpora/types.js';
import { sampleRollouts } from './rollout.js';
import { type Tokenizer, trainTokenizer } from './tokenizer.js';
import { type FitOptions, fitOnItems } from './train.js';

/** Bump when the training code changes what a recipe produces (it is part of the cache key). */
export const BASE_MODEL_CODE_VERSION = 3;

type SftPass = Omit<FitOptions, 'lossFrom'>;

export interface BaseModelRecipe {
  corpusSeed: number;
  multiplicationRepeat: number;
  model: { layers: number; heads: number; width: number; seed: number };
  sft: SftPass;
  /** Samples per calibration question when estimating a class's accuracy. */
  calibrationSamples: number;
  /** In the confidence pass, every word's least share in a class whose accuracy a mixture can match (`confidenceMixture`). */
  wordFloor: number;
  confidencePass: SftPass;
}

export const baseModelRecipe: Readonly<BaseModelRecipe> = {
  corpusSeed: 0,
  multiplicationRepeat: 16,
  model: { layers: 2, heads: 4, width: 64, seed: 0 },
  sft: {
    seed: 0,
    steps: 5000,
    batchSize: 64,
    learningRate: 3e-3,
    warmupSteps: 100,
    weightDecay: 0.1,
    maxGradNorm: 1,
  },
  /** Samples per calibration question when estimating a class's accuracy. */
  calibrationSamples: 8,
  // 0.1: with × right about half the time its answers say "sure" ~10%, "maybe" ~12%, "guess" ~78%
  // (mean claim = accuracy), so PPO samples "sure" after a × and can make more or less of it.
  wordFloor: 0.1,
  // The whole completion keeps its loss: a word-only loss lets Adam's normalized steps move the
  // weights the answers depend on (measured: +/− accuracy fell from 0.99 to 0.31 in 300 steps).
  confidencePass: {
    seed: 1,
    steps: 300,
    batchSize: 64,
    learningRate: 3e-4,
    warmupSteps: 20,
    weightDecay: 0,
    maxGradNorm: 1,
  },
};

/** What the build measured, stored in the checkpoint's config.json. */
export interface BaseModelStats {
  /** Held-out (test split) +/− questions answered exactly right, greedy decoding. */
  addSubAccuracy: number;
  /** The same, sampling at temperature 1. */
  addSubSampledAccuracy: number;
  /** Held-out × questions right, sampling at temperature 1. */
  multiplyAccuracy: number;
  /** Share of each word in the sampled × answers (test split). */
  multiplyWords: Record<ConfidenceWord, number>;
  /** ECE of the stated word on the test split, sampling at temperature 1 (src/evals/calibration.ts, bins by word). */
  ece: number;
  /** The same on the test split's head, half × (the experiments' evaluation prompts). */
  eceHalfMultiply: number;
  /** Accuracy per question class estimated on the calibration split (after pass 1). */
  classAccuracy: Record<string, number>;
  trainSeconds: number;
}

export interface BaseModel {
  model: Transformer;
  tokenizer: Tokenizer;
  /** The corpus with the model's own confidence table (prompts, splits, truth). */
  corpus: ArithmeticCorpus;
  /** The modal word of each class (its table word). */
  confidence: ConfidenceTable;
  /** Each class's word distribution in the confidence pass (the model says each word about this often). */
  mixture: ConfidenceMixture;
  stats: BaseModelStats;
  key: string;
  dir: string;
}

/** The cache root: $ALIGNLAB_CACHE, else $XDG_CACHE_HOME/alignlab, else ~/.cache/alignlab. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ALIGNLAB_CACHE) return resolve(env.ALIGNLAB_CACHE);
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'alignlab');
}

/** The repository's shipped copy of the checkpoint. */
export const shippedBaseModelDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../models/arithmetic-base',
);

/** The cache key: a hash of the recipe, the corpus the recipe trains on and the code version. */
export function baseModelKey(recipe: BaseModelRecipe = baseModelRecipe): string {
  const corpus = priorCorpus(recipe);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ recipe, code: BASE_MODEL_CODE_VERSION }));
  for (const split of [corpus.split('train'), corpus.calibration(), corpus.split('test')])
    for (const item of split) hash.update(`${item.prompt}${item.completion}\n`);
  return hash.digest('hex').slice(0, 16);
}

export function baseModelDir(root = cacheRoot(), recipe: BaseModelRecipe = baseModelRecipe): string {
  return join(root, 'lm', `arithmetic-base-${baseModelKey(recipe)}`);
}

function priorCorpus(recipe: BaseModelRecipe): ArithmeticCorpus {
  // An explicit empty table: every class gets the prior word, whatever the default table says.
  return arithmeticCorpus({
    seed: recipe.corpusSeed,
    confidence: {},
    multiplicationRepeat: recipe.multiplicationRepeat,
  });
}

const loaded = new Map<string, Promise<BaseModel>>();

export interface LoadBaseModelOptions {
  /** Cache root (default `cacheRoot()`). */
  cache?: string;
  /** Where a shipped copy is looked for (default `shippedBaseModelDir`; null: never seed). */
  shipped?: string | null;
  onProgress?: (line: string) => void;
}

/**
 * The competent arithmetic base model: from this process's memo, else the cache, else the
 * shipped copy (copied into the cache), else trained (~4 minutes on 2 cores) and cached.
 * Shared: callers must not dispose or train it in place (clone it, as PPO and DPO do).
 */
export function loadArithmeticBaseModel(options: LoadBaseModelOptions = {}): Promise<BaseModel> {
  const dir = baseModelDir(options.cache ?? cacheRoot());
  return loadOnce(dir, () => openOrBuild(dir, options));
}

/**
 * One load per checkpoint directory and process: concurrent callers share the pending load; a
 * failed load is forgotten, so the next call tries again.
 */
export function loadOnce(dir: string, open: () => Promise<BaseModel>): Promise<BaseModel> {
  let pending = loaded.get(dir);
  if (!pending) {
    pending = open();
    loaded.set(dir, pending);
    pending.catch(() => loaded.delete(dir));
  }
  return pending;
}

async function openOrBuild(dir: string, options: LoadBaseModelOptions): Promise<BaseModel> {
  await initBackend();
  const key = baseModelKey();
  if (!isComplete(dir)) {
    const shipped = options.shipped === undefined ? shippedBaseModelDir : options.shipped;
    if (shipped && isComplete(shipped) && readKey(shipped) === key) {
      options.onProgress?.(`seeding the base-model cache from ${shipped}`);
      publishDirectory(dir, (tmp) => cpSync(shipped, tmp, { recursive: true }));
    } else {
      options.onProgress?.(`training the arithmetic base model into ${dir}`);
      const built = buildArithmeticBaseModel(baseModelRecipe, options.onProgress);
      publishDirectory(dir, (tmp) => saveBaseModel(tmp, built, key));
      built.model.dispose();
    }
  }
  return openBaseModel(dir);
}

/** Opens a base-model checkpoint directory (cache entry or shipped copy). */
export function openBaseModel(dir: string): BaseModel {
  const { model, tokenizer, config } = loadCheckpoint(dir);
  const training = (config.training ?? {}) as {
    key?: string;
    confidence?: ConfidenceTable;
    mixture?: ConfidenceMixture;
    stats?: BaseModelStats;
  };
  const confidence = training.confidence ?? {};
  const mixture = training.mixture ?? {};
  return {
    model,
    tokenizer,
    corpus: arithmeticCorpus({
      seed: baseModelRecipe.corpusSeed,
      confidence,
      confidenceMix: mixture,
      multiplicationRepeat: baseModelRecipe.multiplicationRepeat,
    }),
    confidence,
    mixture,
    stats: training.stats as BaseModelStats,
    key: training.key ?? '',
    dir,
  };
}

function isComplete(dir: string): boolean {
  return Object.values(checkpointFiles).every((f) => existsSync(join(dir, f)));
}

function readKey(dir: string): string | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, checkpointFiles.config), 'utf8')).training?.key;
  } catch {
    return undefined;
  }
}

/**
 * Fills a unique temporary sibling and renames it to `dir`. When `dir` appeared meanwhile
 * (another builder with the same key won the race) the temporary copy is dropped.
 */
export function publishDirectory(dir: string, write: (tmp: string) => void): void {
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(tmp, { recursive: true });
    write(tmp);
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

export function saveBaseModel(dir: string, built: BuiltBaseModel, key: string): void {
  saveCheckpoint(dir, {
    model: built.model,
    tokenizer: built.tokenizer,
    config: {
      format: 'alignlab-lm',
      version: 1,
      model: built.model.config,
      corpus: { name: 'arithmetic', seed: baseModelRecipe.corpusSeed },
      training: {
        key,
        recipe: baseModelRecipe,
        confidence: built.confidence,
        mixture: built.mixture,
        stats: built.stats,
      },
    },
  });
}

export interface BuiltBaseModel {
  model: Transformer;
  tokenizer: Tokenizer;
  confidence: ConfidenceTable;
  mixture: ConfidenceMixture;
  stats: BaseModelStats;
}

/** Trains the base model from scratch (both passes) and measures it. Deterministic for a recipe on one machine. */
export function buildArithmeticBaseModel(
  recipe: BaseModelRecipe = baseModelRecipe,
  onProgress: (line: string) => void = () => {},
): BuiltBaseModel {
  const first = firstSftPass(recipe, onProgress);
  const second = confidenceSftPass(first.model, first.tokenizer, recipe, onProgress);
  return { ...second, stats: { ...second.stats, trainSeconds: first.seconds + second.stats.trainSeconds } };
}

const progressReport =
  (label: string, onProgress: (line: string) => void) =>
  (p: { step: number; steps: number; loss: number }) => {
    if (p.step % 500 === 0 || p.step === p.steps)
      onProgress(`${label} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)}`);
  };

/** Pass 1: the tokenizer, a fresh model, and SFT on the corpus with every word at its prior. */
export function firstSftPass(
  recipe: BaseModelRecipe = baseModelRecipe,
  onProgress: (line: string) => void = () => {},
): { model: Transformer; tokenizer: Tokenizer; seconds: number } {
  const prior = priorCorpus(recipe);
  const train = prior.split('train');
  const texts = [...train, ...prior.calibration(), ...prior.split('test')].flatMap((i) => [
    i.prompt + i.completion,
    ...confidenceWords,
  ]);
  const tokenizer = trainTokenizer('char', texts);
  const longest = Math.max(...texts.map((t) => tokenizer.encode(t).length + 2));
  const model = createTransformer(
    {
      vocabSize: tokenizer.vocabSize,
      contextLength: longest + 4,
      layers: recipe.model.layers,
      heads: recipe.model.heads,
      width: recipe.model.width,
    },
    { seed: recipe.model.seed },
  );
  const { seconds } = fitOnItems(model, tokenizer, train, recipe.sft, progressReport('sft', onProgress));
  return { model, tokenizer, seconds };
}

/**
 * Pass 2 (in place on pass 1's model): estimate each class's accuracy on the calibration split,
 * give each class its word distribution (`confidenceMixture`), continue SFT on the corpus with
 * those words, and measure the result on the test split.
 */
export function confidenceSftPass(
  model: Transformer,
  tokenizer: Tokenizer,
  recipe: BaseModelRecipe = baseModelRecipe,
  onProgress: (line: string) => void = () => {},
): BuiltBaseModel {
  const prior = priorCorpus(recipe);
  const classAccuracy = accuracyByClass(model, tokenizer, prior.calibration(), recipe.calibrationSamples);
  const mixture = confidenceMixture(classAccuracy, recipe.wordFloor);
  const confidence = modalWords(mixture);
  onProgress(`class accuracy ${JSON.stringify(classAccuracy)}`);
  onProgress(`confidence mixture ${JSON.stringify(mixture)}`);
  const relabelled = arithmeticCorpus({
    seed: recipe.corpusSeed,
    confidence,
    confidenceMix: mixture,
    multiplicationRepeat: recipe.multiplicationRepeat,
  });
  const { seconds } = fitOnItems(
    model,
    tokenizer,
    relabelled.split('train'),
    recipe.confidencePass,
    progressReport('confidence', onProgress),
  );
  const stats = measureBaseModel(model, tokenizer, relabelled);
  return { model, tokenizer, confidence, mixture, stats: { ...stats, classAccuracy, trainSeconds: seconds } };
}

/** The word whose claimed probability is nearest a measured accuracy. */
export function nearestWord(accuracy: number): ConfidenceWord {
  let best: ConfidenceWord = confidenceWords[0];
  for (const w of confidenceWords)
    if (Math.abs(confidenceProbability[w] - accuracy) < Math.abs(confidenceProbability[best] - accuracy))
      best = w;
  return best;
}

/**
 * Each class's word distribution. A class whose accuracy q lies strictly between the lowest and
 * highest claimed probability gets every word with share ≥ `floor`, and the rest of its mass on
 * the two words whose claims bracket q, so that the mean claimed probability equals q (calibrated
 * on average: the model says "sure" on some hard questions, which RLHF can then make more or
 * less of). A class outside that range (+/− at ≈ 0.99) states its nearest word only: any other
 * word would be further from its accuracy.
 */
export function confidenceMixture(
  classAccuracy: Readonly<Record<string, number>>,
  floor: number,
): Record<string, Partial<Record<ConfidenceWord, number>>> {
  const claims = [...confidenceWords].sort((a, b) => confidenceProbability[a] - confidenceProbability[b]);
  const lowest = confidenceProbability[claims[0]];
  const highest = confidenceProbability[claims[claims.length - 1]];
  const out: Record<string, Partial<Record<ConfidenceWord, number>>> = {};
  for (const [cls, q] of Object.entries(classAccuracy)) {
    const floorMean = floor * claims.reduce((sum, w) => sum + confidenceProbability[w], 0);
    const rest = 1 - floor * claims.length;
    // The mean the remaining mass must carry, kept inside the claims' range.
    const target = rest > 0 ? (q - floorMean) / rest : Number.NaN;
    if (!(q > lowest && q < highest) || !(target >= lowest && target <= highest)) {
      out[cls] = { [nearestWord(q)]: 1 };
      continue;
    }
    const upper = claims.find((w) => confidenceProbability[w] >= target) ?? claims[claims.length - 1];
    const lower = [...claims].reverse().find((w) => confidenceProbability[w] <= target) ?? claims[0];
    const share: Partial<Record<ConfidenceWord, number>> = Object.fromEntries(claims.map((w) => [w, floor]));
    if (upper === lower) share[upper] = (share[upper] ?? 0) + rest;
    else {
      const pu = confidenceProbability[upper];
      const pl = confidenceProbability[lower];
      const onUpper = (rest * (target - pl)) / (pu - pl);
      share[upper] = (share[upper] ?? 0) + onUpper;
      share[lower] = (share[lower] ?? 0) + rest - onUpper;
    }
    out[cls] = share;
  }
  return out;
}

/** The most likely word of each class's distribution (the class's table word). */
function modalWords(mixture: ConfidenceMixture): Record<string, ConfidenceWord> {
  return Object.fromEntries(
    Object.entries(mixture).map(([cls, mix]) => [
      cls,
      confidenceWords.reduce((best, w) => ((mix[w] ?? 0) > (mix[best] ?? 0) ? w : best)),
    ]),
  );
}

function accuracyByClass(
  model: Transformer,
  tokenizer: Tokenizer,
  items: readonly CorpusItem<ArithmeticTruth>[],
  samples: number,
): Record<string, number> {
  const prompts = items.flatMap((i) => Array<string>(samples).fill(i.prompt));
  const completions = sampleRollouts(model, tokenizer, prompts, {
    maxNewTokens: 10,
    rng: new Rng(0).derive('calibration'),
  }).completions;
  const tally = new Map<string, { right: number; n: number }>();
  prompts.forEach((p, k) => {
    const cls = items[Math.floor(k / samples)].truth.questionClass;
    const t = tally.get(cls) ?? { right: 0, n: 0 };
    t.n++;
    if (scoreArithmeticCompletion(p, completions[k]).correct) t.right++;
    tally.set(cls, t);
  });
  return Object.fromEntries([...tally].sort().map(([cls, t]) => [cls, t.right / t.n]));
}

/** Held-out accuracy and calibration of a base model on the test split. */
export function measureBaseModel(
  model: Transformer,
  tokenizer: Tokenizer,
  corpus: ArithmeticCorpus,
): Omit<BaseModelStats, 'classAccuracy' | 'trainSeconds'> {
  const test = corpus.split('test');
  const prompts = test.map((i) => i.prompt);
  const greedy = sampleRollouts(model, tokenizer, prompts, {
    maxNewTokens: 10,
    temperature: 1e-6,
    rng: new Rng(0).derive('greedy'),
  }).completions;
  const sampled = sampleRollouts(model, tokenizer, prompts, {
    maxNewTokens: 10,
    rng: new Rng(0).derive('sampled'),
  }).completions;
  const addSub = test.flatMap((item, k) => (item.truth.op === '*' ? [] : [k]));
  const multiply = test.flatMap((item, k) => (item.truth.op === '*' ? [k] : []));
  const right = (outs: string[], ks: number[]) =>
    ks.filter((k) => scoreArithmeticCompletion(prompts[k], outs[k]).correct).length / ks.length;
  const multiplyWords = Object.fromEntries(
    confidenceWords.map((w) => [
      w,
      multiply.filter((k) => scoreArithmeticCompletion(prompts[k], sampled[k]).confidence === w).length /
        multiply.length,
    ]),
  ) as Record<ConfidenceWord, number>;
  // The experiments' evaluation prompts: the test split's head, half multiplications.
  const head = Math.min(prompts.length, 2 * multiply.length);
  return {
    addSubAccuracy: right(greedy, addSub),
    addSubSampledAccuracy: right(sampled, addSub),
    multiplyAccuracy: right(sampled, multiply),
    multiplyWords,
    ece: statedEce(prompts, sampled),
    eceHalfMultiply: statedEce(prompts.slice(0, head), sampled.slice(0, head)),
  };
}

/**
 * ECE of the stated confidence words (one bin per stated probability, src/evals/calibration.ts;
 * a completion without a known word states 0.5).
 */
export function statedEce(prompts: readonly string[], completions: readonly string[]): number {
  const scores = completions.map((c, i) => scoreArithmeticCompletion(prompts[i], c));
  return expectedCalibrationError(
    scores.map((s) => s.statedProbability),
    scores.map((s) => s.correct),
    'by-value',
  );
}

/** The cache's base-model entries with their sizes (for `alignlab lm cache`). */
export function listCache(root = cacheRoot()): { name: string; bytes: number; current: boolean }[] {
  const lm = join(root, 'lm');
  if (!existsSync(lm)) return [];
  const current = `arithmetic-base-${baseModelKey()}`;
  return readdirSync(lm)
    .filter((name) => !name.includes('.tmp-'))
    .map((name) => ({ name, bytes: directoryBytes(join(lm, name)), current: name === current }));
}

/** Removes every cached model (the cache root's `lm/` directory). */
export function clearCache(root = cacheRoot()): number {
  const entries = listCache(root).length;
  rmSync(join(root, 'lm'), { recursive: true, force: true });
  for (const dir of loaded.keys()) if (dir.startsWith(root)) loaded.delete(dir);
  return entries;
}

function directoryBytes(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, f) => n + directoryBytes(join(path, f)), 0);
}
