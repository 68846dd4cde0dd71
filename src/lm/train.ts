/**
 * Trains a tiny transformer on one synthetic corpus: each row is `<bos> prompt completion
 * <eos>`, and the loss is next-token cross-entropy on the completion and <eos> (the prompt is
 * given, so predicting it is wasted capacity). AdamW with warmup + cosine decay and gradient
 * clipping, as nanoGPT. The config's defaults reproduce the README's arithmetic numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Rng } from '../core/rng.js';
import {
  AdamW,
  cosineSchedule,
  createTransformer,
  crossEntropy,
  type Transformer,
  trainStep,
} from '../nn/index.js';
import { type Corpus, corpusNames, getCorpus } from './corpora/index.js';
import { PAD, type Tokenizer, tokenizerKinds, trainTokenizer } from './tokenizer.js';

export const LmTrainConfigSchema = z.object({
  corpus: z.enum(corpusNames).default('arithmetic'),
  seed: z.number().int().default(0),
  steps: z.number().int().min(1).default(3000),
  batchSize: z.number().int().min(1).default(64),
  learningRate: z.number().positive().default(3e-3),
  warmupSteps: z.number().int().min(0).default(100),
  weightDecay: z.number().min(0).default(0.1),
  maxGradNorm: z.number().positive().default(1),
  layers: z.number().int().min(1).default(2),
  heads: z.number().int().min(1).default(4),
  width: z.number().int().min(4).default(64),
  tokenizer: z.enum(tokenizerKinds).default('char'),
  bpeMerges: z.number().int().min(0).default(200),
});
/** A language model's training config as written (every key optional). */
export type LmTrainConfig = z.input<typeof LmTrainConfigSchema>;

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  tokensPerSecond: number;
}

export interface TrainedModel {
  model: Transformer;
  tokenizer: Tokenizer;
  corpus: Corpus;
  config: z.output<typeof LmTrainConfigSchema>;
  finalLoss: number;
  seconds: number;
}

/** Token rows for items: <bos> prompt completion <eos>, with the index where the completion starts. */
export function encodeItem(
  tokenizer: Tokenizer,
  prompt: string,
  completion: string,
): { ids: number[]; completionStart: number } {
  const promptIds = tokenizer.encode(prompt, { bos: true });
  return {
    ids: [...promptIds, ...tokenizer.encode(completion, { eos: true })],
    completionStart: promptIds.length,
  };
}

/** Trains a small transformer on a corpus. */
export function trainLanguageModel(
  input: LmTrainConfig,
  onProgress: (p: TrainProgress) => void = () => {},
): TrainedModel {
  const config = LmTrainConfigSchema.parse(input);
  const corpus = getCorpus(config.corpus, config.seed, 'corpus');
  const train = corpus.split('train');
  const texts = [...train, ...corpus.split('test')].map((i) => i.prompt + i.completion);
  const tokenizer = trainTokenizer(config.tokenizer, texts, config.bpeMerges);
  const longest = Math.max(...texts.map((t) => tokenizer.encode(t).length + 2));
  // Room for the longest item plus a little slack for longer generations.
  const model = createTransformer(
    {
      vocabSize: tokenizer.vocabSize,
      contextLength: longest + 4,
      layers: config.layers,
      heads: config.heads,
      width: config.width,
    },
    { seed: config.seed },
  );
  const { finalLoss, seconds } = fitOnItems(model, tokenizer, train, config, onProgress);
  return { model, tokenizer, corpus, config, finalLoss, seconds };
}

export interface FitOptions {
  seed: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  weightDecay: number;
  maxGradNorm: number;
  /**
   * Where in each completion the loss starts (a character offset; default 0: the whole
   * completion). A second SFT pass that only teaches the confidence word starts it at the word.
   */
  lossFrom?: (completion: string) => number;
}

/** Next-token SFT of `model` on `items` (in place): the loop of `trainLanguageModel`, reusable for further passes. */
export function fitOnItems(
  model: Transformer,
  tokenizer: Tokenizer,
  items: readonly { prompt: string; completion: string }[],
  config: FitOptions,
  onProgress: (p: TrainProgress) => void = () => {},
): { finalLoss: number; seconds: number } {
  const encoded = items.map((i) => {
    const { ids, completionStart } = encodeItem(tokenizer, i.prompt, i.completion);
    const from = config.lossFrom?.(i.completion) ?? 0;
    const lossStart = completionStart + (from > 0 ? tokenizer.encode(i.completion.slice(0, from)).length : 0);
    return { ids, lossStart };
  });
  const time = Math.max(...encoded.map((e) => e.ids.length)) - 1;
  const optimizer = new AdamW(model.namedWeights(), {
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
  });
  const schedule = cosineSchedule({
    peakLearningRate: config.learningRate,
    warmupSteps: config.warmupSteps,
    totalSteps: config.steps,
  });
  const rng = new Rng(config.seed).derive('batches');
  const inputs = new Int32Array(config.batchSize * time);
  const targets = new Int32Array(config.batchSize * time);
  const weights = new Float32Array(config.batchSize * time);
  const started = performance.now();
  let finalLoss = Number.NaN;
  for (let step = 0; step < config.steps; step++) {
    inputs.fill(PAD);
    targets.fill(PAD);
    weights.fill(0);
    for (let b = 0; b < config.batchSize; b++) {
      const { ids, lossStart } = encoded[rng.int(encoded.length)];
      for (let t = 0; t + 1 < ids.length; t++) {
        inputs[b * time + t] = ids[t];
        targets[b * time + t] = ids[t + 1];
        if (t + 1 >= lossStart) weights[b * time + t] = 1;
      }
    }
    const x = tf.tensor2d(inputs, [config.batchSize, time], 'int32');
    const y = tf.tensor2d(targets, [config.batchSize, time], 'int32');
    const w = tf.tensor2d(weights, [config.batchSize, time]);
    const { loss } = trainStep(model, optimizer, (m) => crossEntropy(m.forward(x), y, w), {
      learningRate: schedule(step),
      maxGradNorm: config.maxGradNorm,
    });
    tf.dispose([x, y, w]);
    finalLoss = loss;
    const seconds = (performance.now() - started) / 1000;
    onProgress({
      step: step + 1,
      steps: config.steps,
      loss,
      tokensPerSecond: ((step + 1) * config.batchSize * time) / seconds,
    });
  }
  optimizer.dispose();
  return { finalLoss, seconds: (performance.now() - started) / 1000 };
}
