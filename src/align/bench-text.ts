/**
 * `alignlab bench text`: the text stack's four workloads on the default tiny model (the
 * arithmetic LM's shape, as `bench align`): sampling (tokens/s, KV cache), one SFT step, one
 * reward-model step and one PPO update (steps/s). The rows are `alignBenchSetup`'s, written to
 * JSON for the PyTorch peer (bench/peers/torch_text.py), which times the same workloads on the
 * same tokens. Each measurement runs in a fresh process (bench-text-worker.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.js';
import { sampleRollouts } from '../lm/rollout.js';
import { completionMask, lastTokenScalar } from '../lm/sequences.js';
import { type BackendPath, initBackend } from '../nn/backend.js';
import { AdamW, createTransformer, crossEntropy, trainStep } from '../nn/index.js';
import { alignBenchSetup, measureAlignUpdate } from './bench.js';
import { bradleyTerryLoss } from './losses.js';

export const textBenchWorkloads = ['sample', 'sft', 'rm', 'ppo'] as const;
export type TextBenchWorkload = (typeof textBenchWorkloads)[number];

export interface TextBenchRow {
  workload: TextBenchWorkload;
  /** What one timed unit is, e.g. "sft step: 64 rows × 17 tokens". */
  unit: string;
  path: BackendPath | 'pytorch';
  /** Best time of one unit (a whole sampling batch, a step, an update), ms. */
  ms: number;
  /** Sampling: new tokens per second; otherwise steps (updates) per second. */
  perSecond: number;
  /** What the best timed unit counted: new tokens for sampling, 1 for a step (absent in peer rows). */
  units?: number;
  steps: number;
}

/** Sampling: the PPO rollout prompts, each completed to the context (or <eos>) at temperature 1. */
export const SAMPLE_PROMPTS = 64;

/** The fixed facts of each workload both sides read (the peer from JSON). */
export function textBenchSpec() {
  const setup = alignBenchSetup();
  const { rows } = setup.ppo;
  const prompts = Array.from({ length: rows.batch }, (_, b) =>
    Array.from(rows.ids.slice(b * rows.time, b * rows.time + rows.promptLengths[b])),
  );
  const longestPrompt = Math.max(...prompts.map((p) => p.length));
  const maxNewTokens = setup.model.contextLength - longestPrompt;
  return { setup, prompts: prompts.slice(0, SAMPLE_PROMPTS), maxNewTokens };
}

export function describeWorkload(workload: TextBenchWorkload): string {
  const { setup, prompts, maxNewTokens } = textBenchSpec();
  const m = setup.model;
  const shape = `L${m.layers} H${m.heads} C${m.width} V${m.vocabSize}`;
  const ppo = setup.ppo.rows;
  const pairs = setup.dpo.rows;
  switch (workload) {
    case 'sample':
      return `sample: ${prompts.length} prompts × ≤ ${maxNewTokens} new tokens, T=1, KV cache, ${shape}`;
    case 'sft':
      return `sft step: ${ppo.batch} rows × ${ppo.time - 1} tokens, ${shape}`;
    case 'rm':
      return `rm step: ${pairs.batch / 2} pairs (${pairs.batch}×${pairs.time}), ${shape}`;
    case 'ppo':
      return `ppo update: ${ppo.batch} rollouts, ${setup.ppo.config.ppoEpochs} epochs × ${setup.ppo.config.miniBatches} minibatches, ${shape}`;
  }
}

/**
 * The clock: 'cpu' = this process's CPU time (all threads; what a unit costs however many other
 * jobs share the cores), 'wall' = elapsed time. Both sides of a comparison use the same one.
 */
export type BenchClock = 'cpu' | 'wall';

