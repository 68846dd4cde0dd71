/**
 * Training-step benchmark of the transformer: the measurement (run in a fresh process per
 * backend path, see bench-worker.ts) and the FLOP count used to report GFLOP/s.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.js';
import { type BackendPath, initBackend } from './backend.js';
import { AdamW } from './optim.js';
import { crossEntropy, trainStep } from './train.js';
import { createTransformer, type ResolvedTransformerConfig, TransformerConfigSchema } from './transformer.js';

export interface BenchCase {
  /** Label, e.g. "tiny" or "wide". */
  name: string;
  model: ResolvedTransformerConfig;
  batch: number;
}

export interface BenchRow {
  config: string;
  path: BackendPath | 'pytorch';
  stepMs: number;
  tokensPerSecond: number;
  gflops: number;
  steps: number;
  /** Native path: the sgemm asked for (ALIGNLAB_GEMM). */
  gemm?: string;
}

/** The default tiny transformer and one twice as wide. */
export function benchCases(): BenchCase[] {
  const tiny = TransformerConfigSchema.parse({
    vocabSize: 64,
    contextLength: 64,
    layers: 2,
    heads: 4,
    width: 128,
  });
  return [
    { name: 'tiny', model: tiny, batch: 32 },
    { name: 'wide', model: { ...tiny, width: 256 }, batch: 32 },
  ];
}

export function describeCase(c: BenchCase): string {
  const m = c.model;
  return `${c.name} L${m.layers} H${m.heads} C${m.width} T${m.contextLength} B${c.batch} V${m.vocabSize}`;
}

/**
 * FLOPs of one training step: 3× the forward pass (backward ≈ 2× forward), forward = 2 per
 * multiply-add of every matmul — qkv, projections, MLP, LM head, and the two attention
 * products over the full T×T scores. Embedding lookups are not counted (PyTorch gathers).
 */
export function trainStepFlops(c: BenchCase): number {
  const { layers: L, width: C, contextLength: T, vocabSize: V } = c.model;
  const tokens = c.batch * T;
  const perToken = L * (3 * C * C + C * C + 8 * C * C) + C * V + L * 2 * T * C;
  return 3 * 2 * perToken * tokens;
}

/** Best-of-`steps` step time after `warmup` untimed steps; the machine is shared, so the minimum is the least disturbed. */
export async function measureTrainStep(
  c: BenchCase,
  path: BackendPath,
  steps: number,
  warmup = 1,
  clock: 'cpu' | 'wall' = 'wall',
): Promise<BenchRow> {
  // cpu: this process's CPU time (all threads), steady however many jobs share the cores.
  const now = () => {
    if (clock === 'wall') return performance.now();
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const info = await initBackend(path);
  if (info.path !== path) throw new Error(`path ${path} is not available here (${info.description})`);
  const model = createTransformer(c.model, { seed: 0 });
  const optimizer = new AdamW(model.namedWeights(), { learningRate: 1e-3 });
  const rng = new Rng(1);
  const T = c.model.contextLength;
  const randomTokens = () =>
    tf.tensor2d(
      Int32Array.from({ length: c.batch * T }, () => rng.int(c.model.vocabSize)),
      [c.batch, T],
      'int32',
    );
  const x = randomTokens();
  const y = randomTokens();
  const step = () => trainStep(model, optimizer, (m) => crossEntropy(m.forward(x), y), { maxGradNorm: 1 });
  for (let i = 0; i < warmup; i++) step();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < steps; i++) {
    const start = now();
    step();
    best = Math.min(best, now() - start);
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return {
    config: describeCase(c),
    path,
    stepMs: round(best),
    tokensPerSecond: Math.round((c.batch * T * 1000) / best),
    gflops: round(trainStepFlops(c) / best / 1e6),
    steps,
  };
}

export const round = (x: number) => Math.round(x * 100) / 100;