export function clockMs(clock: BenchClock): number {
  if (clock === 'wall') return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Best-of-`steps` time of one unit of `workload` after one untimed warm-up. */
export async function measureTextWorkload(
  workload: TextBenchWorkload,
  path: BackendPath,
  steps: number,
  clock: BenchClock = 'wall',
): Promise<TextBenchRow> {
  const unit = describeWorkload(workload);
  if (workload === 'ppo' && clock === 'wall') {
    const row = await measureAlignUpdate('ppo', path, steps);
    return { workload, unit, path, ms: row.updateMs, perSecond: row.updatesPerSecond, units: 1, steps };
  }
  const info = await initBackend(path);
  if (info.path !== path) throw new Error(`path ${path} is not available here (${info.description})`);
  const { setup, prompts, maxNewTokens } = textBenchSpec();
  let run: () => number; // returns the units counted (tokens for sampling, 1 for a step)
  let release: () => void;
  if (workload === 'sample') {
    const { getCorpus } = await import('../lm/corpora/index.js');
    const { trainTokenizer } = await import('../lm/tokenizer.js');
    // The bench setup's tokenizer (same corpus, same training) to decode the prompts back to text.
    const corpus = getCorpus('arithmetic', 0, 'bench');
    const texts = [...corpus.split('train'), ...corpus.split('test')].map((i) => i.prompt + i.completion);
    const tokenizer = trainTokenizer('char', texts);
    const text = prompts.map((p) => tokenizer.decode(p.slice(1)));
    const model = createTransformer(setup.model, { seed: 0 });
    let seed = 0;
    run = () => {
      const out = sampleRollouts(model, tokenizer, text, { maxNewTokens, rng: new Rng(seed++) });
      let tokens = 0;
      for (let b = 0; b < out.rows.batch; b++) tokens += out.rows.lengths[b] - out.rows.promptLengths[b];
      return tokens;
    };
    release = () => model.dispose();
  } else if (workload === 'sft') {
    const rows = setup.ppo.rows;
    const width = rows.time - 1;
    const model = createTransformer(setup.model, { seed: 0 });
    const optimizer = new AdamW(model.namedWeights(), { learningRate: 1e-3 });
    const all = tf.tensor2d(rows.ids, [rows.batch, rows.time], 'int32');
    const x = tf.slice(all, [0, 0], [rows.batch, width]) as tf.Tensor2D;
    const y = tf.slice(all, [0, 1], [rows.batch, width]) as tf.Tensor2D;
    const w = tf.tensor2d(completionMask(rows), [rows.batch, width]);
    run = () => {
      trainStep(model, optimizer, (m) => crossEntropy(m.forward(x), y, w), { maxGradNorm: 1 });
      return 1;
    };
    release = () => {
      tf.dispose([all, x, y, w]);
      optimizer.dispose();
      model.dispose();
    };
  } else if (workload === 'ppo') {
    const { PpoConfigSchema, ppoUpdate, preparePpoBatch, VALUE_HEAD } = await import('./ppo.js');
    const { cloneTransformer } = await import('../nn/index.js');
    const { rows } = setup.ppo;
    const config = PpoConfigSchema.parse(setup.ppo.config);
    const reference = createTransformer(setup.model, { seed: 0 });
    const policy = cloneTransformer(reference, { scalarHeads: [VALUE_HEAD], seed: 1 });
    const optimizer = new AdamW(policy.namedWeights(), { learningRate: config.learningRate, weightDecay: 0 });
    const rng = new Rng(1);
    const scores = Float64Array.from({ length: rows.batch }, () => rng.normal());
    const { batch } = preparePpoBatch(policy, reference, rows, scores, config.klCoef, config);
    run = () => {
      ppoUpdate(policy, optimizer, batch, config, rng);
      return 1;
    };
    release = () => {
      optimizer.dispose();
      policy.dispose();
      reference.dispose();
    };
  } else {
    const rows = setup.dpo.rows;
    const n = rows.batch / 2;
    const model = createTransformer({ ...setup.model, scalarHeads: ['reward'] }, { seed: 0 });
    const optimizer = new AdamW(model.namedWeights(), { learningRate: 1e-5 });
    run = () => {
      trainStep(
        model,
        optimizer,
        (m) =>
          tf.tidy(() => {
            const scores = lastTokenScalar(m, rows, 'reward');
            return bradleyTerryLoss(tf.slice(scores, 0, n), tf.slice(scores, n, n));
          }),
        { maxGradNorm: 1 },
      );
      return 1;
    };
    release = () => {
      optimizer.dispose();
      model.dispose();
    };
  }
  run();
  let best = Number.POSITIVE_INFINITY;
  let units = 1;
  for (let i = 0; i < steps; i++) {
    const start = clockMs(clock);
    const counted = run();
    const ms = clockMs(clock) - start;
    if (ms / counted < best / units) {
      best = ms;
      units = counted;
    }
  }
  release();
  return { workload, unit, path, ms: round(best), perSecond: round((units * 1000) / best), units, steps };
}

const round = (x: number) => Math.round(x * 100) / 100;
